#include "scan/Gs1Element.h"

#include "ledger/CheckDigit.h"
#include "scan/AiTable.h"
#include "scan/ScanText.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace backfill::scan {

using ledger::fail;
using ledger::Result;

namespace {

using text::isDigit;


int number(std::string_view digits)
{
    int v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    return v;
}

std::string two(int v)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", v);
    return buf;
}

// Appended, not "(" + std::string(ai) + ")": GCC 12 at -O3 warns on that (-Wrestrict, a known
// false positive), as in the Release build the packages are made from.
std::string tag(std::string_view ai) { return std::string("(").append(ai).append(")"); }

std::string partSpec(const Component& p)
{
    std::string s(p.charset == Charset::Numeric ? "N" : p.charset == Charset::Cset39 ? "Y" : p.charset == Charset::Cset64 ? "Z" : "X");
    s += p.minLen == p.maxLen ? std::to_string(p.maxLen) : ".." + std::to_string(p.maxLen);
    return p.optional ? "[" + s + "]" : s;
}

// formatSpec writes the data field format the way the AI tables of the GS1 General
// Specifications do: "N6", "X..20", "N13 [X..17]".
std::string formatSpec(const AiEntry& e)
{
    std::string s;
    for (const auto& p : e.parts) {
        if (!p.used()) continue;
        if (!s.empty()) s += ' ';
        s += partSpec(p);
    }
    return s;
}

// Derived values collected while the parts of a field are checked.
struct Derived {
    std::optional<std::string> date, endDate, time;
    int hour = -1;
};

// checkDate validates YYMMDD or YYYYMMDD and gives YYYY-MM-DD. GS1 General Specifications
// 7.12: the century of YY by the sliding window; for the dates of 3.4.2-3.4.7 (format
// "yymmd0") DD = 00 means the last day of the month; other dates need a real day.
Result<std::string> checkDate(std::string_view ai, std::string_view v, Lint lint, ledger::Date today)
{
    const bool longYear = lint == Lint::Yyyymmdd;
    const size_t y = longYear ? 4 : 2;
    const int year = longYear ? number(v.substr(0, 4)) : resolveCentury(number(v.substr(0, 2)), today);
    const int month = number(v.substr(y, 2));
    int day = number(v.substr(y + 2, 2));
    const std::string shown = std::string(v);
    if (month < 1 || month > 12)
        return fail("bad_date", tag(ai) + ": month " + two(month) + " does not exist in date " + shown);
    if (day == 0) {
        if (lint != Lint::Yymmd0)
            return fail("bad_date", tag(ai) + ": day 00 is not allowed in date " + shown + " (only the dates (11)-(17) may use it)");
        day = ledger::daysInMonth(year, month);
    }
    const auto date = ledger::dateFromYmd(year, month, day);
    if (!date)
        return fail("bad_date", tag(ai) + ": " + std::to_string(year) + "-" + two(month) + "-" + two(day) +
                                    " does not exist (date " + shown + ")");
    return ledger::formatDate(*date);
}

// GS1 General Specifications 7.9.5: the check character pair of the GMN. Each data character
// is valued by its position in CSET 82 (Figure 7.11-1), weighted by the primes 83..2 aligned
// to the right; the sum modulo 1021 gives two characters of CSET 32.
std::optional<std::string> gmnCheckPair(std::string_view data)
{
    static constexpr std::string_view kCset82 =
        "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    static constexpr std::string_view kCset32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    static constexpr int kPrimes[] = {83, 79, 73, 71, 67, 61, 59, 53, 47, 43, 41, 37,
                                      31, 29, 23, 19, 17, 13, 11, 7,  5,  3,  2};
    constexpr size_t kMax = std::size(kPrimes);
    if (data.size() > kMax) return std::nullopt;
    long sum = 0;
    for (size_t i = 0; i < data.size(); ++i) {
        const auto v = kCset82.find(data[i]);
        if (v == std::string_view::npos) return std::nullopt;
        sum += static_cast<long>(v) * kPrimes[kMax - data.size() + i];
    }
    sum %= 1021;
    return std::string{kCset32[static_cast<size_t>(sum >> 5)], kCset32[static_cast<size_t>(sum & 31)]};
}

