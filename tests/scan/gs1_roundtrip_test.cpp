// Properties of the GS1 interpretation over the whole AI table and random valid scans:
//  - the table is consistent with GS1 GS 7.8.5 (Figure 7.8.5-2) and with itself;
//  - every AI of the table reads back from the raw element string, the bracketed form and a
//    Digital Link URI;
//  - random valid element lists survive raw <-> bracketed <-> Digital Link round trips with
//    the same elements, derived values and warnings.

#include "ledger/CheckDigit.h"
#include "scan/AiTable.h"
#include "scan/Gs1Parser.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace backfill;
using namespace backfill::scan;

namespace {

const ParseOptions kOptions{.gsSubstitute = 0, .today = *ledger::parseDate("2026-11-28")};

// Every AI code of the table, ranges expanded.
std::vector<std::string> allAis()
{
    std::vector<std::string> out;
    for (const auto& e : aiTable()) {
        std::string ai(e.first);
        while (true) {
            out.push_back(ai);
            if (ai == e.last) break;
            int i = static_cast<int>(ai.size()) - 1;
            while (ai[static_cast<size_t>(i)] == '9') ai[static_cast<size_t>(i--)] = '0';
            ++ai[static_cast<size_t>(i)];
        }
    }
    return out;
}

// keyQualifiedBy gives the first Digital Link primary key that takes `ai` as a key qualifier,
// "" when none does.
std::string keyQualifiedBy(std::string_view ai)
{
    for (const auto& e : aiTable()) {
        if (!e.has(kDlPrimary)) continue;
        std::string spec = "," + std::string(e.dlQualifiers) + ",";
        std::replace(spec.begin(), spec.end(), '|', ',');
        if (spec.find("," + std::string(ai) + ",") != std::string::npos) return std::string(e.first);
    }
    return "";
}

class Generator {
public:
    explicit Generator(uint32_t seed) : m_rng(seed) {}

    int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    bool coin() { return between(0, 1) == 1; }

    std::string digits(int n, char firstMin = '0')
    {
        std::string s;
        for (int i = 0; i < n; ++i) s += static_cast<char>(i == 0 ? between(firstMin, '9') : between('0', '9'));
        return s;
    }

    std::string from(std::string_view alphabet, int n)
    {
        std::string s;
        for (int i = 0; i < n; ++i) s += alphabet[static_cast<size_t>(between(0, static_cast<int>(alphabet.size()) - 1))];
        return s;
    }

    std::string two(int v) { return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10); }

    // A valid value for one part of a data field, honouring its lints.
    std::string part(const Component& c, int len)
    {
        static constexpr std::string_view kCset82 =
            "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
        static constexpr std::string_view kCset39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        static constexpr std::string_view kCset64 = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
        switch (c.lints[0]) {
        case Lint::Csum: {
            const std::string body = digits(len - 1);
            return body + static_cast<char>('0' + ledger::gs1CheckDigit(body));
        }
        case Lint::CsumAlpha: return coin() ? "1987654Ad4X4bL5ttr2310c2K" : "ABC1233L";
        case Lint::Yymmd0: return two(between(0, 99)) + two(between(1, 12)) + two(between(0, 28));
        case Lint::Yymmdd: return two(between(0, 99)) + two(between(1, 12)) + two(between(1, 28));
        case Lint::Yyyymmdd: return two(between(19, 20)) + two(between(0, 99)) + two(between(1, 12)) + two(between(1, 28));
        case Lint::Hh: return two(between(0, 23));
        case Lint::Hhmi: return two(between(0, 23)) + two(between(0, 59));
        case Lint::Mi:
        case Lint::Ss: return two(between(0, 59));
        case Lint::Nonzero: return digits(len, '1');
        case Lint::Zero: return "0";
        case Lint::Winding: return coin() ? "1" : "9";
        case Lint::PieceOfTotal: {
            const int total = between(1, 99);
            return two(between(1, total)) + two(total);
        }
        case Lint::YesNo: return coin() ? "1" : "0";
        case Lint::Hyphen: return "-";
        case Lint::Latitude: return std::to_string(between(1000000000, 1800000000));
        case Lint::Longitude: return std::to_string(between(1000000000, 2000000000));
        case Lint::NoZeroPrefix: return digits(len, '1');
        case Lint::MediaType: return coin() ? two(between(1, 10)) : two(between(80, 99));
        case Lint::PosInSeqSlash: return "1/" + std::to_string(between(1, 9));
        case Lint::Iso5218: return coin() ? "1" : "9";
        case Lint::Iban: return "GB82WEST12345698765432";
        case Lint::ImporterIdx: return from(kCset64, 1);
        case Lint::Pcenc: {
            std::string s = from(kCset82, len);
            std::replace(s.begin(), s.end(), '%', 'P');
            return s;
        }
        case Lint::HasNonDigit:
        case Lint::None: break;
        }
        switch (c.charset) {
        case Charset::Numeric: return digits(len);
        case Charset::Cset82: return from(kCset82, len);
        case Charset::Cset39: return from(kCset39, len);
        case Charset::Cset64: return from(kCset64, len);
        }
        return {};
    }

