#!/usr/bin/env bash
# The package test: bundles the debug build `make test` already has into a
# .deb with the Tauri bundler, installs it with apt as a health unit's IT
# would, runs the installed /usr/bin/dosedesk through WebDriver under Xvfb
# (tests/installed.rs), and removes the package again, whatever happened.
#
#   tests/package.sh            (from the project root; make test runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
tauri=packaging/node_modules/.bin/tauri
[ -x "$tauri" ] || { echo "package: $tauri missing: run make packaging/node_modules"; exit 1; }

if dpkg-query -W -f='${Status}' dose-desk 2>/dev/null | grep -q "install ok installed"; then
  echo "package: dose-desk is already installed on this machine; refusing to replace it"
  exit 1
fi
# The debug build names the debug CLI; make package bundles the release one.
config='{"bundle":{"linux":{"deb":{"files":{"/usr/bin/dosedesk-cli":"../target/debug/dosedesk-cli"}}}}}'
(cd src-tauri && "../$tauri" build --ci --debug --bundles deb --config "$config" -- --locked)
deb=$(ls -t target/debug/bundle/deb/DoseDesk_*_amd64.deb | head -1)
echo "package: $deb ($(du -h "$deb" | cut -f1)); depends: $(dpkg-deb -f "$deb" Depends)"

trap '$SUDO apt-get remove -y -qq dose-desk >/dev/null || echo "package: could not remove dose-desk"' EXIT
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "./$deb"
DOSEDESK_APP=/usr/bin/dosedesk xvfb-run -a -s "-screen 0 1400x900x24" \
  cargo test --locked -p dosedesk-e2e --test installed -- --ignored
