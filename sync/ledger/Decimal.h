#pragma once
// Decimal amounts written by people (a unit cost "12.50", a promotion factor "1.5"), held
// exactly as whole numbers of ten-thousandths: no binary floating point touches a cost or a
// reorder point (docs/backoffice.md).

#include "ledger/Result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace backfill::ledger {

// kDecimalScale: a Decimal's `scaled` value counts 1/kDecimalScale units (4 decimals).
inline constexpr int64_t kDecimalScale = 10000;
// kMaxDecimalWhole is the largest whole part accepted (keeps products of amounts in 128 bits).
inline constexpr int64_t kMaxDecimalWhole = 1'000'000'000'000;

struct Decimal {
    int64_t scaled = 0; // value x kDecimalScale
    friend auto operator<=>(const Decimal&, const Decimal&) = default;
};

// parseDecimal reads digits with an optional '.' and 1-4 decimals ("12", "1.5", "0.0125");
// no sign, no exponent, no thousands separator. Fails with bad_number; the message says what
// is wrong without repeating the text (the caller names the field and the value).
Result<Decimal> parseDecimal(std::string_view text);

// formatDecimal writes the value with at least `minDecimals` decimals and no trailing zeros
// beyond them: {15000} -> "1.50", {125} -> "0.0125", {20000} -> "2.00".
std::string formatDecimal(Decimal d, int minDecimals = 2);

} // namespace backfill::ledger
