// Vector tests of the GS1 interpretation, grouped by the rule they pin down, each group citing
// its section of the GS1 General Specifications (GS1 GS), the GS1 Digital Link URI Syntax or
// ISO/IEC 15424. "today" is 2026-11-28 unless a test says otherwise.

#include "ledger/CheckDigit.h"
#include "scan/AiTable.h"
#include "scan/Gs1Parser.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace backfill;
using namespace backfill::scan;

namespace {

ParseOptions opts(const char* today = "2026-11-28", char gs = 0)
{
    return ParseOptions{.gsSubstitute = gs, .today = *ledger::parseDate(today)};
}

Gs1Scan ok(std::string_view input, const ParseOptions& o = opts())
{
    auto r = parseScan(input, o);
    INFO("scan: ", std::string(input), " error: ", r ? std::string() : r.error().code + " " + r.error().message);
    REQUIRE(r.has_value());
    return *r;
}

ledger::Error err(std::string_view input, const ParseOptions& o = opts())
{
    auto r = parseScan(input, o);
    INFO("scan: ", std::string(input));
    REQUIRE_FALSE(r.has_value());
    return r.error();
}

std::string code(std::string_view input, const ParseOptions& o = opts()) { return err(input, o).code; }

// pairs flattens elements to "ai=value" for compact comparison.
std::vector<std::string> pairs(const Gs1Scan& s)
{
    std::vector<std::string> out;
    for (const auto& e : s.elements) out.push_back(e.ai + "=" + e.value);
    return out;
}

using V = std::vector<std::string>;
const std::string GS = "\x1d";

} // namespace

TEST_CASE("classification: plain GTIN-8/12/13/14, UPC-E and SSCC come back as (01)/(00)")
{
    // GS1 GS 3.3.2: GTINs are right-aligned in 14 digits; 2.2.1/3.3.1: the SSCC is 18 digits.
    auto s = ok("09501101530003");
    CHECK(s.kind == ScanKind::Gtin);
    CHECK_FALSE(s.symbology);
    CHECK(pairs(s) == V{"01=09501101530003"});
    CHECK(pairs(ok("9501101530003")) == V{"01=09501101530003"});    // GTIN-13
    CHECK(pairs(ok("614141000036")) == V{"01=00614141000036"});     // GTIN-12 (UPC-A)
    CHECK(pairs(ok("96385074")) == V{"01=00000096385074"});         // GTIN-8 (EAN-8)
    s = ok("106141411234567897");
    CHECK(s.kind == ScanKind::Sscc);
    CHECK(pairs(s) == V{"00=106141411234567897"});
    // 8 digits failing the EAN-8 check digit are a UPC-E; GS1 GS 5.2.2.4.2 zero suppression:
    // 0 425261 4 expands to UPC-A 042100005264.
    s = ok("04252614");
    CHECK(s.kind == ScanKind::Gtin);
    CHECK(pairs(s) == V{"01=00042100005264"});
    CHECK(err("09501101530004").message == "(01): check digit is 4, expected 3");
    CHECK(code("9501101530004") == "check_digit");
    CHECK(code("106141411234567890") == "check_digit");
    CHECK(err("04252615").message ==
          "04252615: neither an EAN-8 (check digit is 5, expected 0) nor a UPC-E (UPC-A 042100005265 check digit 5, expected 4)");
    CHECK(err("24252615").message ==
          "24252615: neither an EAN-8 (check digit is 5, expected 4) nor a UPC-E (number system must be 0 or 1)");
}

TEST_CASE("UPC-E expansion covers the four zero-suppression patterns (GS1 GS 5.2.2.4.2)")
{
    CHECK(*expandUpcE("04252614") == "042100005264");  // last digit 0-2: manufacturer XX[d6]00
    CHECK(*expandUpcE("01234534") == "012300000454");  // last digit 3
    CHECK(*expandUpcE("01234543") == "012340000053");  // last digit 4
    CHECK(*expandUpcE("01234572") == "012345000072");  // last digit 5-9
    CHECK(*expandUpcE("06543217") == "065100004327");
    CHECK_FALSE(expandUpcE("21234565"));
    CHECK_FALSE(expandUpcE("0123456"));
}

