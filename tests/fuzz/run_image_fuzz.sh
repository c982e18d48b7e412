#!/bin/bash
# Builds the image fuzz target with clang++-14 (libFuzzer + ASan + UBSan) from the scan, image
# and ledger sources, with stb_image compiled in (instrumented) and Debian's libZXing and
# libturbojpeg linked as the terminal links them; seeds a corpus from image_seeds/ and runs it
# for a bounded time. Any crash, sanitizer report, leak, broken contract or single allocation
# over 512 MB fails the run.
# usage: run_image_fuzz.sh SOURCE_DIR OUTPUT_DIR [SECONDS]
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
objects=$(fuzz_objects "$out/../objects" "$src/tests/fuzz/image_fuzz.cpp" "$src/tests/fuzz/stb_image_impl.cpp" \
    "$src"/terminal/scan/image/*.cpp "$src"/terminal/scan/*.cpp "$src"/sync/ledger/*.cpp)
# shellcheck disable=SC2046,SC2086
clang++-14 $(fuzz_cxxflags "$src") -fsanitize=fuzzer $objects -lZXing -lturbojpeg -pthread -o "$out/image_fuzz"

# Each seed file becomes two inputs (byte 0 = options, see image_fuzz.cpp): 0x1c = warehouse
# formats with retries, findAll and the second look; 0x33 = every format, a JPEG read as a
# camera frame, confirmLinear on, no retries.
corpus="$out/image_corpus"
rm -rf "$corpus"
mkdir -p "$corpus"
n=0
for seed in "$src"/tests/fuzz/image_seeds/*; do
    name=$(basename "$seed")
    { printf '\x1c'; cat "$seed"; } > "$corpus/$name-a"
    { printf '\x33'; cat "$seed"; } > "$corpus/$name-b"
    n=$((n + 1))
done
echo "seeded $n files"

run_fuzzer "$out" image "$seconds" 8192 -malloc_limit_mb=512
