#pragma once
// JSON shapes of an interpreted scan, shared by `parse` and `decode`.

#include "app/Json.h"
#include "ledger/Result.h"
#include "scan/Gs1Parser.h"

#include <string_view>

namespace backfill::app {

// elementsJson gives the "elements" array: {"ai","value"} plus "known":false for an AI not in
// the table, and "date", "end_date", "time", "decimal", "currency" when the AI has them.
Json elementsJson(const scan::Gs1Scan& scan);

// scanResultJson gives the full line of one scan:
// {"scan","ok":true,"kind","symbology","elements","warnings"} or
// {"scan","ok":false,"code","error"}.
Json scanResultJson(std::string_view input, const ledger::Result<scan::Gs1Scan>& result);

} // namespace backfill::app