TEST_CASE("symbology identifiers (ISO/IEC 15424, GS1 GS 5.1.2)")
{
    for (const char* id : {"]C1", "]e0", "]d2", "]Q3", "]J1"}) {
        auto s = ok(std::string(id) + "0109501101530003");
        CHECK(s.kind == ScanKind::ElementString);
        CHECK(*s.symbology == id);
        CHECK(pairs(s) == V{"01=09501101530003"});
    }
    // ]E0 + 8 digits is UPC-E (even when the digits would pass as an EAN-8); ]E0 + 13 EAN-13.
    auto s = ok("]E001234565");
    CHECK(*s.symbology == "]E0");
    CHECK(s.kind == ScanKind::Gtin);
    CHECK(pairs(s) == V{"01=00012345000065"});
    CHECK(pairs(ok("]E09501101530003")) == V{"01=09501101530003"});
    CHECK(pairs(ok("]E496385074")) == V{"01=00000096385074"});
    CHECK(code("]E496385075") == "check_digit");
    CHECK(code("]E4123") == "bad_length");
    CHECK(code("]E0123456789") == "bad_length");
    // Other symbologies carry plain data: a GTIN, an SSCC or a Digital Link URI may be in it,
    // but no element string (there is no FNC1).
    s = ok("]C009501101530003");
    CHECK(s.kind == ScanKind::Gtin);
    CHECK(*s.symbology == "]C0");
    s = ok("]Q1https://id.gs1.org/01/09501101530003");
    CHECK(s.kind == ScanKind::DigitalLink);
    CHECK(*s.symbology == "]Q1");
    CHECK(code("]C00109501101530003") == "not_gs1");
    CHECK(code("]A0HELLO") == "not_gs1");
}

TEST_CASE("UPC-E under ]E0 needs number system 0 or 1")
{
    CHECK(err("]E096385074").message.find("number system must be 0 or 1") != std::string::npos);
}

TEST_CASE("anything else is not GS1")
{
    CHECK(code("") == "not_gs1");
    CHECK(code("LOC-A-01") == "not_gs1");
    CHECK(code("hello world") == "not_gs1");
    CHECK(code("ftp://id.gs1.org/01/09501101530003") == "not_gs1");
    CHECK(err("LOC-A-01").message == "not a GS1 scan: no GS1 symbology identifier, AI, GTIN, SSCC or Digital Link URI");
}

TEST_CASE("element strings: predefined lengths need no separator, others end with GS (GS1 GS 7.8.5)")
{
    // GS1 GS 7.8.5 Figure 7.8.5-2: (01), (17) and (3103) are predefined; (10) is not.
    auto s = ok("0109501101530003" "17260630" "10LOT7" + GS + "3103001250");
    CHECK(s.kind == ScanKind::ElementString);
    CHECK(pairs(s) == V{"01=09501101530003", "17=260630", "10=LOT7", "3103=001250"});
    // A variable field last needs no GS; a GS after a predefined field is tolerated.
    CHECK(pairs(ok("0109501101530003" + GS + "10ABC")) == V{"01=09501101530003", "10=ABC"});
    // An FNC1 in first position transmitted as GS, and a trailing GS, are harmless.
    CHECK(pairs(ok("]C1" + GS + "0109501101530003" + GS)) == V{"01=09501101530003"});
    // (422), (7003), (8001) have a fixed length but are not in Figure 7.8.5-2: they need a GS.
    s = ok("0109501101530003422250" + GS + "10ABC");
    CHECK(pairs(s) == V{"01=09501101530003", "422=250", "10=ABC"});
    CHECK(err("010950110153000342225010ABC").message == "(422): 8 characters, expected 3 (N3)");
    CHECK(code("01095011015300037003261128123010ABC") == "bad_length");
    CHECK(code("0109501101530003800100521000500110ABC") == "bad_length");
    CHECK(pairs(ok("0109501101530003" "800100521000500110" + GS + "10ABC")) ==
          V{"01=09501101530003", "8001=00521000500110", "10=ABC"});
}

TEST_CASE("the GS substitute of a wedge scanner stands for GS; raw GS still works")
{
    const auto caret = opts("2026-11-28", '^');
    CHECK(pairs(ok("0109501101530003" "10LOT7^17260630", caret)) == V{"01=09501101530003", "10=LOT7", "17=260630"});
    CHECK(pairs(ok("0109501101530003" "10LOT7" + GS + "17260630", caret)) == V{"01=09501101530003", "10=LOT7", "17=260630"});
    // Without the option the caret is data, and not CSET 82.
    CHECK(err("0109501101530003" "10LOT7^17260630").message == "(10): character '^' at position 5 is not in CSET 82");
}