// ISO 13616 IBAN: two letters, two check digits, up to 30 alphanumerics; mod 97 of the
// rearranged number is 1.
bool validIban(std::string_view v)
{
    if (v.size() < 5) return false;
    for (size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        const bool upper = c >= 'A' && c <= 'Z';
        if (i < 2 ? !upper : i < 4 ? !isDigit(c) : !(upper || isDigit(c))) return false;
    }
    const std::string r = std::string(v.substr(4)) + std::string(v.substr(0, 4));
    int mod = 0;
    for (char c : r) {
        const int val = isDigit(c) ? c - '0' : c - 'A' + 10;
        mod = (val >= 10 ? mod * 100 + val : mod * 10 + val) % 97;
    }
    return mod == 1;
}

bool validPcenc(std::string_view v)
{
    auto hex = [](char c) { return isDigit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); };
    for (size_t i = 0; i < v.size(); ++i)
        if (v[i] == '%' && (i + 2 >= v.size() || !hex(v[i + 1]) || !hex(v[i + 2]))) return false;
    return true;
}

Result<void> badValue(std::string_view ai, std::string_view v, std::string_view what)
{
    return fail("bad_value", tag(ai) + ": '" + std::string(v) + "' " + std::string(what));
}

Result<void> applyLint(std::string_view ai, std::string_view v, Lint lint, ledger::Date today, Derived& d)
{
    switch (lint) {
    case Lint::None: return {};
    case Lint::Csum: {
        // GS1 General Specifications 7.9.1: every GS1 key carries a mod-10 check digit.
        const int expected = ledger::gs1CheckDigit(v.substr(0, v.size() - 1));
        if (expected != v.back() - '0')
            return fail("check_digit", tag(ai) + ": check digit is " + std::string(1, v.back()) + ", expected " +
                                           std::to_string(expected));
        return {};
    }
    case Lint::CsumAlpha: {
        const auto pair = v.size() >= 3 ? gmnCheckPair(v.substr(0, v.size() - 2)) : std::nullopt;
        if (!pair) return fail("check_digit", tag(ai) + ": '" + std::string(v) + "' has no valid check character pair");
        if (v.substr(v.size() - 2) != *pair)
            return fail("check_digit", tag(ai) + ": check characters are " + std::string(v.substr(v.size() - 2)) +
                                           ", expected " + *pair);
        return {};
    }
    case Lint::Yymmd0:
    case Lint::Yymmdd:
    case Lint::Yyyymmdd: {
        auto date = checkDate(ai, v, lint, today);
        if (!date) return ledger::unexpected(date.error());
        (d.date ? d.endDate : d.date) = std::move(*date);
        return {};
    }
    case Lint::Hh:
    case Lint::Hhmi: {
        const int hh = number(v.substr(0, 2));
        const int mi = lint == Lint::Hhmi ? number(v.substr(2, 2)) : 0;
        if (hh > 23 || mi > 59)
            return fail("bad_time", tag(ai) + ": '" + std::string(v) + "' is not a time of day (" +
                                        (lint == Lint::Hh ? "HH" : "HHMI") + ")");
        d.hour = hh;
        d.time = two(hh) + ":" + two(mi);
        return {};
    }
    case Lint::Mi:
    case Lint::Ss:
        if (number(v) > 59)
            return fail("bad_time", tag(ai) + ": '" + std::string(v) + "' is not a " +
                                        (lint == Lint::Mi ? "minute" : "second") + " (00-59)");
        if (lint == Lint::Mi && d.hour >= 0) d.time = two(d.hour) + ":" + std::string(v);
        return {};
    case Lint::Nonzero:
        if (std::all_of(v.begin(), v.end(), [](char c) { return c == '0'; })) return badValue(ai, v, "must not be zero");
        return {};
    case Lint::Zero:
        if (v != "0") return badValue(ai, v, "must be 0");
        return {};
    case Lint::Winding:
        if (v != "0" && v != "1" && v != "9") return badValue(ai, v, "is not a winding direction (0, 1 or 9)");
        return {};
    case Lint::PieceOfTotal: {
        const int piece = number(v.substr(0, 2));
        const int total = number(v.substr(2, 2));
        if (piece < 1 || total < 1 || piece > total) return badValue(ai, v, "is not piece PP of total TT (01 <= PP <= TT)");
        return {};
    }
    case Lint::YesNo:
        if (v != "0" && v != "1") return badValue(ai, v, "must be 0 or 1");
        return {};
    case Lint::Hyphen:
        if (v != "-") return badValue(ai, v, "must be '-'");
        return {};
    case Lint::Latitude:
        if (std::stoll(std::string(v)) > 1800000000LL) return badValue(ai, v, "is not a latitude (0000000000-1800000000)");
        return {};
    case Lint::Longitude:
        if (std::stoll(std::string(v)) > 3600000000LL) return badValue(ai, v, "is not a longitude (0000000000-3600000000)");
        return {};
    case Lint::Pcenc:
        if (!validPcenc(v)) return badValue(ai, v, "has a '%' that does not start a %XX escape");
        return {};
    case Lint::NoZeroPrefix:
        if (v.size() > 1 && v[0] == '0') return badValue(ai, v, "must not start with 0");
        return {};
    case Lint::MediaType: {
        const int t = number(v);
        if (!((t >= 1 && t <= 10) || t >= 80)) return badValue(ai, v, "is not an AIDC media type (01-10, 80-99)");
        return {};
    }
    case Lint::PosInSeqSlash: {
        const bool shape = v.size() == 3 && isDigit(v[0]) && v[1] == '/' && isDigit(v[2]);
        if (!shape || v[0] == '0' || v[0] > v[2]) return badValue(ai, v, "is not a position in a sequence n/m");
        return {};
    }
    case Lint::Iso5218:
        if (v != "0" && v != "1" && v != "2" && v != "9") return badValue(ai, v, "is not an ISO/IEC 5218 code (0, 1, 2, 9)");
        return {};
    case Lint::HasNonDigit:
        if (std::all_of(v.begin(), v.end(), isDigit)) return badValue(ai, v, "must hold a non-digit");
        return {};
    case Lint::Iban:
        if (!validIban(v)) return badValue(ai, v, "is not a valid IBAN");
        return {};
    case Lint::ImporterIdx:
        // GS1 General Specifications 3.8, AI (7040): the importer index is one character of
        // 0-9, A-Z, a-z, '-' or '_' (CSET 64 without its padding).
        if (v.size() != 1 || !inCharset(Charset::Cset64, v[0]) || v[0] == '=')
            return badValue(ai, v, "is not an importer index (0-9, A-Z, a-z, '-' or '_')");
        return {};
    }
    return {};
}

