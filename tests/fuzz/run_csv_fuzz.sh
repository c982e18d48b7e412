#!/bin/bash
# Builds the CSV import fuzz target with clang++-14 (libFuzzer + ASan + UBSan) from the ledger
# and store sources (Debian's SQLite linked as the terminal links it), seeds a corpus from
# csv_seeds/ and runs it for a bounded time. Any crash, sanitizer report, leak or broken
# contract fails the run.
# usage: run_csv_fuzz.sh SOURCE_DIR OUTPUT_DIR [SECONDS]
set -euo pipefail
# shellcheck source=fuzz_lib.sh
source "$(dirname "$0")/fuzz_lib.sh"
src=$1
out=$2
seconds=${3:-30}
mkdir -p "$out"

# Every source of the libraries (globbed like their CMakeLists.txt), so a new file there
# cannot break this build.
# Objects shared with the other fuzz targets of this build (fuzz_objects).
objects=$(fuzz_objects "$out/../objects" "$src/tests/fuzz/csv_import_fuzz.cpp" "$src"/terminal/store/*.cpp \
    "$src"/sync/ledger/*.cpp "$src"/sync/pin/*.cpp "$src"/sync/protocol/LogStock.cpp)
# shellcheck disable=SC2046,SC2086
clang++-14 $(fuzz_cxxflags "$src") -fsanitize=fuzzer $objects -lsqlite3 -lsodium -pthread -o "$out/csv_import_fuzz"

# Each seed (csv_seeds/KIND-*.csv) becomes two inputs: byte 0 = the kind, parse only; and
# the kind + 4, also applied to a store (see csv_import_fuzz.cpp).
corpus="$out/csv_import_corpus"
rm -rf "$corpus"
mkdir -p "$corpus"
n=0
for seed in "$src"/tests/fuzz/csv_seeds/*.csv; do
    name=$(basename "$seed")
    case $name in
    catalog-*) kind=0 ;;
    locations-*) kind=1 ;;
    backorders-*) kind=2 ;;
    inbound-*) kind=3 ;;
    reasons-*) kind=8 ;;
    *) echo "$name: the name must start with catalog-, locations-, backorders-, inbound- or reasons-" >&2; exit 2 ;;
    esac
    # byte 0 as an escape (\\xNN) that the outer printf turns into the byte
    { printf "$(printf '\\x%02x' "$kind")"; cat "$seed"; } > "$corpus/$name-parse"
    { printf "$(printf '\\x%02x' "$((kind + 4))")"; cat "$seed"; } > "$corpus/$name-store"
    n=$((n + 1))
done
echo "seeded $n files"

run_fuzzer "$out" csv_import "$seconds" 4096