TEST_CASE("element string errors: unknown AIs, truncation")
{
    // An AI not in the table has no knowable length in an element string.
    CHECK(err("0109501101530003" "89ABC").message ==
          "at position 17: no known AI starts '89AB'; in an element string its length can not be known, so the scan is rejected");
    CHECK(code("0109501101530003" "89ABC") == "unknown_ai");
    CHECK(code("0109501101530003" + GS + "XYZ") == "unknown_ai");
    CHECK(code("]C1ABC") == "unknown_ai");
    CHECK(err("]C101095011015300").message == "(01): 12 of its 14 characters");
    CHECK(code("0109501101530003" "1726") == "truncated");
    // 14 and 18 digits are a GTIN and an SSCC: an element string that long needs an identifier.
    CHECK(code("01095011015300") == "check_digit");
    CHECK(err("]C10109501101530003" "10").message == "(10): no data after the AI");
    CHECK(code("]C10109501101530003" "10") == "truncated");
    CHECK(err("]C10109501101530003" "31").message == "at position 20: the scan ends inside the AI '31'");
    CHECK(code("]C1") == "truncated");
    CHECK(code("0109501101530003" "10" + GS + "17260630") == "bad_length");
}

TEST_CASE("bracketed human-readable form (GS1 GS 4.15), GS1 GS example strings")
{
    // GS1 GS 2.1 / 5.6 example of a GS1 DataMatrix: GTIN, expiry, batch.
    auto s = ok("(01)09501101530003(17)140704(10)AB-123");
    CHECK(s.kind == ScanKind::Hri);
    CHECK(pairs(s) == V{"01=09501101530003", "17=140704", "10=AB-123"});
    CHECK(*s.find("17")->date == "2014-07-04");
    CHECK(s.warnings.empty());
    // The design's example.
    s = ok("(01)09501101530003(10)LOT7(17)260630");
    CHECK(pairs(s) == V{"01=09501101530003", "10=LOT7", "17=260630"});
    // A '(' that does not open an AI is data; "\(" is a literal '(' anywhere.
    CHECK(pairs(ok("(01)09501101530003(10)A(B)")) == V{"01=09501101530003", "10=A(B)"});
    CHECK(pairs(ok("(01)09501101530003(10)A\\(12)")) == V{"01=09501101530003", "10=A(12)"});
    CHECK(code("(01)09501101530003(10)") == "bad_length");
    CHECK(code("(1)23") == "unknown_ai");
    CHECK(code("(01)0950110153000") == "bad_length");
    // In brackets the length of an unknown AI is known: it is kept with known = false.
    s = ok("(01)09501101530003(89)ABC");
    CHECK(pairs(s) == V{"01=09501101530003", "89=ABC"});
    CHECK_FALSE(s.find("89")->known);
    CHECK(s.find("01")->known);
    // ... unless the code can not be an AI because it clashes with a known one.
    CHECK(err("(310)001250").message == "(310): not an AI (it clashes with a known AI)");
    CHECK(code("(0123)4") == "unknown_ai");
    CHECK(code("(89)A B") == "bad_charset");
}

