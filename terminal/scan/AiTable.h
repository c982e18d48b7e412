#pragma once
// The GS1 Application Identifier table: every AI of the GS1 General Specifications (section 3,
// Figure 3.2-1) with the format of its data field, its character sets, the checks on its
// content, whether its length is predefined (Figure 7.8.5-2), its association rules (4.14) and
// its role in GS1 Digital Link. The facts follow the GS1 Barcode Syntax Dictionary; the table
// is written in our own format (AiTable.cpp).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace backfill::scan {

// Charset of one component of a data field. GS1 General Specifications 7.11:
// Numeric: digits 0-9; Cset82: Figure 7.11-1 (the "X" of the AI tables); Cset39: Figure 7.11-2;
// Cset64: Figure 7.11-3 (file-safe base64, used by (8030)); '=' only as final padding.
enum class Charset : uint8_t { Numeric, Cset82, Cset39, Cset64 };

// Lint is a content check applied to one component beyond charset and length.
enum class Lint : uint8_t {
    None,
    Csum,           // GS1 mod-10 check digit, 7.9.1
    CsumAlpha,      // check character pair of the GMN, 7.9.5
    Yymmd0,         // YYMMDD, DD = 00 allowed (last day of the month), 7.12
    Yymmdd,         // YYMMDD, a real day
    Yyyymmdd,       // YYYYMMDD, a real day
    Hh,             // hour 00-23
    Hhmi,           // hour 00-23, minute 00-59
    Mi,             // minute 00-59
    Ss,             // second 00-59
    Nonzero,        // not all zeros
    Zero,           // must be "0"
    Winding,        // 0, 1 or 9 (8001)
    PieceOfTotal,   // PPTT: piece 01..total, total 01..99 (8006, 8026)
    YesNo,          // 0 or 1
    Hyphen,         // "-"
    Latitude,       // 0000000000-1800000000 (4309), offset by 90 degrees
    Longitude,      // 0000000000-3600000000 (4309), offset by 180 degrees
    Pcenc,          // only valid %XX escapes (4300-4320 and 7253-7259)
    NoZeroPrefix,   // no leading zero unless the value is "0" (8011)
    MediaType,      // 01-10 or 80-99 (7241)
    PosInSeqSlash,  // "n/m" with 1 <= n <= m (7258)
    Iso5218,        // 0, 1, 2 or 9 (7252)
    HasNonDigit,    // at least one non-digit (8014)
    Iban,           // ISO 13616 structure and mod-97 check (8007)
    ImporterIdx,    // one of 0-9 A-Z a-z '-' '_' (the importer index of 7040)
};

// Component is one part of a data field: `minLen == maxLen` for a fixed part; a variable part
// ("N..20") has minLen 1 and is always the last mandatory or optional part.
struct Component {
    Charset charset = Charset::Numeric;
    uint8_t minLen = 0;  // 0 marks an unused slot
    uint8_t maxLen = 0;
    bool optional = false;
    std::array<Lint, 2> lints{Lint::None, Lint::None};
    bool used() const { return maxLen != 0; }
};

// Flags of an AI entry.
inline constexpr unsigned kPredefined = 1u;  // length predefined: no GS after it (7.8.5)
inline constexpr unsigned kKey = 2u;         // a GS1 identification key
inline constexpr unsigned kDlAttribute = 4u; // permitted as a Digital Link data attribute
inline constexpr unsigned kDlPrimary = 8u;   // a Digital Link primary key
inline constexpr unsigned kDecimal = 16u;    // last digit of the AI = decimals of the last part
inline constexpr unsigned kCurrency = 32u;   // first part is an ISO 4217 currency (391n, 393n)

// AiEntry describes one AI or a range of AIs of the same length (first..last).
struct AiEntry {
    std::string_view first;
    std::string_view last;
    unsigned flags = 0;
    std::array<Component, 6> parts{};
    // req: groups separated by ' ', each group a ','-list of alternatives, each alternative a
    // '+'-list of AIs or patterns ('n' = any digit) that must all be present. 4.14.2.
    std::string_view req;
    // ex: ','-list of AIs or patterns that must not appear with this AI. 4.14.1.
    std::string_view ex;
    // dlQualifiers: for a primary key, '|'-separated alternatives of ','-ordered key
    // qualifiers allowed in the Digital Link path.
    std::string_view dlQualifiers;
    std::string_view title;

    bool has(unsigned flag) const { return (flags & flag) != 0; }
    // minLength/maxLength of the whole data field.
    int minLength() const;
    int maxLength() const;
    // fixedLength is the data length when every part is fixed and mandatory; nullopt otherwise.
    std::optional<int> fixedLength() const;
};

// aiTable is every entry, in AI order.
std::span<const AiEntry> aiTable();

// findAi gives the entry of exactly this AI ("01", "3103"); nullptr when it is not an AI.
const AiEntry* findAi(std::string_view ai);

// aiAtStart gives the length (2-4) of the known AI that `data` starts with; 0 when none does.
// AIs are prefix-free, so at most one matches.
int aiAtStart(std::string_view data);

// clashesWithKnownAi is true when `code` (2-4 digits) is not an AI but is a prefix of one or
// starts with one ("310" or "0123"): such a code can never be a valid AI.
bool clashesWithKnownAi(std::string_view code);

// predefinedLength gives the total length (AI + data) from Figure 7.8.5-2 of the GS1 General
// Specifications for an AI whose first two digits are listed there; nullopt otherwise. Only
// these element strings end without a GS; fixed-length AIs such as (422), (7003) or (8001)
// are not in the figure and still need one.
std::optional<int> predefinedLength(std::string_view ai);

// matchesPattern is true when `ai` matches `pattern` ("310n", "31nn", "01").
bool matchesPattern(std::string_view ai, std::string_view pattern);

// charsetName gives "N", "CSET 82", "CSET 39" or "CSET 64".
std::string_view charsetName(Charset c);

// inCharset is true when `c` belongs to the character set.
bool inCharset(Charset set, char c);

} // namespace backfill::scan