    // A valid value for the whole data field of `e`, optional parts present or not.
    std::string value(const AiEntry& e)
    {
        std::string v;
        for (const auto& c : e.parts) {
            if (!c.used() || (c.optional && coin())) break;
            const bool fixed = c.minLen == c.maxLen;
            v += part(c, fixed ? c.maxLen : between(1, c.maxLen));
        }
        return v;
    }

    Element element(const std::string& ai)
    {
        Element e;
        e.ai = ai;
        e.value = value(*findAi(ai));
        return e;
    }

    std::mt19937& rng() { return m_rng; }

private:
    std::mt19937 m_rng;
};

std::vector<Element> sortedByAi(std::vector<Element> v)
{
    std::sort(v.begin(), v.end(), [](const Element& a, const Element& b) { return a.ai < b.ai; });
    return v;
}

std::vector<std::string> sorted(std::vector<std::string> v)
{
    std::sort(v.begin(), v.end());
    return v;
}

} // namespace

TEST_CASE("the AI table agrees with Figure 7.8.5-2 and with itself")
{
    const auto ais = allAis();
    CHECK(ais.size() == 536);
    std::set<std::string> seen;
    for (const auto& ai : ais) {
        INFO("AI ", ai);
        CHECK(seen.insert(ai).second);
        const AiEntry* e = findAi(ai);
        REQUIRE(e);
        // GS1 GS 7.8.5: an AI is predefined exactly when its first two digits are in the
        // figure, and then AI + data have the length given there.
        const auto predefined = predefinedLength(ai);
        CHECK(e->has(kPredefined) == predefined.has_value());
        if (predefined) CHECK(*e->fixedLength() + static_cast<int>(ai.size()) == *predefined);
        // AIs are prefix-free: no AI starts another.
        for (size_t n = 2; n < ai.size(); ++n) CHECK_FALSE(findAi(ai.substr(0, n)));
        CHECK(aiAtStart(ai + "123") == static_cast<int>(ai.size()));
        // Association patterns and qualifiers name AIs that exist.
        for (std::string_view list : {e->req, e->ex, e->dlQualifiers}) {
            std::string token;
            for (size_t i = 0; i <= list.size(); ++i) {
                if (i < list.size() && std::string_view(" ,+|").find(list[i]) == std::string_view::npos) {
                    token += list[i];
                    continue;
                }
                if (token.empty()) continue;
                CHECK_MESSAGE(std::any_of(ais.begin(), ais.end(), [&](const std::string& a) { return matchesPattern(a, token); }),
                              "pattern ", token);
                token.clear();
            }
        }
        if (!e->dlQualifiers.empty()) CHECK(e->has(kDlPrimary));
    }
    // The fixed-length AIs that are not predefined still need a separator.
    for (const char* ai : {"422", "7003", "8001", "4307", "8005"}) {
        CHECK(findAi(ai)->fixedLength());
        CHECK_FALSE(predefinedLength(ai));
    }
    // Reserved prefixes of Figure 7.8.5-2 without an AI yet.
    CHECK(*predefinedLength("04") == 18);
    CHECK(*predefinedLength("19") == 8);
    CHECK_FALSE(findAi("04"));
    CHECK(clashesWithKnownAi("310"));
    CHECK(clashesWithKnownAi("0123"));
    CHECK_FALSE(clashesWithKnownAi("89"));
    CHECK_FALSE(clashesWithKnownAi("01"));
}