TEST_CASE("lengths and character sets of every part (GS1 GS 3.2, 7.11)")
{
    CHECK(err("(10)ABCDEFGHIJKLMNOPQRSTU").message == "(10): 21 characters, expected at most 20 (X..20)");
    CHECK(err("(00)10614141123456789").message == "(00): 17 characters, expected 18 (N18)");
    CHECK(err("(7007)261128261").message == "(7007): 9 characters do not fit N6 [N6]");
    CHECK(err("(01)0950110153000A").message == "(01): character 'A' at position 14 is not in N");
    CHECK(err("(10)LOT\x01" "7").message == "(10): character 0x01 at position 4 is not in CSET 82");
    // CSET 39 for (8010): no lower case.
    CHECK(pairs(ok("(8010)0614141#-/ABC(8011)12")) == V{"8010=0614141#-/ABC", "8011=12"});
    CHECK(err("(8010)0614141abc").message == "(8010): character 'a' at position 8 is not in CSET 39");
    // CSET 64 for (8030): base64url, '=' only as padding, and only to a multiple of three.
    CHECK(ok("(00)106141411234567897(8030)AbC-_9A==").warnings.empty());
    CHECK(code("(00)106141411234567897(8030)AbC-_9==") == "bad_charset");
    CHECK(err("(00)106141411234567897(8030)Ab=C").message == "(8030): '=' at position 3 is only allowed as padding at the end");
    CHECK(code("(00)106141411234567897(8030)Ab.C") == "bad_charset");
    // CSET 82 has every one of its 20 symbols.
    CHECK(ok("(01)09501101530003(10)!\"%&'()*+,-./:;<").find("10")->value == "!\"%&'()*+,-./:;<");
    CHECK(ok("(01)09501101530003(21)=>?_azAZ09").find("21")->value == "=>?_azAZ09");
}

TEST_CASE("check digits on every GS1 key (GS1 GS 7.9.1) and the GMN pair (7.9.5)")
{
    CHECK(err("(00)106141411234567890").message == "(00): check digit is 0, expected 7");
    CHECK(err("(02)09501101530004(37)5").message == "(02): check digit is 4, expected 3");
    CHECK(code("(410)9501101530001") == "check_digit");
    CHECK(ok("(410)9501101530003").find("410"));
    CHECK(code("(414)9501101530001") == "check_digit");
    CHECK(code("(402)95011015300000001") == "check_digit");
    CHECK(ok("(402)95011015300000003").find("402"));
    CHECK(code("(253)9501101530001ABC") == "check_digit");
    CHECK(ok("(253)9501101530003ABC").find("253")->value == "9501101530003ABC");
    CHECK(code("(8003)09501101530001") == "check_digit");
    CHECK(code("(8003)19501101530003") == "bad_value");  // the GRAI's leading digit is 0
    CHECK(code("(8017)106141411234567890") == "check_digit");
    CHECK(code("(8006)095011015300040102") == "check_digit");
    // 7.9.5: "1987654Ad4X4bL5ttr2310c2K" is the GMN example of the GS1 GS.
    CHECK(ok("(8013)1987654Ad4X4bL5ttr2310c2K").find("8013"));
    CHECK(err("(8013)1987654Ad4X4bL5ttr2310c2L").message == "(8013): check characters are 2L, expected 2K");
}

TEST_CASE("dates: YYMMDD, DD = 00 where allowed (GS1 GS 3.4.2-3.4.7)")
{
    auto s = ok("(01)09501101530003(17)260600");  // expiry June 2026: the last day counts
    CHECK(*s.find("17")->date == "2026-06-30");
    CHECK(*ok("(01)09501101530003(15)280200").find("15")->date == "2028-02-29");  // leap year
    CHECK(*ok("(01)09501101530003(15)270200").find("15")->date == "2027-02-28");
    for (const char* ai : {"11", "12", "13", "15", "16", "17"})
        CHECK(ok(std::string("(01)09501101530003(8020)A(415)9501101530003(") + ai + ")261100").find(ai)->date == "2026-11-30");
    CHECK(err("(01)09501101530003(17)261301").message == "(17): month 13 does not exist in date 261301");
    CHECK(err("(01)09501101530003(17)260230").message == "(17): 2026-02-30 does not exist (date 260230)");
    CHECK(code("(01)09501101530003(11)260000") == "bad_date");
    // AIs whose format has a real day (yymmdd) refuse DD = 00.
    CHECK(err("(01)09501101530003(7006)260600").message ==
          "(7006): day 00 is not allowed in date 260600 (only the dates (11)-(17) may use it)");
    CHECK(*ok("(01)09501101530003(7006)260615").find("7006")->date == "2026-06-15");
    // (7007) may carry a harvest period: start and end date.
    s = ok("(01)09501101530003(7007)260601260615");
    CHECK(*s.find("7007")->date == "2026-06-01");
    CHECK(*s.find("7007")->endDate == "2026-06-15");
    CHECK(*ok("(8018)106141411234567897(7250)19991231").find("7250")->date == "1999-12-31");
    CHECK(code("(8018)106141411234567897(7250)19990229") == "bad_date");
}

