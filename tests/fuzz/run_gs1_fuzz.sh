#!/bin/bash
# Builds the GS1 parser fuzz target with clang++-14 (libFuzzer + ASan + UBSan; the rest of the
# build uses g++) from the library sources, seeds a corpus from gs1_seeds.txt and runs it for a
# bounded time. Any crash, sanitizer report, leak or broken round trip fails the run.
# usage: run_gs1_fuzz.sh SOURCE_DIR OUTPUT_DIR [SECONDS]
set -euo pipefail
# shellcheck source=fuzz_lib.sh
source "$(dirname "$0")/fuzz_lib.sh"
src=$1
out=$2
seconds=${3:-30}
mkdir -p "$out"

# Every source of the scan and ledger libraries (globbed like their CMakeLists.txt), so a new
# file there cannot break this build.
# Objects shared with the other fuzz targets of this build (fuzz_objects).
objects=$(fuzz_objects "$out/../objects" "$src/tests/fuzz/gs1_parser_fuzz.cpp" "$src"/terminal/scan/*.cpp "$src"/sync/ledger/*.cpp)
# shellcheck disable=SC2046,SC2086
clang++-14 $(fuzz_cxxflags "$src") -fsanitize=fuzzer $objects -o "$out/gs1_parser_fuzz"

# Each seed line becomes two inputs: option byte '0' (no GS substitute) and '1' ('^' = GS).
# Lines are printf %b strings, so \x1d is a GS.
corpus="$out/gs1_parser_corpus"
rm -rf "$corpus"
mkdir -p "$corpus"
n=0
while IFS= read -r line || [[ -n $line ]]; do
    [[ -z $line || $line == \#* ]] && continue
    printf '0%b' "$line" > "$corpus/seed-$n-a"
    printf '1%b' "$line" > "$corpus/seed-$n-b"
    n=$((n + 1))
done < "$src/tests/fuzz/gs1_seeds.txt"
echo "seeded $n vectors"

run_fuzzer "$out" gs1_parser "$seconds" 512
