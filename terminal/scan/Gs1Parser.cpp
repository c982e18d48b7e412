#include "scan/Gs1Parser.h"

#include "ledger/CheckDigit.h"
#include "scan/AiTable.h"
#include "scan/ScanText.h"
#include "scan/DigitalLink.h"
#include "scan/Gs1Element.h"

#include <algorithm>
#include <cctype>

namespace backfill::scan {

using ledger::fail;
using ledger::Result;

namespace {

using text::allDigits;
using text::isDigit;
using text::startsWithNoCase;

std::string position(size_t i) { return "at position " + std::to_string(i + 1); }

// Element strings: GS1 General Specifications 7.8.5. An AI whose first two digits are in
// Figure 7.8.5-2 has a predefined length and is followed directly by the next AI; every other
// field runs to the next GS (or the configured substitute) or to the end.
Result<std::vector<Element>> parseElementString(std::string_view body, size_t offset, const ParseOptions& options)
{
    auto isSeparator = [&](char c) { return c == kGs || (options.gsSubstitute != 0 && c == options.gsSubstitute); };
    std::vector<Element> elements;
    size_t p = 0;
    while (p < body.size() && isSeparator(body[p])) ++p;  // an FNC1 in first position, transmitted
    if (p == body.size()) return fail("truncated", "no AI data after the symbology identifier");
    while (p < body.size()) {
        if (isSeparator(body[p])) {
            ++p;
            continue;
        }
        const std::string_view rest = body.substr(p);
        const int aiLen = aiAtStart(rest);
        if (aiLen == 0) {
            const std::string_view head = rest.substr(0, 4);
            if (allDigits(rest) && rest.size() < 4 && clashesWithKnownAi(rest))
                return fail("truncated", position(offset + p) + ": the scan ends inside the AI '" + std::string(rest) + "'");
            if (!isDigit(rest[0]))
                return fail("unknown_ai", position(offset + p) + ": expected an AI, found " + describeChar(rest[0]));
            return fail("unknown_ai", position(offset + p) + ": no known AI starts '" + std::string(head) +
                                          "'; in an element string its length can not be known, so the scan is rejected");
        }
        const std::string ai(rest.substr(0, static_cast<size_t>(aiLen)));
        p += static_cast<size_t>(aiLen);
        std::string_view value;
        if (const auto total = predefinedLength(ai)) {
            const size_t need = static_cast<size_t>(*total - aiLen);
            if (body.size() - p < need)
                return fail("truncated", "(" + ai + "): " + std::to_string(body.size() - p) + " of its " +
                                             std::to_string(need) + " characters");
            value = body.substr(p, need);
            p += need;
        } else {
            size_t end = p;
            while (end < body.size() && !isSeparator(body[end])) ++end;
            value = body.substr(p, end - p);
            if (value.empty() && end == body.size())
                return fail("truncated", "(" + ai + "): no data after the AI");
            p = end;
        }
        auto element = makeElement(ai, value, options.today);
        if (!element) return ledger::unexpected(element.error());
        elements.push_back(std::move(*element));
    }
    return elements;
}

// The bracketed human-readable form, GS1 General Specifications 4.15: "(AI)value...". A value
// ends at the next '(' that opens a 2-4 digit AI and ')'; "\(" is a literal '('.
bool opensAi(std::string_view s, size_t at)
{
    if (at >= s.size() || s[at] != '(') return false;
    size_t i = at + 1;
    while (i < s.size() && isDigit(s[i])) ++i;
    const size_t digits = i - at - 1;
    return digits >= 2 && digits <= 4 && i < s.size() && s[i] == ')';
}

Result<std::vector<Element>> parseBracketed(std::string_view body, size_t offset, ledger::Date today)
{
    std::vector<Element> elements;
    size_t p = 0;
    while (p < body.size()) {
        if (!opensAi(body, p))
            return fail("unknown_ai", position(offset + p) + ": '(' must open an AI of 2-4 digits followed by ')'");
        const size_t close = body.find(')', p);
        const std::string ai(body.substr(p + 1, close - p - 1));
        std::string value;
        size_t i = close + 1;
        while (i < body.size() && !opensAi(body, i)) {
            if (body[i] == '\\' && i + 1 < body.size() && body[i + 1] == '(') ++i;
            value += body[i++];
        }
        p = i;
        auto element = findAi(ai) ? makeElement(ai, value, today) : makeUnknownElement(ai, value);
        if (!element) return ledger::unexpected(element.error());
        elements.push_back(std::move(*element));
    }
    return elements;
}

Result<std::vector<Element>> single(Result<Element> e)
{
    if (!e) return ledger::unexpected(e.error());
    return std::vector<Element>{std::move(*e)};
}

// A GTIN-12/13/14 as printed: (01) with the GTIN-14 (GS1 GS 3.3.2, GTINs are right-aligned
// in 14 digits).
Result<std::vector<Element>> plainGtin(std::string_view digits, ledger::Date today)
{
    return single(makeElement("01", std::string(14 - digits.size(), '0') + std::string(digits), today));
}

Result<std::vector<Element>> ean8(std::string_view digits, ledger::Date today) { return plainGtin(digits, today); }

Result<std::vector<Element>> upcE(std::string_view digits, ledger::Date today)
{
    const auto upcA = expandUpcE(digits);
    if (!upcA)
        return fail("check_digit", "UPC-E " + std::string(digits) + ": number system must be 0 or 1");
    auto r = single(makeElement("01", "00" + *upcA, today));
    if (!r && r.error().code == "check_digit")
        return fail("check_digit", "UPC-E " + std::string(digits) + " (UPC-A " + *upcA + "): check digit is " +
                                       std::string(1, digits.back()) + ", expected " +
                                       std::to_string(ledger::gs1CheckDigit(upcA->substr(0, 11))));
    return r;
}

// 8 digits without an identifier: an EAN-8 when its check digit holds, otherwise a UPC-E.
Result<std::vector<Element>> eightDigits(std::string_view digits, ledger::Date today)
{
    if (ledger::hasValidCheckDigit(digits)) return ean8(digits, today);
    const auto upcA = expandUpcE(digits);
    if (upcA && ledger::hasValidCheckDigit(*upcA)) return upcE(digits, today);
    const std::string asEan = "check digit is " + std::string(1, digits.back()) + ", expected " +
                              std::to_string(ledger::gs1CheckDigit(digits.substr(0, 7)));
    const std::string asUpc = upcA ? "UPC-A " + *upcA + " check digit " + std::string(1, digits.back()) + ", expected " +
                                         std::to_string(ledger::gs1CheckDigit(upcA->substr(0, 11)))
                                   : "number system must be 0 or 1";
    return fail("check_digit", std::string(digits) + ": neither an EAN-8 (" + asEan + ") nor a UPC-E (" + asUpc + ")");
}

struct Classified {
    ScanKind kind;
    std::vector<Element> elements;
};

Result<Classified> classified(ScanKind kind, Result<std::vector<Element>> r)
{
    if (!r) return ledger::unexpected(r.error());
    return Classified{kind, std::move(*r)};
}

// Input without a GS1 symbology identifier (or plain data of another symbology).
Result<Classified> classifyPlain(std::string_view body, size_t offset, bool mayBeElementString, const ParseOptions& options)
{
    if (body.empty()) return fail("not_gs1", "the scan is empty");
    if (body[0] == '(') return classified(ScanKind::Hri, parseBracketed(body, offset, options.today));
    if (startsWithNoCase(body, "http://") || startsWithNoCase(body, "https://"))
        return classified(ScanKind::DigitalLink, parseDigitalLink(body, options.today, offset));
    if (allDigits(body)) {
        switch (body.size()) {
        case 8: return classified(ScanKind::Gtin, eightDigits(body, options.today));
        case 12:
        case 13:
        case 14: return classified(ScanKind::Gtin, plainGtin(body, options.today));
        case 18: return classified(ScanKind::Sscc, single(makeElement("00", body, options.today)));
        default: break;
        }
    }
    if (mayBeElementString && aiAtStart(body) != 0)
        return classified(ScanKind::ElementString, parseElementString(body, offset, options));
    return fail("not_gs1", "not a GS1 scan: no GS1 symbology identifier, AI, GTIN, SSCC or Digital Link URI");
}

Result<Classified> classify(std::string_view input, std::optional<std::string>& symbology, const ParseOptions& options)
{
    const bool hasIdentifier = input.size() >= 3 && input[0] == ']' && std::isalpha(static_cast<unsigned char>(input[1])) &&
                               std::isalnum(static_cast<unsigned char>(input[2]));
    if (!hasIdentifier) return classifyPlain(input, 0, true, options);

    // Symbology identifiers, ISO/IEC 15424 and GS1 General Specifications 5.1.2 (Figure
    // 5.1.2-2): these five carry GS1 AI element strings.
    const std::string id(input.substr(0, 3));
    symbology = id;
    const std::string_view body = input.substr(3);
    static constexpr std::string_view kGs1Identifiers[] = {"]C1", "]e0", "]d2", "]Q3", "]J1"};
    if (std::find(std::begin(kGs1Identifiers), std::end(kGs1Identifiers), id) != std::end(kGs1Identifiers))
        return classified(ScanKind::ElementString, parseElementString(body, 3, options));
    // ]E0: EAN-13, UPC-A or UPC-E (sent as its 8 digits); ]E4: EAN-8.
    if (id == "]E0" || id == "]E4") {
        const bool upce = id == "]E0" && body.size() == 8;
        const bool ean13 = id == "]E0" && (body.size() == 12 || body.size() == 13);
        const bool ean8Ok = id == "]E4" && body.size() == 8;
        if (!allDigits(body) || !(upce || ean13 || ean8Ok))
            return fail("bad_length", id + " carries " + (id == "]E4" ? "8 digits (EAN-8)" : "8 digits (UPC-E) or 12-13 digits (UPC-A, EAN-13)") +
                                          ", got '" + std::string(body) + "'");
        if (upce) return classified(ScanKind::Gtin, upcE(body, options.today));
        if (ean8Ok) return classified(ScanKind::Gtin, ean8(body, options.today));
        return classified(ScanKind::Gtin, plainGtin(body, options.today));
    }
    // Other symbologies carry plain data: a GTIN, an SSCC, a URI or bracketed text may be in
    // it, but no FNC1 element string.
    return classifyPlain(body, 3, false, options);
}

} // namespace

std::string_view scanKindName(ScanKind kind)
{
    switch (kind) {
    case ScanKind::ElementString: return "element_string";
    case ScanKind::Gtin: return "gtin";
    case ScanKind::Sscc: return "sscc";
    case ScanKind::DigitalLink: return "digital_link";
    case ScanKind::Hri: return "hri";
    }
    return "element_string";
}

const Element* Gs1Scan::find(std::string_view ai) const
{
    for (const auto& e : elements)
        if (e.ai == ai) return &e;
    return nullptr;
}

std::optional<std::string> expandUpcE(std::string_view upcE)
{
    if (upcE.size() != 8 || !allDigits(upcE) || (upcE[0] != '0' && upcE[0] != '1')) return std::nullopt;
    // GS1 General Specifications 5.2.2.4.2: zero suppression, by the last of the six digits.
    const std::string d(upcE.substr(1, 6));
    std::string body;
    switch (d[5]) {
    case '0':
    case '1':
    case '2': body = d.substr(0, 2) + d[5] + "0000" + d.substr(2, 3); break;
    case '3': body = d.substr(0, 3) + "00000" + d.substr(3, 2); break;
    case '4': body = d.substr(0, 4) + "00000" + d[4]; break;
    default: body = d.substr(0, 5) + "0000" + d[5]; break;
    }
    return std::string(1, upcE[0]) + body + upcE[7];
}

Result<Gs1Scan> parseScan(std::string_view input, const ParseOptions& options)
{
    Gs1Scan scan;
    scan.scan = std::string(input);
    auto c = classify(input, scan.symbology, options);
    if (!c) return ledger::unexpected(c.error());
    scan.kind = c->kind;
    scan.elements = std::move(c->elements);
    if (auto r = finishElements(scan.elements, scan.warnings); !r) return ledger::unexpected(r.error());
    return scan;
}

std::string toBracketed(const std::vector<Element>& elements)
{
    std::string out;
    for (const auto& e : elements) {
        out += "(" + e.ai + ")";
        for (char c : e.value) {
            if (c == '(') out += '\\';
            out += c;
        }
    }
    return out;
}

std::string toElementString(const std::vector<Element>& elements, char gs)
{
    std::string out;
    for (size_t i = 0; i < elements.size(); ++i) {
        out += elements[i].ai + elements[i].value;
        if (i + 1 < elements.size() && !predefinedLength(elements[i].ai)) out += gs;
    }
    return out;
}

Result<std::string> toDigitalLink(const std::vector<Element>& elements, std::string_view base)
{
    const auto keyIt = std::find_if(elements.begin(), elements.end(), [](const Element& e) {
        const AiEntry* entry = e.known ? findAi(e.ai) : nullptr;
        return entry && entry->has(kDlPrimary);
    });
    if (keyIt == elements.end())
        return fail("no_primary_key", "no element can be a GS1 Digital Link primary key, e.g. (01) or (00)");
    const AiEntry* key = findAi(keyIt->ai);

    const size_t keyIndex = static_cast<size_t>(keyIt - elements.begin());
    std::vector<bool> used(elements.size(), false);
    used[keyIndex] = true;
    std::string uri = std::string(base) + "/" + keyIt->ai + "/" + percentEncode(keyIt->value);

    // Key qualifiers go in the path in their defined order, from the alternative that places
    // the most of them and leaves in the query only what parseDigitalLink reads there: known
    // data attributes that are not key qualifiers of the path (GS1 Digital Link URI Syntax).
    std::vector<std::string_view> alternatives;
    for (std::string_view spec = key->dlQualifiers;;) {
        const auto bar = spec.find('|');
        alternatives.push_back(spec.substr(0, bar));
        if (bar == std::string_view::npos) break;
        spec.remove_prefix(bar + 1);
    }
    std::vector<size_t> bestPath;
    std::optional<ledger::Error> problem;
    bool found = false;
    for (const auto alt : alternatives) {
        std::vector<size_t> path;  // element indexes, in the alternative's order
        for (std::string_view rest = alt; !rest.empty();) {
            const auto comma = rest.find(',');
            const std::string_view q = rest.substr(0, comma);
            for (size_t i = 0; i < elements.size(); ++i)
                if (i != keyIndex && elements[i].ai == q) path.push_back(i);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
        std::vector<std::string> quals;
        for (size_t i : path) quals.push_back(elements[i].ai);
        std::optional<ledger::Error> bad;
        for (size_t i = 0; i < elements.size() && !bad; ++i) {
            if (i == keyIndex || std::find(path.begin(), path.end(), i) != path.end()) continue;
            const AiEntry* entry = elements[i].known ? findAi(elements[i].ai) : nullptr;
            bool fitsPath = false;
            for (size_t j = 0; j <= quals.size() && !fitsPath; ++j) {
                auto with = quals;
                with.insert(with.begin() + static_cast<std::ptrdiff_t>(j), elements[i].ai);
                fitsPath = keyQualifiersAllowed(key->dlQualifiers, with);
            }
            if (entry && entry->has(kDlAttribute) && !fitsPath) continue;
            const std::string why = !entry    ? "not a known AI"
                                    : fitsPath ? "a key qualifier that does not fit the path"
                                               : "neither a key qualifier of (" + keyIt->ai + ") nor a data attribute";
            bad = ledger::Error{"not_dl_attribute",
                                "(" + elements[i].ai + ") can not be written in a Digital Link on (" + keyIt->ai + "): it is " + why};
        }
        if (bad) {
            if (!problem) problem = bad;
            continue;
        }
        if (!found || path.size() > bestPath.size()) bestPath = path;
        found = true;
    }
    if (!found) return ledger::unexpected(*problem);
    for (size_t i : bestPath) {
        uri += "/" + elements[i].ai + "/" + percentEncode(elements[i].value);
        used[i] = true;
    }

    char sep = '?';
    for (size_t i = 0; i < elements.size(); ++i) {
        if (used[i]) continue;
        uri += sep + elements[i].ai + "=" + percentEncode(elements[i].value);
        sep = '&';
    }
    return uri;
}

} // namespace backfill::scan