TEST_CASE("century of YYMMDD by the sliding window relative to today (GS1 GS 7.12)")
{
    // today 2026: YY - 26 >= 51 is last century, <= -50 next century, else this one.
    auto year = [](const char* yymmdd, const char* today) {
        auto s = ok(std::string("(01)09501101530003(17)") + yymmdd, opts(today));
        return s.find("17")->date->substr(0, 4);
    };
    CHECK(year("760101", "2026-11-28") == "2076");  // diff 50: this century
    CHECK(year("770101", "2026-11-28") == "1977");  // diff 51: previous century
    CHECK(year("000101", "2026-11-28") == "2000");
    CHECK(year("250101", "2075-06-01") == "2125");  // diff -50: next century
    CHECK(year("260101", "2075-06-01") == "2026");  // diff -49: this century
    CHECK(year("990101", "2001-01-01") == "1999");
    CHECK(year("490101", "1999-12-31") == "2049");
    CHECK(year("480101", "1999-12-31") == "2048");
    // 29 February depends on the century chosen: 2000 is a leap year, 2100 is not.
    CHECK(*ok("(01)09501101530003(17)000229", opts("2026-01-01")).find("17")->date == "2000-02-29");
    CHECK(code("(01)09501101530003(17)000229", opts("2070-01-01")) == "bad_date");
}

TEST_CASE("date-time AIs carry date and time")
{
    auto s = ok("(01)09501101530003(7003)2611281230");
    CHECK(*s.find("7003")->date == "2026-11-28");
    CHECK(*s.find("7003")->time == "12:30");
    CHECK(err("(01)09501101530003(7003)2611282430").message == "(7003): '2430' is not a time of day (HHMI)");
    CHECK(code("(01)09501101530003(7003)2611281260") == "bad_time");
    // (8008): YYMMDDHH with optional minutes and seconds.
    CHECK(*ok("(01)09501101530003(8008)26112807").find("8008")->time == "07:00");
    CHECK(*ok("(01)09501101530003(8008)2611280745").find("8008")->time == "07:45");
    CHECK(*ok("(01)09501101530003(8008)261128074559").find("8008")->time == "07:45");
    CHECK(code("(01)09501101530003(8008)261128074560") == "bad_time");
    CHECK(code("(01)09501101530003(8008)2611280") == "bad_length");
    // (7011) time optional; (4324) uses yymmd0 with a time.
    CHECK_FALSE(ok("(01)09501101530003(7011)261128").find("7011")->time);
    s = ok("(00)106141411234567897(4324)2612000800");
    CHECK(*s.find("4324")->date == "2026-12-31");
    CHECK(*s.find("4324")->time == "08:00");
    CHECK(*ok("(8018)106141411234567897(7251)200002290930").find("7251")->time == "09:30");
}

TEST_CASE("decimal AIs: 310n-369n and 390n-395n give an exact decimal (GS1 GS 3.6)")
{
    auto s = ok("0109501101530003" "3103001250");
    CHECK(*s.find("3103")->decimal == "1.250");
    CHECK(*ok("(01)09501101530003(3100)001250").find("3100")->decimal == "1250");
    CHECK(*ok("(01)09501101530003(3105)001250").find("3105")->decimal == "0.01250");
    CHECK(*ok("(01)09501101530003(3205)000000").find("3205")->decimal == "0.00000");
    CHECK(*ok("(00)106141411234567897(3302)123456").find("3302")->decimal == "1234.56");
    CHECK(*ok("(01)09501101530003(3692)000005").find("3692")->decimal == "0.05");
    // 3106 is no AI (n runs 0-5 for measures).
    CHECK(code("0109501101530003" "3106001250") == "unknown_ai");
    // Amounts: N..15; 391n with ISO 4217 currency first.
    s = ok("(8020)REF1(415)9501101530003(3902)12345");
    CHECK(*s.find("3902")->decimal == "123.45");
    s = ok("(8020)REF1(415)9501101530003(3912)978123456");
    CHECK(*s.find("3912")->decimal == "1234.56");
    CHECK(*s.find("3912")->currency == "978");
    CHECK(*ok("(8020)REF1(415)9501101530003(3909)5").find("3909")->decimal == "0.000000005");
    CHECK(*ok("(255)9501101530003(3941)0125").find("3941")->decimal == "12.5");
    CHECK(*ok("(01)09501101530003(30)2(3955)001999").find("3955")->decimal == "0.01999");
    CHECK(code("(01)09501101530003(3103)00125A") == "bad_charset");
}

