#include "ledger/Decimal.h"

namespace backfill::ledger {

Result<Decimal> parseDecimal(std::string_view text)
{
    if (text.empty()) return fail("bad_number", "a value is required");
    const size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    auto digits = [](std::string_view s) {
        for (const char c : s)
            if (c < '0' || c > '9') return false;
        return true;
    };
    if (whole.empty() || !digits(whole) || !digits(frac) || (dot != std::string_view::npos && frac.empty()))
        return fail("bad_number", "is not a decimal number; write digits with an optional point, like 12.50");
    if (frac.size() > 4) return fail("bad_number", "has more than 4 decimals");
    int64_t w = 0;
    for (const char c : whole) {
        w = w * 10 + (c - '0');
        if (w > kMaxDecimalWhole) return fail("bad_number", "is too large; the most is " + std::to_string(kMaxDecimalWhole));
    }
    int64_t f = 0;
    for (size_t i = 0; i < 4; ++i) f = f * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    return Decimal{w * kDecimalScale + f};
}

std::string formatDecimal(Decimal d, int minDecimals)
{
    const bool negative = d.scaled < 0;
    // Via unsigned so that the most negative value has a magnitude too.
    const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(d.scaled) : static_cast<uint64_t>(d.scaled);
    std::string frac = std::to_string(magnitude % kDecimalScale);
    frac = std::string(4 - frac.size(), '0') + frac;
    while (static_cast<int>(frac.size()) > minDecimals && frac.back() == '0') frac.pop_back();
    std::string out = (negative ? "-" : "") + std::to_string(magnitude / kDecimalScale);
    if (!frac.empty()) out += "." + frac;
    return out;
}

} // namespace backfill::ledger
