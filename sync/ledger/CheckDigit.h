#pragma once
// GS1 mod-10 check digits. GS1 General Specifications 7.9.1 (standard check digit
// calculation for GS1 data structures): weights 3 and 1 alternate from the rightmost data
// digit (the one next to the check digit), the check digit brings the sum to a multiple of 10.

#include <optional>
#include <string_view>

namespace backfill::ledger {

// gs1CheckDigit computes the check digit for `data` (all digits, without the check digit);
// -1 when `data` holds a non-digit or is empty.
int gs1CheckDigit(std::string_view data);

// hasValidCheckDigit is true when `key` is all digits and its last digit is the GS1 check
// digit of the ones before it.
bool hasValidCheckDigit(std::string_view key);

// isGtin is true for an 8, 12, 13 or 14 digit string with a valid check digit.
bool isGtin(std::string_view text);

// toGtin14 left-pads a valid GTIN-8/12/13/14 with zeros to 14 digits; nullopt otherwise.
std::optional<std::string> toGtin14(std::string_view text);

// isSscc is true for an 18 digit string with a valid check digit (GS1 GS 2.2.1).
bool isSscc(std::string_view text);

} // namespace backfill::ledger