TEST_CASE("other content rules give bad_value")
{
    CHECK(code("(01)09501101530003(8001)00000000100110") == "bad_value");  // width 0
    CHECK(code("(01)09501101530003(8001)00521000500150") == "bad_value");  // winding 5
    CHECK(ok("(01)09501101530003(8001)00521000500190").find("8001"));
    CHECK(code("(8006)095011015300030302") == "bad_value");  // piece 3 of 2
    CHECK(ok("(8006)095011015300030202").find("8006"));
    CHECK(code("(00)106141411234567897(4321)2") == "bad_value");
    CHECK(code("(00)106141411234567897(4300)A%2") == "bad_value");
    CHECK(ok("(00)106141411234567897(4300)A%20B").find("4300"));
    CHECK(code("(00)106141411234567897(4309)18000000010000000000") == "bad_value");
    CHECK(code("(8010)0614141ABC(8011)0123") == "bad_value");
    CHECK(code("(8017)106141411234567897(7241)50") == "bad_value");
    CHECK(code("(8018)106141411234567897(7259)A(7258)3/2") == "bad_value");
    CHECK(code("(8018)106141411234567897(7252)3") == "bad_value");
    CHECK(ok("(01)09501101530003(8014)ABC1233L").find("8014"));
    CHECK(err("(01)09501101530003(8014)109999822").message == "(8014): '109999822' must hold a non-digit");
    CHECK(ok("(415)9501101530003(8020)A(8007)GB82WEST12345698765432").find("8007"));
    CHECK(code("(415)9501101530003(8020)A(8007)GB82WEST12345698765431") == "bad_value");
    CHECK(code("(00)106141411234567897(4330)001234+") == "bad_value");
    CHECK(ok("(00)106141411234567897(4330)001234-").find("4330"));
}

TEST_CASE("association rules are warnings, not rejections (GS1 GS 4.14)")
{
    // 4.14.2: (10) needs a GTIN (or (02), (03), (8006), (8026)).
    auto s = ok("10LOT7");
    CHECK(pairs(s) == V{"10=LOT7"});
    CHECK(s.warnings == V{"(10) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)"});
    // (37) wants (00) and one of (02), (8026); (02) wants (37).
    s = ok("(02)09501101530003(37)12");
    CHECK(s.warnings == V{"(37) should come with (00) (GS1 GS 4.14.2)"});
    CHECK(ok("(00)106141411234567897(02)09501101530003(37)12").warnings.empty());
    CHECK(ok("(02)09501101530003").warnings == V{"(02) should come with (37) (GS1 GS 4.14.2)"});
    // 4.14.1: (01) and (37) are an invalid pair; two net weights too. Reported once per pair.
    s = ok("(01)09501101530003(37)12");
    CHECK(s.warnings == V{"(01) and (37) must not be used together (GS1 GS 4.14.1)",
                          "(37) should come with (00) (GS1 GS 4.14.2)",
                          "(37) should come with (02) or (8026) (GS1 GS 4.14.2)"});
    s = ok("(01)09501101530003(3102)001250(3103)001250");
    CHECK(s.warnings == V{"(3102) and (3103) must not be used together (GS1 GS 4.14.1)"});
    // '+' groups: (8030) with (01) needs (21) too.
    CHECK(ok("(01)09501101530003(21)S1(8030)AbC").warnings.empty());
    CHECK(ok("(01)09501101530003(8030)AbC").warnings.size() == 1);
    // An unknown AI has no rules.
    CHECK(ok("(01)09501101530003(89)X").warnings.empty());
}

TEST_CASE("repeated AIs: identical repeats collapse, different values are rejected (GS1 GS 4.14.1)")
{
    CHECK(pairs(ok("(01)09501101530003(10)A(10)A")) == V{"01=09501101530003", "10=A"});
    CHECK(err("(01)09501101530003(10)A(10)B").message == "(10): appears twice with different values 'A' and 'B'");
    CHECK(code("(01)09501101530003(10)A(10)B") == "duplicate_ai");
}

