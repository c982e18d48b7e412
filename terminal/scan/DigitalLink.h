#pragma once
// GS1 Digital Link URIs (GS1 Digital Link Standard: URI Syntax, release 1.4): reading the AI
// data out of one, and percent-encoding for writing one (toDigitalLink in Gs1Parser.h).

#include "scan/Gs1Parser.h"

#include <string>
#include <string_view>
#include <vector>

namespace backfill::scan {

// parseDigitalLink reads `uri` ("http://" or "https://", any domain, any path prefix) into
// elements: the primary key and its key qualifiers from the path, then the AI data attributes
// of the query in their order. A GTIN key of 8, 12 or 13 digits is normalised to 14. Query
// parameters whose name is not 2-4 digits are ignored; a numeric name that is not in the table
// is kept as an unknown AI. Errors: not_gs1 (no primary key in the path), bad_digital_link
// (no domain, bad %-escape, qualifier out of place), unknown_ai, and those of makeElement.
ledger::Result<std::vector<Element>> parseDigitalLink(std::string_view uri, ledger::Date today);

// percentDecode decodes %XX escapes; fails with bad_digital_link on a malformed escape.
ledger::Result<std::string> percentDecode(std::string_view text);

// percentEncode escapes every byte outside the URI unreserved set (RFC 3986 2.3).
std::string percentEncode(std::string_view text);

} // namespace backfill::scan