// decimalOf writes the digits with `decimals` implied decimals: ("001250", 3) -> "1.250".
// GS1 General Specifications 3.6.2: the last digit of the AI gives the decimal point position.
std::string decimalOf(std::string_view digits, int decimals)
{
    std::string padded(digits);
    if (static_cast<int>(padded.size()) <= decimals) padded.insert(0, static_cast<size_t>(decimals) - padded.size() + 1, '0');
    std::string intPart = padded.substr(0, padded.size() - static_cast<size_t>(decimals));
    const auto firstNonZero = intPart.find_first_not_of('0');
    intPart = firstNonZero == std::string::npos ? "0" : intPart.substr(firstNonZero);
    if (decimals == 0) return intPart;
    return intPart + "." + padded.substr(padded.size() - static_cast<size_t>(decimals));
}

Result<void> checkCharset(std::string_view ai, Charset cs, std::string_view part, size_t offset)
{
    for (size_t i = 0; i < part.size(); ++i) {
        const char c = part[i];
        if (!inCharset(cs, c))
            return fail("bad_charset", tag(ai) + ": character " + describeChar(c) + " at position " +
                                           std::to_string(offset + i + 1) + " is not in " + std::string(charsetName(cs)));
        // GS1 General Specifications 7.11, Figure 7.11-3: '=' only pads the end.
        if (cs == Charset::Cset64 && c == '=' && part.find_first_not_of('=', i) != std::string_view::npos)
            return fail("bad_charset", tag(ai) + ": '=' at position " + std::to_string(offset + i + 1) +
                                           " is only allowed as padding at the end");
    }
    // GS1 General Specifications 7.11 (Figure 7.11-3, CSET 64 as in RFC 4648 base64url): at
    // most two '=' pad the data, and only to make its length, padding included, a multiple of
    // three characters, as the GS1 Barcode Syntax Dictionary checks it.
    if (cs == Charset::Cset64 && !part.empty() && part.back() == '=') {
        const size_t pads = part.size() - part.find_last_not_of('=') - 1;
        if (pads > 2 || part.size() % 3 != 0)
            return fail("bad_charset", tag(ai) + ": " + std::to_string(pads) + " '=' at position " +
                                           std::to_string(offset + part.size() - pads + 1) + ": padding must make the length (" +
                                           std::to_string(part.size()) + ") a multiple of 3 with at most two '='");
    }
    return {};
}

} // namespace