TEST_CASE("GS1 Digital Link URIs (GS1 Digital Link URI Syntax 1.4)")
{
    // The standard's example: key, qualifiers in the path, a data attribute in the query.
    auto s = ok("https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426");
    CHECK(s.kind == ScanKind::DigitalLink);
    CHECK(pairs(s) == V{"01=09520123456788", "10=ABC1", "21=12345", "17=180426"});
    CHECK(*s.find("17")->date == "2018-04-26");
    // Any domain, a path prefix, http, a GTIN-13 normalised to 14, non-AI parameters ignored.
    s = ok("http://example.com/products/shop/01/9520123456788?linkType=gs1:pip&3103=001250");
    CHECK(pairs(s) == V{"01=09520123456788", "3103=001250"});
    CHECK(*s.find("3103")->decimal == "1.250");
    CHECK(pairs(ok("HTTPS://ID.EXAMPLE.COM/01/96385074")) == V{"01=00000096385074"});
    CHECK(pairs(ok("https://x.example/01/614141000036")) == V{"01=00614141000036"});
    // %-decoding in path and query; a fragment carries no data.
    s = ok("https://id.example.com/01/09501101530003/10/AB%2F12%25?400=PO%2B1#frag");
    CHECK(pairs(s) == V{"01=09501101530003", "10=AB/12%", "400=PO+1"});
    CHECK(code("https://id.example.com/01/09501101530003?400=PO%201") == "bad_charset");
    // A numeric parameter is an AI: one that is not in the table is refused, whatever its
    // length (its rules are unknown), as GS1's engine does.
    CHECK(err("https://id.example.com/01/09501101530003?89=X").message ==
          "digital link: query parameter '89' at position 42 is not a known AI");
    CHECK(code("https://id.example.com/01/09501101530003?9=Y") == "unknown_ai");
    CHECK(code("https://id.example.com/01/09501101530003?12345=Z") == "unknown_ai");
    // Other primary keys and their qualifiers.
    CHECK(pairs(ok("https://e.com/414/9501101530003/254/EXT1")) == V{"414=9501101530003", "254=EXT1"});
    CHECK(pairs(ok("https://e.com/00/106141411234567897?02=09501101530003&37=12")) ==
          V{"00=106141411234567897", "02=09501101530003", "37=12"});
    CHECK(pairs(ok("https://e.com/01/09501101530003/235/TPX1")) == V{"01=09501101530003", "235=TPX1"});
    CHECK(pairs(ok("https://e.com/8006/095011015300030102/21/S")) == V{"8006=095011015300030102", "21=S"});
    // A path prefix may hold anything that does not pair up as a key and value to the end.
    CHECK(pairs(ok("https://e.com/a/01/09501101530003")) == V{"01=09501101530003"});
    // ... even a segment that looks like a key, when the rest of the path does not fit it.
    CHECK(pairs(ok("https://brand.example/8004/catalogue/01/09501101530003/21/S1")) ==
          V{"01=09501101530003", "21=S1"});
}

TEST_CASE("Digital Link errors")
{
    CHECK(code("https://example.com/") == "not_gs1");
    CHECK(err("https://example.com/about/us").message ==
          "no GS1 Digital Link primary key, e.g. /01/<GTIN> or /00/<SSCC>, in the path of 'https://example.com/about/us'");
    CHECK(code("https:///01/09501101530003") == "bad_digital_link");
    CHECK(code("https://e.com/01/09501101530003/10/A%2") == "bad_digital_link");
    CHECK(code("https://e.com/01/09501101530003/10/A%zz") == "bad_digital_link");
    // Qualifiers keep their order and data attributes belong in the query.
    CHECK(err("https://e.com/01/09501101530003/21/S/10/L").message ==
          "(10) can not follow in the path: key qualifiers of (01) are (22), (10), (21), or (235) in that order; data attributes go in the query");
    CHECK(code("https://e.com/01/09501101530003/17/260630") == "bad_digital_link");
    CHECK(code("https://e.com/01/09501101530003/10/L/235/T") == "bad_digital_link");
    CHECK(err("https://e.com/00/106141411234567897/10/L").message.find("(00) takes no key qualifiers") != std::string::npos);
    CHECK(code("https://e.com/01/09501101530004") == "check_digit");
    CHECK(code("https://e.com/01/123") == "bad_length");
    CHECK(code("https://e.com/01/09501101530003?17=261301") == "bad_date");
    // In a Digital Link an AI appears once, even with the same value; a key qualifier of
    // the key is refused in the query (it belongs in the path).
    CHECK(code("https://e.com/01/09501101530003?99=A&99=B") == "duplicate_ai");
    CHECK(code("https://e.com/01/09501101530003?99=A&99=A") == "duplicate_ai");
    CHECK(code("https://e.com/01/09501101530003/10/A?10=B") == "duplicate_ai");
    CHECK(code("https://e.com/01/09501101530003?10=A&10=B") == "bad_digital_link");
    CHECK(code("https://e.com/01/09501101530003?310=1") == "unknown_ai");
    CHECK(code("https://e.com/01/09501101530003?99=") == "bad_length");
}

