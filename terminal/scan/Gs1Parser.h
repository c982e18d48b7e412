#pragma once
// GS1 interpretation of what a scanner delivers: element strings (with GS or a wedge's
// substitute), the bracketed human-readable form, plain GTIN/UPC/EAN and SSCC numbers and GS1
// Digital Link URIs, led or not by a symbology identifier. Pure: no I/O, no database.
// Choices and the list of error codes and warnings: docs/gs1.md.

#include "ledger/Date.h"
#include "ledger/Result.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backfill::scan {

// kGs is the ASCII group separator that stands for FNC1 in transmitted GS1 data
// (GS1 General Specifications 7.8.4).
inline constexpr char kGs = '\x1d';

// Element is one AI element string of a scan.
struct Element {
    std::string ai;                      // "01", "3103", ...
    std::string value;                   // the raw field value
    bool known = true;                   // false: AI not in the table (kept only when its length can be known)
    std::optional<std::string> date;     // YYYY-MM-DD for date AIs (first date of (7007))
    std::optional<std::string> time;     // HH:MM for date-time AIs
    std::optional<std::string> decimal;  // exact decimal string for 310n-369n, 390n-395n
    std::optional<std::string> currency; // ISO 4217 numeric code of (391n), (393n)
    std::optional<std::string> endDate;  // YYYY-MM-DD: end of the harvest period of (7007)

    friend bool operator==(const Element&, const Element&) = default;
};

enum class ScanKind { ElementString, Gtin, Sscc, DigitalLink, Hri };

// scanKindName gives "element_string", "gtin", "sscc", "digital_link" or "hri".
std::string_view scanKindName(ScanKind);

struct Gs1Scan {
    std::string scan;                      // the input as given
    ScanKind kind = ScanKind::ElementString;
    std::optional<std::string> symbology;  // "]C1", "]E0", ... or nullopt
    std::vector<Element> elements;
    std::vector<std::string> warnings;     // association rules broken (GS1 GS 4.14)
    const Element* find(std::string_view ai) const;   // nullptr when absent
};

struct ParseOptions {
    // A wedge scanner's stand-in for GS in element strings; 0: none (raw 0x1D always works).
    // Choose one outside CSET 82 and CSET 39 ('^', '~', '|', '@', '$'): it is never data then.
    char gsSubstitute = 0;
    ledger::Date today;     // the century of YYMMDD dates is chosen relative to it (GS1 GS 7.12)
};

// parseScan interprets what a scanner delivers. Classification, in this order:
//  - a symbology identifier "]Xm": ]C1 ]e0 ]d2 ]Q3 ]J1 lead a GS1 element string; ]E0 + 8
//    digits is UPC-E, ]E0 + 12/13 digits a GTIN, ]E4 an EAN-8; any other identifier leads
//    plain data of its symbology, read like input without identifier except that it can not
//    be an element string;
//  - "(" starts the bracketed human-readable form;
//  - "http://" or "https://" starts a GS1 Digital Link URI;
//  - 8 digits: EAN-8 when its check digit holds, else UPC-E (expanded to UPC-A); 12, 13 or 14
//    digits: a GTIN; 18 digits: an SSCC. These come back as (01) with the GTIN-14 / (00);
//  - other text that starts with a known AI: an element string;
//  - anything else fails with `not_gs1`.
// Errors carry `code` check_digit, bad_date, bad_time, bad_length, bad_charset, bad_value,
// unknown_ai, duplicate_ai, truncated, bad_digital_link or not_gs1, and a message naming the
// AI, e.g. "(01): check digit is 4, expected 3".
ledger::Result<Gs1Scan> parseScan(std::string_view input, const ParseOptions& options);

// toBracketed writes "(01)09501101530003(10)LOT7": the human-readable form
// (GS1 GS 4.15). A '(' inside a value is written "\(" so the text reads back unambiguously.
std::string toBracketed(const std::vector<Element>& elements);

// toElementString writes the AI element strings concatenated, with `gs` after every field
// whose length is not predefined (Figure 7.8.5-2) unless it is the last (GS1 GS 7.8.5).
std::string toElementString(const std::vector<Element>& elements, char gs = kGs);

// toDigitalLink writes a GS1 Digital Link URI on `base` (no trailing '/'): the first element
// that is a Digital Link primary key and its key qualifiers in the path, every other element as
// a query attribute, values %-encoded; of the key's qualifier alternatives the one placing the
// most in the path that leaves only data attributes for the query. Fails with `no_primary_key`
// when no element can lead the path, and with `not_dl_attribute` when an element fits neither
// the path nor the query (an unknown AI, (21) beside an SSCC, (235) beside (01) and (22)):
// parseDigitalLink would refuse such a URI.
ledger::Result<std::string> toDigitalLink(const std::vector<Element>& elements,
                                          std::string_view base = "https://id.gs1.org");

// expandUpcE expands an 8-digit UPC-E (number system 0 or 1, six digits, check digit) to the
// 12-digit UPC-A it stands for (GS1 GS 5.2.2.4.2); nullopt for a malformed number system or
// non-digits. The check digit is carried over, not verified.
std::optional<std::string> expandUpcE(std::string_view upcE);

} // namespace backfill::scan
