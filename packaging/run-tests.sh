#!/bin/sh
# run-tests.sh: install the Debian packages, build with AddressSanitizer + UBSan and the
# libFuzzer targets, and run every test. Ends with ctest's summary; fails if any test fails.
set -eu
cd "$(dirname "$0")/.."
sh packaging/install-deps.sh
BUILD=${BACKFILL_TEST_BUILD:-build-asan}
# -Og -g1: sanitizer builds compile much faster than at -O2 -g and still give line numbers;
# -Og keeps most of -O1's code quality at about half its compile time under ASan + UBSan
# (backfill_server's largest unit: 75 s at -O1, 40 s at -Og).
# Unity build: the sources of a target are compiled up to 8 in one translation unit, so the
# headers and templates they share (nlohmann/json above all) are compiled once per unit; it
# halves the build's CPU time, which is most of CI's 20 minutes on 2 cores. The README's
# release build compiles file by file, so a missing #include still shows there.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-Og -g1" \
  -DCMAKE_UNITY_BUILD=ON -DBACKFILL_SANITIZE=ON -DBACKFILL_FUZZ=ON >/dev/null
cmake --build "$BUILD" -j "$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Tests wait on fsync and child processes more than on the CPU: run twice as many as cores.
exec ctest --test-dir "$BUILD" --output-on-failure -j "$(( $(nproc) * 2 ))"
