# fuzz_lib.sh: sourced by the run_*_fuzz.sh scripts.
# run_fuzzer OUT NAME SECONDS MAX_LEN [LIBFUZZER FLAGS...] runs $OUT/NAME_fuzz for a bounded time
# on $OUT/NAME_corpus, with new corpus entries in $OUT/NAME_work and findings as $OUT/crash-*.
# Any crash, sanitizer report, leak or timeout fails the run.
run_fuzzer() {
    local out=$1 name=$2 seconds=$3 max_len=$4
    shift 4
    local work="$out/${name}_work"
    rm -rf "$work"
    mkdir -p "$work"
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$out/${name}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" "$@" \
        -artifact_prefix="$out/" -print_final_stats=1 "$work" "$out/${name}_corpus"
}
