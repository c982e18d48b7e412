#include "scan/DigitalLink.h"

#include "scan/AiTable.h"
#include "scan/Gs1Element.h"

#include <algorithm>
#include <cctype>

namespace backfill::scan {

using ledger::fail;
using ledger::Result;

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool startsWithNoCase(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

bool allDigits(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string_view> split(std::string_view s, char sep)
{
    std::vector<std::string_view> out;
    while (true) {
        const auto at = s.find(sep);
        out.push_back(s.substr(0, at));
        if (at == std::string_view::npos) break;
        s.remove_prefix(at + 1);
    }
    return out;
}

// qualifiersAllowed is true when `quals` is an ordered selection of one alternative of
// `spec` ("22,10,21|235"): GS1 Digital Link URI Syntax, key qualifiers keep their order.
bool qualifiersAllowed(std::string_view spec, const std::vector<std::string>& quals)
{
    if (quals.empty()) return true;
    if (spec.empty()) return false;
    for (auto alt : split(spec, '|')) {
        const auto order = split(alt, ',');
        size_t at = 0;
        bool ok = true;
        for (const auto& q : quals) {
            while (at < order.size() && order[at] != q) ++at;
            if (at == order.size()) {
                ok = false;
                break;
            }
            ++at;
        }
        if (ok) return true;
    }
    return false;
}

std::string describeQualifiers(std::string_view key, std::string_view spec)
{
    if (spec.empty()) return "(" + std::string(key) + ") takes no key qualifiers";
    std::string s = "key qualifiers of (" + std::string(key) + ") are ";
    bool firstAlt = true;
    for (auto alt : split(spec, '|')) {
        if (!firstAlt) s += ", or ";
        bool first = true;
        for (auto q : split(alt, ',')) {
            if (!first) s += ", ";
            s += "(" + std::string(q) + ")";
            first = false;
        }
        firstAlt = false;
    }
    return s + " in that order";
}

} // namespace

Result<std::string> percentDecode(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        const int hi = i + 1 < text.size() ? hexValue(text[i + 1]) : -1;
        const int lo = i + 2 < text.size() ? hexValue(text[i + 2]) : -1;
        if (hi < 0 || lo < 0)
            return fail("bad_digital_link", "'%' at '" + std::string(text.substr(i, 3)) + "' is not a %XX escape");
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::string percentEncode(std::string_view text)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

Result<std::vector<Element>> parseDigitalLink(std::string_view uri, ledger::Date today)
{
    std::string_view rest;
    if (startsWithNoCase(uri, "https://"))
        rest = uri.substr(8);
    else if (startsWithNoCase(uri, "http://"))
        rest = uri.substr(7);
    else
        return fail("not_gs1", "'" + std::string(uri) + "' is not an http(s) URI");

    rest = rest.substr(0, rest.find('#'));  // a fragment carries no GS1 data
    const auto authorityEnd = rest.find_first_of("/?");
    const std::string_view authority = rest.substr(0, authorityEnd);
    if (authority.empty()) return fail("bad_digital_link", "the URI has no domain");
    rest = authorityEnd == std::string_view::npos ? std::string_view{} : rest.substr(authorityEnd);
    const auto queryAt = rest.find('?');
    const std::string_view path = rest.substr(0, queryAt);
    const std::string_view query = queryAt == std::string_view::npos ? std::string_view{} : rest.substr(queryAt + 1);

    std::vector<std::string> segments;
    for (auto raw : split(path, '/')) {
        if (raw.empty()) continue;
        auto seg = percentDecode(raw);
        if (!seg) return ledger::unexpected(seg.error());
        segments.push_back(std::move(*seg));
    }

    // GS1 Digital Link URI Syntax: the path ends with the primary key and its qualifiers as
    // AI/value pairs; whatever comes before them is a free path prefix. The GS1 part starts at
    // the first segment that is a primary key, leaves an even number of segments and is
    // followed only by qualifiers of that key in their order; when no segment qualifies, the
    // first primary key that leaves an even number of segments is taken (and its qualifiers
    // reported).
    auto qualifiersFit = [&](size_t at) {
        std::vector<std::string> quals;
        for (size_t i = at + 2; i + 1 < segments.size(); i += 2) quals.push_back(segments[i]);
        return qualifiersAllowed(findAi(segments[at])->dlQualifiers, quals);
    };
    size_t keyAt = segments.size();
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
        const AiEntry* e = findAi(segments[i]);
        if (!e || !e->has(kDlPrimary) || (segments.size() - i) % 2 != 0) continue;
        if (keyAt == segments.size()) keyAt = i;
        if (qualifiersFit(i)) {
            keyAt = i;
            break;
        }
    }
    if (keyAt == segments.size())
        return fail("not_gs1", "no GS1 Digital Link primary key, e.g. /01/<GTIN> or /00/<SSCC>, in the path of '" +
                                   std::string(uri) + "'");

    const std::string& keyAi = segments[keyAt];
    const AiEntry* key = findAi(keyAi);
    std::vector<Element> elements;
    std::string keyValue = segments[keyAt + 1];
    // GS1 Digital Link URI Syntax: a GTIN-8, -12 or -13 in the path stands for its GTIN-14.
    if (keyAi == "01" && allDigits(keyValue) && (keyValue.size() == 8 || keyValue.size() == 12 || keyValue.size() == 13))
        keyValue.insert(0, 14 - keyValue.size(), '0');
    auto keyElement = makeElement(keyAi, keyValue, today);
    if (!keyElement) return ledger::unexpected(keyElement.error());
    elements.push_back(std::move(*keyElement));

    std::vector<std::string> qualifiers;
    for (size_t i = keyAt + 2; i + 1 < segments.size(); i += 2) {
        qualifiers.push_back(segments[i]);
        if (!qualifiersAllowed(key->dlQualifiers, qualifiers))
            return fail("bad_digital_link", "(" + segments[i] + ") can not follow in the path: " +
                                                describeQualifiers(keyAi, key->dlQualifiers) +
                                                "; data attributes go in the query");
        auto q = makeElement(segments[i], segments[i + 1], today);
        if (!q) return ledger::unexpected(q.error());
        elements.push_back(std::move(*q));
    }

    for (auto param : split(query, '&')) {
        const auto eq = param.find('=');
        if (eq == std::string_view::npos) continue;
        auto name = percentDecode(param.substr(0, eq));
        if (!name) return ledger::unexpected(name.error());
        // Only 2-4 digit names can be AIs; everything else (linkType, context...) is not GS1 data.
        if (!allDigits(*name) || name->size() < 2 || name->size() > 4) continue;
        auto value = percentDecode(param.substr(eq + 1));
        if (!value) return ledger::unexpected(value.error());
        auto element = findAi(*name) ? makeElement(*name, *value, today) : makeUnknownElement(*name, *value);
        if (!element) return ledger::unexpected(element.error());
        elements.push_back(std::move(*element));
    }
    return elements;
}

} // namespace backfill::scan
