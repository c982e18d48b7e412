#!/bin/sh
# install-deps.sh installs every Debian 12 package Backfill needs to build, run and test.
# It is idempotent: packages already present are skipped by apt-get. Run as root.
set -eu
PACKAGES="
  build-essential cmake ninja-build pkg-config git
  libsqlite3-dev sqlite3 libsodium-dev libcurl4-openssl-dev
  libzxing-dev libstb-dev libturbojpeg0-dev
  libnng-dev libmbedtls-dev openssl
  libimgui-dev libglfw3-dev libgl-dev libasound2-dev
  doctest-dev libbenchmark-dev
  fonts-dejavu-core
  clang-14 libclang-rt-14-dev
  zint zbar-tools imagemagick
  xvfb xdotool x11-utils
  python3 nlohmann-json3-dev libcli11-dev libfmt-dev
  protobuf-compiler libprotobuf-dev
"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
fi