TEST_CASE("every AI of the table reads back from all three forms")
{
    Generator gen(7);
    for (const auto& ai : allAis()) {
        for (int round = 0; round < 3; ++round) {
            const std::vector<Element> elements{gen.element(ai)};
            INFO("AI ", ai, " value ", elements[0].value);
            const auto raw = parseScan("]d2" + toElementString(elements), kOptions);
            REQUIRE_MESSAGE(raw.has_value(), raw.error().code, " ", raw.error().message);
            CHECK(raw->elements.size() == 1);
            CHECK(raw->elements[0].value == elements[0].value);
            const auto hri = parseScan(toBracketed(elements), kOptions);
            REQUIRE(hri.has_value());
            CHECK(hri->elements == raw->elements);
            // In a Digital Link URI the AI is the key, an attribute of an SSCC or a key
            // qualifier of a key that takes it; an AI that is none of these can not be written.
            std::vector<Element> withKey = elements;
            const AiEntry* entry = findAi(ai);
            if (!entry->has(kDlPrimary)) {
                const std::string keyAi = entry->has(kDlAttribute) ? "00" : keyQualifiedBy(ai);
                if (keyAi.empty()) {
                    withKey.insert(withKey.begin(), gen.element("00"));
                    const auto refused = toDigitalLink(withKey, "https://example.com/gs1");
                    REQUIRE_FALSE(refused.has_value());
                    CHECK(refused.error().code == "not_dl_attribute");
                    continue;
                }
                withKey.insert(withKey.begin(), gen.element(keyAi));
            }
            const auto uri = toDigitalLink(withKey, "https://example.com/gs1");
            REQUIRE_MESSAGE(uri.has_value(), uri.error().message);
            const auto dl = parseScan(*uri, kOptions);
            REQUIRE_MESSAGE(dl.has_value(), *uri, ": ", dl.error().message);
            CHECK(dl->find(ai)->value == elements[0].value);
        }
    }
}

TEST_CASE("random valid scans round-trip raw <-> bracketed <-> Digital Link")
{
    Generator gen(20261128);
    const auto ais = allAis();
    // '#' is no choice: it is data in CSET 39 ((8010)).
    static constexpr char kSubstitutes[] = {'^', '~', '|', '@', '$'};
    static constexpr const char* kIdentifiers[] = {"]C1", "]e0", "]d2", "]Q3", "]J1"};
    int withUri = 0;
    for (int round = 0; round < 3000; ++round) {
        // A primary key most of the time (as on real labels), then random other AIs.
        std::vector<Element> elements;
        std::set<std::string> used;
        if (gen.between(0, 9) < 8) {
            static constexpr const char* kKeys[] = {"01", "00", "01", "414", "8006", "253", "8004", "8017"};
            const std::string key = kKeys[gen.between(0, 7)];
            elements.push_back(gen.element(key));
            used.insert(key);
        }
        const size_t target = elements.size() + static_cast<size_t>(gen.between(elements.empty() ? 1 : 0, 6));
        while (elements.size() < target) {
            const std::string& ai = ais[static_cast<size_t>(gen.between(0, static_cast<int>(ais.size()) - 1))];
            if (!used.insert(ai).second) continue;
            elements.push_back(gen.element(ai));
        }
        std::shuffle(elements.begin() + (elements.size() > 1 ? 1 : 0), elements.end(), gen.rng());

        const std::string bracketed = toBracketed(elements);
        INFO("elements ", bracketed);
        const auto hri = parseScan(bracketed, kOptions);
        REQUIRE_MESSAGE(hri.has_value(), hri.error().code, " ", hri.error().message);
        CHECK(hri->kind == ScanKind::Hri);
        CHECK(toBracketed(hri->elements) == bracketed);

        const std::string id = kIdentifiers[gen.between(0, 4)];
        const auto raw = parseScan(id + toElementString(elements), kOptions);
        REQUIRE(raw.has_value());
        CHECK(raw->elements == hri->elements);
        CHECK(raw->warnings == hri->warnings);
        CHECK(toElementString(raw->elements) == toElementString(elements));

        // The same with a wedge's substitute character for GS.
        ParseOptions wedge = kOptions;
        wedge.gsSubstitute = kSubstitutes[gen.between(0, 4)];
        const auto sub = parseScan(id + toElementString(elements, wedge.gsSubstitute), wedge);
        REQUIRE(sub.has_value());
        CHECK(sub->elements == hri->elements);

        const auto uri = toDigitalLink(raw->elements, gen.coin() ? "https://id.gs1.org" : "http://shop.example.com/p/q");
        if (!uri) {
            // No key, or an AI that is neither a qualifier in the path nor a data attribute.
            CHECK((uri.error().code == "no_primary_key" || uri.error().code == "not_dl_attribute"));
            continue;
        }
        ++withUri;
        const auto dl = parseScan(*uri, kOptions);
        REQUIRE_MESSAGE(dl.has_value(), *uri, ": ", dl.error().message);
        CHECK(dl->kind == ScanKind::DigitalLink);
        CHECK(sortedByAi(dl->elements) == sortedByAi(hri->elements));
        CHECK(sorted(dl->warnings) == sorted(hri->warnings));
        // And back: the URI's elements written raw and bracketed read the same again.
        const auto again = parseScan("]C1" + toElementString(dl->elements), kOptions);
        REQUIRE(again.has_value());
        CHECK(again->elements == dl->elements);
        CHECK(*toDigitalLink(again->elements, "https://id.gs1.org") == *toDigitalLink(dl->elements, "https://id.gs1.org"));
    }
    CHECK(withUri > 2000);
}
