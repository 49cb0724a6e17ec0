# DoseDesk: two set-up commands on a fresh Debian 12 machine.
#   make run   installs what the app needs, builds it, opens it on a demo database
#   make test  installs what the tests need and runs every test (end-to-end under Xvfb)

SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
CARGO ?= cargo
# `cargo install` puts tauri-driver in ~/.cargo/bin, which may not be on PATH.
TAURI_DRIVER ?= $(shell command -v tauri-driver 2>/dev/null || echo $(HOME)/.cargo/bin/tauri-driver)
export TAURI_DRIVER
# No incremental caches: a one-shot build gains nothing from them, and they
# double the size of target/ on CI's disk.
CARGO_INCREMENTAL ?= 0
export CARGO_INCREMENTAL

# Debian packages: Tauri's WebKitGTK stack; WebKitWebDriver and Xvfb for tests.
RUN_PACKAGES := build-essential pkg-config file libwebkit2gtk-4.1-dev librsvg2-dev libssl-dev cmake libclang-dev
# sqlite3, pandas and matplotlib are the benchmarks' points of comparison;
# procps (pgrep) finds the app's WebKit processes for tests/bench/app.sh;
# poppler-utils reads the briefing PDFs back in the tests; nodejs runs the UI's
# date logic (tests/ui/dates.test.mjs); postgresql is the sync server's
# central copy (the tests start a throwaway cluster of their own and stop it;
# they never touch the machine's own cluster); dbus-daemon and dbus-send
# stand in for logind's system bus in the lock-on-sleep test; curl fetches
# axe-core; gsettings-desktop-schemas holds GNOME's text size, which the app
# follows.
TEST_PACKAGES := $(RUN_PACKAGES) webkit2gtk-driver xvfb xauth procps sqlite3 time python3-pandas python3-matplotlib poppler-utils nodejs postgresql dbus-daemon dbus-bin curl ca-certificates gsettings-desktop-schemas

# axe-core, the accessibility rules engine the accessibility test injects into
# the webview: one pinned file from the npm registry, checked against the
# registry's sha512 before it is used (no npm needed, nothing else fetched).
AXE_VERSION := 4.14.1
AXE_SHA512 := 1477dafa598d8d065f273d6af302aa203c02e83131707b7fa648cd41bd3d6b734f8c22a0dab86ee6a6f64b8afbe804b214d36db85a2826965edfb3a0b9d546b5
AXE_JS := target/axe-core-$(AXE_VERSION)/axe.min.js
export DOSEDESK_AXE_JS := $(CURDIR)/$(AXE_JS)

# The Tauri bundler for make package and the package test: the official
# prebuilt CLI from the npm registry, pinned in packaging/package-lock.json
# (seconds to install; `cargo install tauri-cli` compiled for 10 minutes here).
TAURI_CLI := packaging/node_modules/.bin/tauri

# The demo store, encrypted as every store is; `dosedesk-cli demo` prints its
# public account, and its sign-in screen shows it.
DEMO_DB := target/demo/demo.sqlite3
# The benchmarks' sign-in (tests/bench/signed_in.sh sets the same for the scripts).
BENCH_SIGN_IN := DOSEDESK_USER=bench DOSEDESK_PASSPHRASE_FILE=$(CURDIR)/tests/bench/passphrase

BENCH_BOOKINGS ?= 10000000
# Encrypted vs plain: the import, check and views twice over.
BENCH_ENCRYPTION_BOOKINGS ?= 2000000
BENCH_SITES ?= 3000
BENCH_DOSE_COUNTS ?= 30000000
BENCH_SYNC_BOOKINGS ?= 2000000
BENCH_SYNC_CASES ?= 1000

.PHONY: run test bench package deps-run deps-test tauri-driver clean-demo axe-core

run: deps-run
	$(CARGO) build --release -p dosedesk -p dosedesk-cli
	@if [ ! -s $(DEMO_DB) ]; then mkdir -p $(dir $(DEMO_DB)) && ./target/release/dosedesk-cli --db $(DEMO_DB) demo; fi
	./target/release/dosedesk --db $(DEMO_DB)

# Clippy lints our crates as they are built for the tests, every target
# (libraries, binaries, tests, examples, the bench), warnings denied: its
# driver wraps rustc for the workspace's crates only, as `cargo clippy` does
# (CLIPPY_ARGS is how cargo clippy hands it `-D warnings`). A separate
# `cargo clippy` checked all ~700 dependencies a second time and compiled
# HiGHS twice (its build script ran again for the build): 22 of a cold run's
# minutes here. Every cargo command of `make test` runs with the same wrapper,
# or cargo would build our crates again without it.
LINTED := RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__

