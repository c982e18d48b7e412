#pragma once
// Validation of single AI element strings against the AI table, and the checks that look at a
// scan's elements together (duplicates, association rules). Used by every input form of
// parseScan (Gs1Parser.h).

#include "scan/Gs1Parser.h"

#include <string>
#include <string_view>
#include <vector>

namespace backfill::scan {

// makeElement validates `value` as the data field of the known AI `ai` (length, character
// sets, check digits, dates, times, other content rules of the AI table) and fills the derived
// fields (date, time, decimal, currency, endDate). Errors: bad_length, bad_charset,
// check_digit, bad_date, bad_time, bad_value, unknown_ai (when `ai` is not in the table).
ledger::Result<Element> makeElement(std::string_view ai, std::string_view value, ledger::Date today);

// makeUnknownElement keeps an AI that is not in the table (known = false). Its value must be
// 1-90 characters of CSET 82, the widest data field of the GS1 syntax. Fails with unknown_ai
// when `ai` can not be an AI because it clashes with a known one ("310").
ledger::Result<Element> makeUnknownElement(std::string_view ai, std::string_view value);

// finishElements drops exact repeats of an element (same AI, same value), rejects the same AI
// with different values (duplicate_ai, GS1 GS 4.14.1) and appends to `warnings` every broken
// association rule: a required AI missing (4.14.2), an excluded pair present (4.14.1), or
// (8030) beside a GDTI, GCN or GRAI without its serial component.
ledger::Result<void> finishElements(std::vector<Element>& elements, std::vector<std::string>& warnings);

// resolveCentury gives the full year of a two-digit year YY by the GS1 sliding window
// relative to `today` (GS1 General Specifications 7.12).
int resolveCentury(int yy, ledger::Date today);

// describeChar writes a character for a message: 'A', or 0x1D when it is not printable.
std::string describeChar(char c);

} // namespace backfill::scan
