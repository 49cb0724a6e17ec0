#!/usr/bin/env bash
# The package test: bundles the debug build `make test` already has into a
# .deb with the Tauri bundler, installs it with apt as a health unit's IT
# would, runs the installed /usr/bin/dosedesk through WebDriver under Xvfb
# (tests/installed.rs); then the same for the server's .deb, run as its own
# user with a laptop syncing with it (src-tauri/server/tests/installed.rs).
# Both packages are removed again, whatever happened.
#
#   tests/package.sh            (from the project root; make test runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
tauri=packaging/node_modules/.bin/tauri
[ -x "$tauri" ] || { echo "package: $tauri missing: run make packaging/node_modules"; exit 1; }

for p in dose-desk dosedesk-server; do
  if dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q "install ok installed"; then
    echo "package: $p is already installed on this machine; refusing to replace it"
    exit 1
  fi
done
# The debug build names the debug CLI; make package bundles the release one.
config='{"bundle":{"linux":{"deb":{"files":{"/usr/bin/dosedesk-cli":"../target/debug/dosedesk-cli"}}}}}'
# `bundle`, not `build`: the app make test built (and tested) is packaged as
# it is. `tauri build` runs cargo on the app alone, whose dependencies then
# resolve other features than the workspace's: on a cold target it compiled
# a second copy of ~180 of them (more than 6 minutes of CI) for nothing.
[ -x target/debug/dosedesk ] || { echo "package: target/debug/dosedesk missing: cargo build -p dosedesk first"; exit 1; }
(cd src-tauri && "../$tauri" bundle --ci --debug --bundles deb --config "$config")
deb=$(ls -t target/debug/bundle/deb/DoseDesk_*_amd64.deb | head -1)
echo "package: $deb ($(du -h "$deb" | cut -f1)); depends: $(dpkg-deb -f "$deb" Depends)"

server_deb=$(packaging/server/build-deb.sh target/debug/dosedesk-server target/debug/bundle/server)
echo "package: $server_deb ($(du -h "$server_deb" | cut -f1)); depends: $(dpkg-deb -f "$server_deb" Depends)"

remove() {
  for p in dose-desk dosedesk-server; do
    if dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q "install ok installed"; then
      $SUDO apt-get purge -y -qq $p >/dev/null || echo "package: could not remove $p"
    fi
  done
  # The system user the server's package made (Debian's policy keeps it on
  # purge; this machine is not a server).
  if getent passwd dosedesk >/dev/null; then $SUDO deluser --system --quiet dosedesk || true; fi
}
trap remove EXIT
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "./$deb"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "./$server_deb"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /lib/systemd/system/dosedesk-server.service
else
  echo "package: systemd-analyze not on this machine: the unit's syntax is not verified"
fi
# Both `installed` tests (the app's in dosedesk-e2e, the server's in
# dosedesk-server) in one workspace-wide run: with `-p` cargo resolves other
# features and compiled dosedesk-core twice more.
DOSEDESK_APP=/usr/bin/dosedesk xvfb-run -a -s "-screen 0 1400x900x24" \
  cargo test --locked --workspace --test installed -- --ignored