test: deps-test tauri-driver $(AXE_JS) $(TAURI_CLI)
	$(CARGO) fmt --all -- --check
	$(LINTED) $(CARGO) build --locked -p dosedesk -p dosedesk-cli -p dosedesk-server
	@mkdir -p target
	set -o pipefail; $(LINTED) xvfb-run -a -s "-screen 0 1400x900x24" $(CARGO) test --workspace --locked 2>&1 | tee target/test.log
	@# The benchmark harness at toy size, so it cannot rot (debug build: figures not meaningful);
	@# the planners' bench examples are compiled here and run by `make bench`. `--workspace`, as
	@# for the tests: the same features, so the examples the tests built are reused (with `-p`
	@# the dependencies were compiled again: 8 minutes and 1 GB more).
	$(LINTED) $(CARGO) build --locked --workspace --examples
	tests/bench/import.sh target/debug 20000 50 target/bench/small.sqlite3
	tests/bench/refresh.sh target/debug 20000 50
	target/debug/examples/sqlite_floor 20000
	$(BENCH_SIGN_IN) target/debug/examples/bench_views target/bench/small.sqlite3 2021-02-01
	tests/bench/plan.sh target/debug target/bench/small.sqlite3 2021-02-01 2021-02-28
	tests/bench/brief.sh target/debug target/bench/small.sqlite3 2021-02-01
	tests/bench/app.sh target/debug target/bench/small.sqlite3
	tests/bench/chart.sh target/debug 20000 50
	tests/bench/encryption.sh target/debug 20000 50
	$(LINTED) DOSEDESK_BENCH_SYNC_BOOKINGS=3000 $(CARGO) test --locked --workspace --bench sync
	@# The .deb of this debug build, installed, started through WebDriver, removed.
	set -o pipefail; $(LINTED) tests/package.sh 2>&1 | tee -a target/test.log
	@awk '/^test result:/ {p += $$4; f += $$6} END {printf "all tests: %d passed, %d failed\n", p, f}' target/test.log

# The desktop app's .deb and .rpm (release build; the CLI goes in both as
# /usr/bin/dosedesk-cli) into target/release/bundle/{deb,rpm}/, and the
# server's .deb with its systemd unit into target/release/bundle/server/.
package: deps-run $(TAURI_CLI)
	$(CARGO) build --release --locked -p dosedesk-cli
	cd src-tauri && ../$(TAURI_CLI) build --ci --bundles deb rpm -- --locked
	$(CARGO) build --release --locked -p dosedesk-server
	packaging/server/build-deb.sh target/release/dosedesk-server target/release/bundle/server
	@ls -l target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm target/release/bundle/server/*.deb

# Prints the speed and memory figures of the issues (release build, this machine).
bench: deps-test
	$(CARGO) build --release --locked -p dosedesk-cli -p dosedesk -p dosedesk-core --bins --examples
	@echo "machine: $$(nproc) cores, $$(free -g | awk '/Mem:/ {print $$2}') GiB, $$(uname -sr)"
	@mkdir -p target/bench
	@# The ratio to sqlite3's expert load at 1 million bookings, then at BENCH_BOOKINGS.
	tests/bench/import.sh target/release 1000000 $(BENCH_SITES)
	tests/bench/import.sh target/release $(BENCH_BOOKINGS) $(BENCH_SITES) target/bench/province.sqlite3
	tests/bench/refresh.sh target/release $(BENCH_BOOKINGS) $(BENCH_SITES)
	target/release/examples/sqlite_floor $(BENCH_BOOKINGS)
	$(BENCH_SIGN_IN) target/release/examples/bench_views target/bench/province.sqlite3 2021-02-01
	tests/bench/plan.sh target/release target/bench/province.sqlite3 2021-02-01 2021-02-28
	tests/bench/brief.sh target/release target/bench/province.sqlite3 2021-02-01
	tests/bench/app.sh target/release target/bench/province.sqlite3
	tests/bench/chart.sh target/release $(BENCH_DOSE_COUNTS) $(BENCH_SITES)
	tests/bench/encryption.sh target/release $(BENCH_ENCRYPTION_BOOKINGS) $(BENCH_SITES)
	target/release/examples/bench_shiftplan
	target/release/examples/bench_siting
	DOSEDESK_BENCH_SYNC_BOOKINGS=$(BENCH_SYNC_BOOKINGS) $(CARGO) bench --locked -p dosedesk-server --bench sync
	@# The convergence soak: five times CI's seeded cases, release build.
	DOSEDESK_SYNC_CASES=$(BENCH_SYNC_CASES) $(CARGO) test --release --locked -p dosedesk-server --test convergence -- --nocapture
	@# The hostile-files soak: ten times CI's mutated files per format.
	DOSEDESK_HOSTILE_FILES=30000 $(CARGO) test --release --locked -p dosedesk-core --lib hostile_files -- --nocapture

# Installs only the packages that are missing, so a ready machine skips apt.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

deps-run:
	$(call apt_install,$(RUN_PACKAGES))

deps-test:
	$(call apt_install,$(TEST_PACKAGES))
	@rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt

tauri-driver:
	@[ -x "$(TAURI_DRIVER)" ] || $(CARGO) install tauri-driver --locked

$(AXE_JS):
	@mkdir -p $(dir $@)
	curl -fsSL --retry 3 https://registry.npmjs.org/axe-core/-/axe-core-$(AXE_VERSION).tgz -o $(dir $@)axe-core.tgz
	echo "$(AXE_SHA512)  $(dir $@)axe-core.tgz" | sha512sum -c --quiet
	tar -xzf $(dir $@)axe-core.tgz -C $(dir $@) --strip-components=1 package/axe.min.js package/LICENSE
	rm $(dir $@)axe-core.tgz
axe-core: $(AXE_JS)

# npm comes with Node.js from NodeSource; Debian's own nodejs leaves it out.
$(TAURI_CLI): packaging/package.json packaging/package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm; }
	npm ci --prefix packaging --no-audit --no-fund
	@touch $@

clean-demo:
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).keys $(DEMO_DB).sign-ins
