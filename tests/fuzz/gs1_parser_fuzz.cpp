// libFuzzer target for the GS1 interpretation (terminal/scan). Byte 0 picks the options (bit 0:
// '^' stands for GS; the rest: "today", which moves the century window); the remaining bytes
// are the scan. Beyond "no crash, no UB, no leak" it checks that an accepted scan writes back
// to the bracketed form, the raw element string and a Digital Link URI that read the same.

#include "scan/Gs1Parser.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace backfill;
using namespace backfill::scan;

namespace {

void check(bool condition)
{
    if (!condition) std::abort();
}

std::vector<Element> sortedByAi(std::vector<Element> v)
{
    std::stable_sort(v.begin(), v.end(), [](const Element& a, const Element& b) { return a.ai < b.ai; });
    return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1) return 0;
    ParseOptions options;
    options.gsSubstitute = (data[0] & 1) ? '^' : 0;
    options.today = ledger::Date{10957 + (data[0] >> 1) * 400};  // from 2000-01-01 on
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

    const auto r = parseScan(input, options);
    if (!r) {
        check(!r.error().code.empty() && !r.error().message.empty());
        return 0;
    }
    check(r->scan == input);
    check(!r->elements.empty());

    const auto hri = parseScan(toBracketed(r->elements), options);
    check(hri.has_value() && hri->elements == r->elements);

    const bool allKnown = std::all_of(r->elements.begin(), r->elements.end(), [](const Element& e) { return e.known; });
    if (allKnown) {
        const auto raw = parseScan("]C1" + toElementString(r->elements), options);
        check(raw.has_value() && raw->elements == r->elements);
    }

    if (const auto uri = toDigitalLink(r->elements)) {
        const auto dl = parseScan(*uri, options);
        check(dl.has_value() && sortedByAi(dl->elements) == sortedByAi(r->elements));
    }
    return 0;
}