int resolveCentury(int yy, ledger::Date today)
{
    // GS1 General Specifications 7.12: with D = YY - (last two digits of the current year),
    // D >= 51 is the previous century, D <= -50 the next one, anything else this century.
    int year = 0, month = 0, day = 0;
    ledger::ymd(today, year, month, day);
    const int current = ((year % 100) + 100) % 100;
    const int century = year - current;
    const int diff = yy - current;
    if (diff >= 51) return century - 100 + yy;
    if (diff <= -50) return century + 100 + yy;
    return century + yy;
}

std::string describeChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", u);
    return buf;
}

Result<Element> makeElement(std::string_view ai, std::string_view value, ledger::Date today)
{
    const AiEntry* entry = findAi(ai);
    if (!entry) return fail("unknown_ai", tag(ai) + ": not a known AI");
    const int len = static_cast<int>(value.size());
    if (len < entry->minLength() || len > entry->maxLength()) {
        const int lo = entry->minLength(), hi = entry->maxLength();
        const std::string expected = lo == hi ? std::to_string(hi) : lo == 1 ? "at most " + std::to_string(hi)
                                                                            : std::to_string(lo) + " to " + std::to_string(hi);
        return fail("bad_length", tag(ai) + ": " + std::to_string(len) + " characters, expected " + expected + " (" +
                                      formatSpec(*entry) + ")");
    }

    // Split the field into its parts: fixed parts take their length, the variable part (always
    // the last one) the rest; optional trailing parts may be absent.
    struct Piece {
        const Component* spec;
        std::string_view text;
        size_t offset;
    };
    std::vector<Piece> pieces;
    size_t pos = 0;
    for (const auto& p : entry->parts) {
        if (!p.used()) break;
        const size_t left = value.size() - pos;
        if (left == 0 && p.optional) break;
        const size_t take = p.minLen == p.maxLen ? p.maxLen : std::min<size_t>(left, p.maxLen);
        if (take > left || take == 0)
            return fail("bad_length", tag(ai) + ": " + std::to_string(len) + " characters do not fit " + formatSpec(*entry));
        pieces.push_back({&p, value.substr(pos, take), pos});
        pos += take;
    }
    if (pos != value.size())
        return fail("bad_length", tag(ai) + ": " + std::to_string(len) + " characters do not fit " + formatSpec(*entry));

    for (const auto& piece : pieces)
        if (auto r = checkCharset(ai, piece.spec->charset, piece.text, piece.offset); !r) return ledger::unexpected(r.error());

    Derived derived;
    for (const auto& piece : pieces)
        for (Lint lint : piece.spec->lints)
            if (auto r = applyLint(ai, piece.text, lint, today, derived); !r) return ledger::unexpected(r.error());

    Element e;
    e.ai = std::string(ai);
    e.value = std::string(value);
    e.date = std::move(derived.date);
    e.endDate = std::move(derived.endDate);
    e.time = std::move(derived.time);
    if (entry->has(kDecimal)) {
        e.decimal = decimalOf(pieces.back().text, ai.back() - '0');
        if (entry->has(kCurrency)) e.currency = std::string(pieces.front().text);
    }
    return e;
}

