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
// of the query in their order. A GTIN key or (01) attribute of 8, 12 or 13 digits is
// normalised to 14. Query parameters whose name is not all digits are ignored. `offset` is
// where `uri` starts in the scan, for the positions in messages. Errors:
//  - not_gs1: no primary key in the path;
//  - bad_digital_link: a character outside RFC 3986, no domain or a bad character in it, an
//    empty path segment after the key or a trailing '/', a bad %-escape, a qualifier out of
//    place, a key qualifier in the query, a query AI that is not a data attribute;
//  - unknown_ai: a numeric query parameter that is not a known AI;
//  - duplicate_ai: the same AI twice, even with the same value;
//  - and those of makeElement.
ledger::Result<std::vector<Element>> parseDigitalLink(std::string_view uri, ledger::Date today, size_t offset = 0);

// percentDecode decodes %XX escapes, and '+' to a space when `plusIsSpace` (query values);
// fails with bad_digital_link on a malformed escape.
ledger::Result<std::string> percentDecode(std::string_view text, bool plusIsSpace = false);

// keyQualifiersAllowed is true when `quals` is an ordered selection of one alternative of
// `spec` ("22,10,21|235", AiEntry::dlQualifiers): GS1 Digital Link URI Syntax, key qualifiers
// keep their order and come from one alternative.
bool keyQualifiersAllowed(std::string_view spec, const std::vector<std::string>& quals);

// percentEncode escapes every byte outside the URI unreserved set (RFC 3986 2.3).
std::string percentEncode(std::string_view text);

} // namespace backfill::scan
