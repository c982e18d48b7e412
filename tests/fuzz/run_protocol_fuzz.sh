#!/bin/bash
# Builds the sync protocol decoder fuzz target with clang++-14 (libFuzzer + ASan + UBSan; the
# rest of the build uses g++) from sync/protocol and the protoc output of its wire.proto
# (generated here, like the CMake build does), seeds a corpus with every sample message
# (tests/protocol/samples.h, encoded by protocol_seeds) and runs it for a bounded time. Any
# crash, sanitizer report, leak or broken round trip fails the run.
# usage: run_protocol_fuzz.sh SOURCE_DIR OUTPUT_DIR [SECONDS]
set -euo pipefail
# shellcheck source=fuzz_lib.sh
source "$(dirname "$0")/fuzz_lib.sh"
src=$1
out=$2
seconds=${3:-30}
mkdir -p "$out/gen"

protoc --cpp_out="$out/gen" -I"$src/sync/protocol" "$src/sync/protocol/wire.proto"

# Every source of the protocol library (globbed, so a new file there cannot break this build;
# of the ledger it uses only the header ledger/Result.h), built once, instrumented for the
# fuzzer, and linked into both the fuzz target and the seed writer with Debian's
# libprotobuf-lite, as the library links it.
flags=(-std=c++20 -O0 -gline-tables-only -fsanitize=address,undefined -fno-sanitize-recover=undefined
    -I"$src/sync" -I"$src/tests" -I"$out/gen")
objects=()
for source in "$src"/sync/protocol/*.cpp "$out/gen/wire.pb.cc"; do
    object="$out/$(basename "$source" .cpp).o"
    clang++-14 "${flags[@]}" -fsanitize=fuzzer-no-link -c "$source" -o "$object"
    objects+=("$object")
done
clang++-14 "${flags[@]}" -fsanitize=fuzzer "$src/tests/fuzz/protocol_fuzz.cpp" "${objects[@]}" \
    -lprotobuf-lite -pthread -o "$out/protocol_fuzz"
clang++-14 "${flags[@]}" -fsanitize=fuzzer-no-link "$src/tests/fuzz/protocol_seeds.cpp" "${objects[@]}" \
    -lprotobuf-lite -pthread -o "$out/protocol_seeds"

corpus="$out/protocol_corpus"
rm -rf "$corpus"
mkdir -p "$corpus"
"$out/protocol_seeds" "$corpus"

# 8 KiB covers every seed many times over; the size limit itself (4 MiB) is a unit test.
run_fuzzer "$out" protocol "$seconds" 8192
