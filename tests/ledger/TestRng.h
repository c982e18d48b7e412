#pragma once
// Lcg is a tiny deterministic generator for the property tests: the same seed gives the same
// random texts on every platform and standard library.

#include <cstddef>
#include <cstdint>

namespace backfill::test {

struct Lcg {
    uint64_t state;
    uint32_t next()
    {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<uint32_t>(state >> 33);
    }
    size_t below(size_t n) { return next() % n; }
};

} // namespace backfill::test
