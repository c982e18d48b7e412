#include "scan/DigitalLink.h"

#include "scan/AiTable.h"
#include "scan/ScanText.h"
#include "scan/Gs1Element.h"

#include <algorithm>
#include <cctype>

namespace backfill::scan {

using ledger::fail;
using ledger::Result;

namespace {

using text::allDigits;
using text::startsWithNoCase;

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::vector<std::string_view> splitPath(std::string_view s, char sep)
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

// RFC 3986 section 2: unreserved (2.3), reserved (2.2) and '%' of percent-encoding (2.1).
bool isUriChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || std::string_view("-._~:/?#[]@!$&'()*+,;=%").find(c) != std::string_view::npos;
}

// Characters a URI may hold but a Digital Link domain may not: RFC 3986 3.2 userinfo ('@'),
// the sub-delimiters and '%' (IPv6 zone identifiers, RFC 6874) are not used for GS1 resolvers.
bool isBadDomainChar(char c) { return std::string_view("_~?#@!$&'()*+,;=%").find(c) != std::string_view::npos; }

// gtin14 pads a GTIN-8, -12 or -13 given for (01) to the GTIN-14 it stands for (GS1 GS 3.3.2);
// GS1 Digital Link URI Syntax allows the short forms for legacy URIs. Other values unchanged.
std::string gtin14(std::string_view ai, std::string_view value)
{
    std::string v(value);
    if (ai == "01" && allDigits(v) && (v.size() == 8 || v.size() == 12 || v.size() == 13)) v.insert(0, 14 - v.size(), '0');
    return v;
}

std::string describeQualifiers(std::string_view key, std::string_view spec)
{
    if (spec.empty()) return "(" + std::string(key) + ") takes no key qualifiers";
    std::string s = "key qualifiers of (" + std::string(key) + ") are ";
    bool firstAlt = true;
    for (auto alt : splitPath(spec, '|')) {
        if (!firstAlt) s += ", or ";
        bool first = true;
        for (auto q : splitPath(alt, ',')) {
            if (!first) s += ", ";
            s.append("(").append(q).append(")");
            first = false;
        }
        firstAlt = false;
    }
    return s + " in that order";
}

} // namespace

