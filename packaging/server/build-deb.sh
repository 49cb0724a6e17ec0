#!/usr/bin/env bash
# Builds the server's .deb with dpkg-deb, Debian's own packaging tool: the
# binary, its systemd unit, its settings (a conffile, so an upgrade never
# overwrites a unit's edits) and the scripts that create its system user.
#
#   packaging/server/build-deb.sh PATH/TO/dosedesk-server OUT_DIR
set -euo pipefail
bin=${1:?path to the dosedesk-server binary}
out=${2:?output directory}
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/../../Cargo.toml" | head -1)
stage=$(mktemp -d "${TMPDIR:-/tmp}/dosedesk-server-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"

install -D -m 755 "$bin" "$stage/usr/bin/dosedesk-server"
install -D -m 644 "$here/dosedesk-server.service" "$stage/lib/systemd/system/dosedesk-server.service"
install -D -m 640 "$here/server.env" "$stage/etc/dosedesk/server.env"
install -D -m 644 "$here/README.Debian" "$stage/usr/share/doc/dosedesk-server/README.Debian"
mkdir -p "$stage/DEBIAN"
install -m 755 "$here/postinst" "$here/prerm" "$here/postrm" "$stage/DEBIAN/"
echo /etc/dosedesk/server.env >"$stage/DEBIAN/conffiles"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: dosedesk-server
Version: $version
Architecture: amd64
Maintainer: DoseDesk
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: libc6 (>= 2.34), libssl3, libstdc++6, libgcc-s1, adduser
Recommends: postgresql (>= 15)
Section: misc
Priority: optional
Description: DoseDesk central copy: the sync server for a health unit's laptops
 Keeps the unit's central copy of clinic schedules, bookings and dose counts
 in PostgreSQL and serves the DoseDesk laptops' syncs over HTTPS, with
 each laptop's role (manager, clinic, official) enforced.
CONTROL
mkdir -p "$out"
dpkg-deb --root-owner-group --build "$stage" "$out/dosedesk-server_${version}_amd64.deb" >/dev/null
echo "$out/dosedesk-server_${version}_amd64.deb"
