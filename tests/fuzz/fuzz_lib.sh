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

# The flags every fuzz target's own sources are compiled with (ZX_USE_UTF8 and stb's folder
# only matter to the image sources; the others compile the same with them). -O0: in CI the
# clang builds of the four targets were most of the test phase's CPU (the CSV target's store
# and ledger: 168 CPU-s at -O1, 85 at -O0); the targets run slower per input, and each still
# runs its 30 s under ASan + UBSan with the same coverage feedback.
fuzz_cxxflags() {
    local src=$1
    echo "-std=c++20 -O0 -gline-tables-only -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
        "-DZX_USE_UTF8 -I$src/terminal -I$src/sync -I/usr/include/stb"
}

# fuzz_compile_one OBJECT SOURCE FLAGS...: compiles SOURCE to OBJECT unless OBJECT is newer
# than the source and every header its last compile read (OBJECT.d), under a lock, so two
# targets that need it at once compile it once.
fuzz_compile_one() {
    local obj=$1 source=$2
    shift 2
    (
        flock 9
        if [[ -f $obj && -f $obj.d ]]; then
            local stale=0 dep
            for dep in $(sed -e 's/\\$//' -e 's/^[^:]*://' "$obj.d"); do
                if [[ ! -e $dep || $dep -nt $obj ]]; then stale=1; break; fi
            done
            [[ $stale == 0 ]] && exit 0
        fi
        clang++-14 "$@" -MMD -MF "$obj.d" -c "$source" -o "$obj.tmp" && mv "$obj.tmp" "$obj"
    ) 9>"$obj.lock"
}
export -f fuzz_compile_one

# fuzz_objects OBJDIR SOURCES...: compiles the sources with fuzz_cxxflags and the coverage
# instrumentation of libFuzzer into OBJDIR, as many at once as there are cores, and prints the
# objects in order. OBJDIR is shared by the targets of one build (tests/fuzz/CMakeLists.txt),
# so the ledger and scan sources that three targets link are compiled once, not three times.
#
# Like the CMake build of the tests (packaging/run-tests.sh, CMAKE_UNITY_BUILD), the sources
# of one folder are compiled together, up to kFuzzUnity of them in one translation unit (a
# unit_*.cpp that includes them): the headers and the templates they share are compiled once
# per unit, not once per file, which halves the CPU time of these builds. A unit is named by
# its list of sources, so two targets that list the same sources share its object.
kFuzzUnity=8
fuzz_objects() {
    local objdir=$1
    shift
    mkdir -p "$objdir"
    # Split on spaces in the child: the flags hold no path with a space in it.
    FUZZ_OBJECT_FLAGS="$(fuzz_cxxflags "$src") -fsanitize=fuzzer-no-link"
    export FUZZ_OBJECT_FLAGS
    local units=() group=() dir="" s
    flush_unit() {
        [[ ${#group[@]} == 0 ]] && return
        local list unit
        list=$(printf '#include "%s"\n' "${group[@]}")
        unit="$objdir/unit_$(printf '%s' "$list" | md5sum | cut -c1-16).cpp"
        # Written only when new, so its time stays older than its object.
        [[ -f $unit ]] || { printf '%s' "$list" > "$unit.tmp" && mv "$unit.tmp" "$unit"; }
        units+=("$unit")
        group=()
    }
    for s in "$@"; do
        if [[ $(dirname "$s") != "$dir" || ${#group[@]} == "$kFuzzUnity" ]]; then
            flush_unit
            dir=$(dirname "$s")
        fi
        group+=("$s")
    done
    flush_unit
    for s in "${units[@]}"; do printf '%s\0%s\0' "${s%.cpp}.o" "$s"; done |
        xargs -0 -n 2 -P "$(nproc)" bash -c 'fuzz_compile_one "$1" "$2" $FUZZ_OBJECT_FLAGS' _
    for s in "${units[@]}"; do echo "${s%.cpp}.o"; done
}