bool keyQualifiersAllowed(std::string_view spec, const std::vector<std::string>& quals)
{
    if (quals.empty()) return true;
    if (spec.empty()) return false;
    for (auto alt : splitPath(spec, '|')) {
        const auto order = splitPath(alt, ',');
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

Result<std::string> percentDecode(std::string_view text, bool plusIsSpace)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+' && plusIsSpace) {
            out += ' ';
            continue;
        }
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

Result<std::vector<Element>> parseDigitalLink(std::string_view uri, ledger::Date today, size_t offset)
{
    auto at = [&](size_t i) { return "at position " + std::to_string(offset + i + 1); };
    // RFC 3986 section 2: a URI holds only unreserved, reserved and '%' characters; the GS1
    // Digital Link URI Syntax builds on it, so a space, '<', '^', '{'... can not be in one.
    for (size_t i = 0; i < uri.size(); ++i)
        if (!isUriChar(uri[i]))
            return fail("bad_digital_link", "digital link: character " + describeChar(uri[i]) + " " + at(i) +
                                                " is not allowed in a URI (RFC 3986 section 2)");

    size_t p = 0;
    if (startsWithNoCase(uri, "https://"))
        p = 8;
    else if (startsWithNoCase(uri, "http://"))
        p = 7;
    else
        return fail("not_gs1", "'" + std::string(uri) + "' is not an http(s) URI");

    const size_t fragmentAt = std::min(uri.find('#', p), uri.size());  // a fragment carries no GS1 data
    const std::string_view rest = uri.substr(0, fragmentAt);
    const size_t authorityEnd = std::min(rest.find_first_of("/?", p), rest.size());
    if (authorityEnd == p) return fail("bad_digital_link", "digital link: the URI has no domain " + at(p));
    // RFC 3986 3.2.2: a host is a registered name, an IPv4 address or a bracketed IPv6 literal;
    // userinfo ('@'), sub-delimiters and '%' (an IPv6 zone) are not used by GS1 Digital Link.
    for (size_t i = p; i < authorityEnd; ++i)
        if (isBadDomainChar(rest[i]))
            return fail("bad_digital_link", "digital link: character " + describeChar(rest[i]) + " " + at(i) +
                                                " is not allowed in the domain");
    const size_t queryAt = std::min(rest.find('?', authorityEnd), rest.size());
    const size_t pathBegin = authorityEnd;
    const std::string_view path = rest.substr(pathBegin, queryAt - pathBegin);
    const std::string_view query = queryAt < rest.size() ? rest.substr(queryAt + 1) : std::string_view{};

    // Path segments with their positions in `uri`; empty ones ("//", a trailing '/') are kept
    // to be reported.
    struct Segment {
        std::string value;  // %-decoded
        size_t pos;         // of its first character (of the '/' that ends it when empty)
    };
    std::vector<Segment> segments;
    std::vector<size_t> emptyAt;
    if (!path.empty()) {
        size_t s = pathBegin + 1;
        while (s <= queryAt) {
            const size_t e = std::min(rest.find('/', s), queryAt);
            if (e == s) {
                emptyAt.push_back(s == queryAt ? s - 1 : s);
            } else {
                auto seg = percentDecode(rest.substr(s, e - s), false);
                if (!seg) return ledger::unexpected(seg.error());
                segments.push_back({std::move(*seg), s});
            }
            s = e + 1;
        }
    }

    // GS1 Digital Link URI Syntax: the path ends with the primary key and its qualifiers as
    // AI/value pairs; whatever comes before them is a free path prefix. The GS1 part starts at
    // the first segment that is a primary key, leaves an even number of segments and is
    // followed only by qualifiers of that key in their order; when no segment qualifies, the
    // first primary key that leaves an even number of segments is taken (and its qualifiers
    // reported).
    auto qualifiersFit = [&](size_t i) {
        std::vector<std::string> quals;
        for (size_t j = i + 2; j + 1 < segments.size(); j += 2) quals.push_back(segments[j].value);
        return keyQualifiersAllowed(findAi(segments[i].value)->dlQualifiers, quals);
    };
    auto isKey = [&](size_t i) {
        const AiEntry* e = findAi(segments[i].value);
        return e && e->has(kDlPrimary);
    };
    size_t keyAt = segments.size();
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
        if (!isKey(i) || (segments.size() - i) % 2 != 0) continue;
        if (keyAt == segments.size()) keyAt = i;
        if (qualifiersFit(i)) {
            keyAt = i;
            break;
        }
    }
    // GS1 Digital Link URI Syntax (ABNF): every AI and every value of the GS1 part is a
    // non-empty segment, and the path ends with a value; an empty segment in the free prefix
    // before the key is plain RFC 3986.
    auto emptySegmentError = [&](size_t pos) {
        const bool trailing = pos + 1 == queryAt;
        return fail("bad_digital_link", std::string("digital link: ") + (trailing ? "the path ends with '/' " : "empty path segment ") +
                                            at(pos) + "; the key and its qualifiers are /AI/value pairs with nothing empty");
    };
    if (keyAt == segments.size()) {
        // A key whose pairs an empty segment broke up: say so rather than "no key".
        for (size_t pos : emptyAt)
            for (size_t i = 0; i < segments.size() && segments[i].pos < pos; ++i)
                if (isKey(i)) return emptySegmentError(pos);
        return fail("not_gs1", "no GS1 Digital Link primary key, e.g. /01/<GTIN> or /00/<SSCC>, in the path of '" +
                                   std::string(uri) + "'");
    }
    for (size_t pos : emptyAt)
        if (pos > segments[keyAt].pos) return emptySegmentError(pos);

    const std::string& keyAi = segments[keyAt].value;
    const AiEntry* key = findAi(keyAi);
    std::vector<Element> elements;
    std::vector<size_t> positions;  // where each element's AI is in `uri`
    auto keyElement = makeElement(keyAi, gtin14(keyAi, segments[keyAt + 1].value), today);
    if (!keyElement) return ledger::unexpected(keyElement.error());
    elements.push_back(std::move(*keyElement));
    positions.push_back(segments[keyAt].pos);

    std::vector<std::string> pathAis{keyAi};
    std::vector<std::string> qualifiers;
    for (size_t i = keyAt + 2; i + 1 < segments.size(); i += 2) {
        qualifiers.push_back(segments[i].value);
        if (!keyQualifiersAllowed(key->dlQualifiers, qualifiers))
            return fail("bad_digital_link", "(" + segments[i].value + ") can not follow in the path: " +
                                                describeQualifiers(keyAi, key->dlQualifiers) +
                                                "; data attributes go in the query");
        auto q = makeElement(segments[i].value, segments[i + 1].value, today);
        if (!q) return ledger::unexpected(q.error());
        elements.push_back(std::move(*q));
        positions.push_back(segments[i].pos);
        pathAis.push_back(segments[i].value);
    }

    // belongsInPath: `ai` would make a valid key-qualifier path if it were inserted after the
    // key (GS1 Digital Link URI Syntax: a key qualifier is only ever written in the path).
    auto belongsInPath = [&](const std::string& ai) {
        for (size_t j = 1; j <= pathAis.size(); ++j) {
            std::vector<std::string> quals(pathAis.begin() + 1, pathAis.end());
            quals.insert(quals.begin() + static_cast<std::ptrdiff_t>(j - 1), ai);
            if (keyQualifiersAllowed(key->dlQualifiers, quals)) return true;
        }
        return false;
    };

    size_t paramAt = queryAt + 1;
    for (auto param : splitPath(query, '&')) {
        const size_t here = paramAt;
        paramAt += param.size() + 1;
        const auto eq = param.find('=');
        if (eq == std::string_view::npos) continue;  // a bare flag carries no AI data
        auto name = percentDecode(param.substr(0, eq), false);
        if (!name) return ledger::unexpected(name.error());
        if (!allDigits(*name)) continue;  // linkType, context...: not GS1 data
        // GS1 Digital Link URI Syntax: a numeric parameter name is an AI; one that is not in
        // the table can not be read (its rules are unknown), so it is refused, not skipped.
        const AiEntry* entry = findAi(*name);
        if (!entry)
            return fail("unknown_ai", "digital link: query parameter '" + *name + "' " + at(here) + " is not a known AI");
        if (belongsInPath(*name))
            return fail("bad_digital_link", "digital link: (" + *name + ") in the query " + at(here) + " is a key qualifier of (" +
                                                keyAi + "): it belongs in the path, " + describeQualifiers(keyAi, key->dlQualifiers));
        if (!entry->has(kDlAttribute))
            return fail("bad_digital_link", "digital link: (" + *name + ") in the query " + at(here) +
                                                " is not a Digital Link data attribute");
        // Query values are application/x-www-form-urlencoded: '+' is a space (which no AI allows).
        auto value = percentDecode(param.substr(eq + 1), true);
        if (!value) return ledger::unexpected(value.error());
        auto element = makeElement(*name, gtin14(*name, *value), today);
        if (!element) return ledger::unexpected(element.error());
        elements.push_back(std::move(*element));
        positions.push_back(here);
    }

    // GS1 Digital Link URI Syntax: each AI appears once in a URI, even with the same value
    // (unlike element strings, GS1 GS 4.14.1, where an identical repeat is tolerated).
    for (size_t i = 0; i < elements.size(); ++i)
        for (size_t j = i + 1; j < elements.size(); ++j)
            if (elements[i].ai == elements[j].ai)
                return fail("duplicate_ai", "digital link: (" + elements[j].ai + ") " + at(positions[j]) +
                                                " repeats the one " + at(positions[i]) + "; each AI may appear once");
    return elements;
}
} // namespace backfill::scan