TEST_CASE("formatters: bracketed, element string and Digital Link forms")
{
    const auto s = ok("(01)09501101530003(3103)001250(10)A(B(21)S/1(17)260630");
    // GS1 GS 4.15 human-readable form; a '(' in a value is escaped so it reads back.
    CHECK(toBracketed(s.elements) == "(01)09501101530003(3103)001250(10)A\\(B(21)S/1(17)260630");
    // GS1 GS 7.8.5: GS only after fields that are not predefined, never at the end.
    CHECK(toElementString(s.elements) == "0109501101530003" "3103001250" "10A(B" + GS + "21S/1" + GS + "17260630");
    CHECK(toElementString(s.elements, '^') == "0109501101530003" "3103001250" "10A(B^21S/1^17260630");
    // GS1 Digital Link: key and qualifiers (in the key's order) in the path, the rest as
    // query attributes in their order; values %-encoded.
    CHECK(*toDigitalLink(s.elements) == "https://id.gs1.org/01/09501101530003/10/A%28B/21/S%2F1?3103=001250&17=260630");
    CHECK(*toDigitalLink(s.elements, "https://example.com/p") ==
          "https://example.com/p/01/09501101530003/10/A%28B/21/S%2F1?3103=001250&17=260630");
    // The alternative qualifier (235) of (01) is used when it places more.
    CHECK(*toDigitalLink(ok("(01)09501101530003(235)T1").elements) == "https://id.gs1.org/01/09501101530003/235/T1");
    CHECK(*toDigitalLink(ok("(00)106141411234567897(02)09501101530003(37)12").elements) ==
          "https://id.gs1.org/00/106141411234567897?02=09501101530003&37=12");
    const auto noKey = toDigitalLink(ok("(10)LOT7(17)260630").elements);
    REQUIRE_FALSE(noKey.has_value());
    CHECK(noKey.error().code == "no_primary_key");
}

TEST_CASE("Gs1Scan::find and the kind names")
{
    const auto s = ok("]C10109501101530003" "10LOT7");
    CHECK(s.find("10")->value == "LOT7");
    CHECK(s.find("17") == nullptr);
    CHECK(s.scan == "]C10109501101530003" "10LOT7");
    CHECK(scanKindName(ScanKind::ElementString) == "element_string");
    CHECK(scanKindName(ScanKind::Gtin) == "gtin");
    CHECK(scanKindName(ScanKind::Sscc) == "sscc");
    CHECK(scanKindName(ScanKind::DigitalLink) == "digital_link");
    CHECK(scanKindName(ScanKind::Hri) == "hri");
}

TEST_CASE("example element strings of the GS1 General Specifications")
{
    // GTIN with net weight 0.123 kg, concatenated without a separator (7.8.5).
    auto s = ok("]C10195012345678903" "3103000123");
    CHECK(pairs(s) == V{"01=95012345678903", "3103=000123"});
    CHECK(*s.find("3103")->decimal == "0.123");
    CHECK(pairs(ok("(01)95012345678903(3103)000123")) == pairs(s));
    // SSCC of a logistic unit (3.3.1).
    CHECK(pairs(ok("]C100006141411234567890")) == V{"00=006141411234567890"});
    CHECK(pairs(ok("006141411234567890")) == V{"00=006141411234567890"});
    // GTIN + expiry + batch, the GS1 DataMatrix example (2.1, 5.6).
    s = ok("]d2010950110153000317140704" "10AB-123");
    CHECK(pairs(s) == V{"01=09501101530003", "17=140704", "10=AB-123"});
}