Result<Element> makeUnknownElement(std::string_view ai, std::string_view value)
{
    if (clashesWithKnownAi(ai)) return fail("unknown_ai", tag(ai) + ": not an AI (it clashes with a known AI)");
    if (value.empty() || value.size() > 90)
        return fail("bad_length", tag(ai) + ": " + std::to_string(value.size()) + " characters, expected 1 to 90 (X..90)");
    if (auto r = checkCharset(ai, Charset::Cset82, value, 0); !r) return ledger::unexpected(r.error());
    Element e;
    e.ai = std::string(ai);
    e.value = std::string(value);
    e.known = false;
    return e;
}

namespace {

std::vector<std::string_view> splitList(std::string_view s, char sep)
{
    std::vector<std::string_view> out;
    while (!s.empty()) {
        const auto at = s.find(sep);
        out.push_back(s.substr(0, at));
        if (at == std::string_view::npos) break;
        s.remove_prefix(at + 1);
    }
    return out;
}

std::string listAlternatives(const std::vector<std::string_view>& alternatives)
{
    std::string s;
    for (size_t i = 0; i < alternatives.size(); ++i) {
        if (i > 0) s += i + 1 == alternatives.size() ? " or " : ", ";
        bool first = true;
        for (auto ai : splitList(alternatives[i], '+')) {
            if (!first) s += "+";
            s += tag(ai);
            first = false;
        }
    }
    return s;
}

} // namespace

Result<void> finishElements(std::vector<Element>& elements, std::vector<std::string>& warnings)
{
    // GS1 General Specifications 4.14.1: an AI may repeat only with the same value.
    for (size_t i = 0; i < elements.size(); ++i) {
        for (size_t j = i + 1; j < elements.size();) {
            if (elements[j].ai != elements[i].ai) {
                ++j;
                continue;
            }
            if (elements[j].value != elements[i].value)
                return fail("duplicate_ai", tag(elements[i].ai) + ": appears twice with different values '" +
                                                elements[i].value + "' and '" + elements[j].value + "'");
            elements.erase(elements.begin() + static_cast<std::ptrdiff_t>(j));
        }
    }

    auto present = [&](std::string_view pattern, std::string_view self) {
        return std::any_of(elements.begin(), elements.end(), [&](const Element& o) {
            return o.ai != self && matchesPattern(o.ai, pattern);
        });
    };
    std::set<std::pair<std::string, std::string>> excludedPairs;
    for (const auto& e : elements) {
        const AiEntry* entry = e.known ? findAi(e.ai) : nullptr;
        if (!entry) continue;
        // 4.14.2 Mandatory associations: every group must be met by one of its alternatives.
        for (auto group : splitList(entry->req, ' ')) {
            const auto alternatives = splitList(group, ',');
            const bool met = std::any_of(alternatives.begin(), alternatives.end(), [&](std::string_view alt) {
                const auto all = splitList(alt, '+');
                return std::all_of(all.begin(), all.end(), [&](std::string_view p) { return present(p, e.ai); });
            });
            if (!met)
                warnings.push_back(tag(e.ai) + " should come with " + listAlternatives(alternatives) +
                                   " (GS1 GS 4.14.2)");
        }
        // AI (8030) Digital signature, GS1 General Specifications 3.9 and 4.14.2: the signed
        // key must be serialised, so a GDTI (253), GCN (255) or GRAI (8003) beside it needs its
        // optional serial component.
        if (e.ai == "8030")
            for (const auto& o : elements)
                if (const AiEntry* k = o.known && (o.ai == "253" || o.ai == "255" || o.ai == "8003") ? findAi(o.ai) : nullptr;
                    k && static_cast<int>(o.value.size()) == k->minLength())
                    warnings.push_back("(8030) signs " + tag(o.ai) + " without its serial component; the signed key must be serialised (GS1 GS 4.14.2)");
        // 4.14.1 Invalid pairs: reported once per pair.
        for (auto pattern : splitList(entry->ex, ',')) {
            for (const auto& o : elements) {
                if (o.ai == e.ai || !matchesPattern(o.ai, pattern)) continue;
                auto key = std::minmax(e.ai, o.ai);
                if (!excludedPairs.insert({key.first, key.second}).second) continue;
                warnings.push_back(tag(key.first) + " and " + tag(key.second) + " must not be used together (GS1 GS 4.14.1)");
            }
        }
    }
    return {};
}

} // namespace backfill::scan
