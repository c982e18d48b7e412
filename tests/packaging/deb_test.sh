#!/bin/sh
# deb_test.sh BUILD_DIR VERSION (issue 13 item 6): `cpack -G DEB` in the build directory, with
# no other options, writes both packages there; their contents and control fields are what
# docs/deployment.md says; extracted into a temporary root, each binary runs `--version`.
set -eu
build=$1
version=$2
cd "$build"
rm -f backfill_*.deb backfilld_*.deb
cpack -G DEB >cpack.log 2>&1 || { cat cpack.log; echo "cpack failed"; exit 1; }
arch=$(dpkg --print-architecture)
terminal="backfill_${version}_${arch}.deb"
server="backfilld_${version}_${arch}.deb"
for deb in "$terminal" "$server"; do
    [ -f "$deb" ] || { ls -- *.deb; echo "missing $deb"; exit 1; }
done

fail() { echo "FAIL: $*"; exit 1; }
has() { # has DEB PATH: the package lists PATH
    dpkg-deb -c "$1" | awk '{print $6}' | grep -qx "$2" || { dpkg-deb -c "$1"; fail "$1 lacks $2"; }
}
has "$terminal" ./usr/bin/backfill
has "$terminal" ./usr/share/applications/backfill.desktop
has "$terminal" ./usr/share/backfill/assets/reasons.csv
has "$terminal" ./usr/share/backfill/assets/demo/catalog.csv
has "$server" ./usr/bin/backfilld
has "$server" ./lib/systemd/system/backfilld.service
has "$server" ./etc/backfill/backfilld.toml
# The terminal's package holds nothing of the server's, and the other way round.
dpkg-deb -c "$terminal" | grep -q backfilld && fail "$terminal holds backfilld files"
dpkg-deb -c "$server" | grep -q 'bin/backfill$' && fail "$server holds the terminal binary"

field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$terminal" Package)" = backfill ] || fail "terminal package name: $(field "$terminal" Package)"
[ "$(field "$server" Package)" = backfilld ] || fail "server package name: $(field "$server" Package)"
[ "$(field "$terminal" Version)" = "$version" ] || fail "version: $(field "$terminal" Version)"
field "$terminal" Depends | grep -q 'fonts-dejavu-core' || fail "backfill does not depend on fonts-dejavu-core: $(field "$terminal" Depends)"
field "$terminal" Depends | grep -q 'libsqlite3-0' || fail "backfill's shared libraries are not in Depends: $(field "$terminal" Depends)"
field "$server" Depends | grep -q 'adduser' || fail "backfilld does not depend on adduser: $(field "$server" Depends)"
field "$server" Depends | grep -q 'libnng1' || fail "backfilld's shared libraries are not in Depends: $(field "$server" Depends)"
# The server's settings are a conffile; its postinst makes the system user.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -e "$server" "$tmp/control"
grep -qx '/etc/backfill/backfilld.toml' "$tmp/control/conffiles" || fail "backfilld.toml is not a conffile"
grep -q 'adduser --system' "$tmp/control/postinst" || fail "postinst does not add the system user"

# Extracted into a temporary root, each binary runs.
dpkg-deb -x "$terminal" "$tmp/root"
dpkg-deb -x "$server" "$tmp/root"
grep -q '^ExecStart=/usr/bin/backfilld --config /etc/backfill/backfilld.toml serve$' "$tmp/root/lib/systemd/system/backfilld.service" ||
    fail "the unit does not run backfilld with its settings"
grep -q '^User=backfill$' "$tmp/root/lib/systemd/system/backfilld.service" || fail "the unit does not run as user backfill"
out=$("$tmp/root/usr/bin/backfill" --version)
[ "$out" = "backfill $version" ] || fail "backfill --version printed '$out'"
out=$("$tmp/root/usr/bin/backfilld" --version)
[ "$out" = "backfilld $version" ] || fail "backfilld --version printed '$out'"
# The packaged settings file is one this backfilld accepts.
out=$("$tmp/root/usr/bin/backfilld" --config "$tmp/root/etc/backfill/backfilld.toml" --db "$tmp/check.db" device list)
[ "$out" = "[]" ] || fail "backfilld with the packaged settings printed '$out'"
rm -f "$terminal" "$server"
echo "ok: $terminal and $server"
