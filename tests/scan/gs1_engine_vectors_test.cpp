// backfill parse held against the unit-test vectors of GS1's own engine, the GS1 Syntax
// Engine (github.com/gs1/gs1-syntax-engine, src/c-lib/ai.c and dl.c). Each row is a fact
// taken from those tests, in our own table: the input, GS1's verdict, and what backfill
// answers (its exact error code, or the exact warnings when it accepts). Where backfill
// accepts what GS1 refuses, `lenient` names the documented choice (docs/gs1.md, "Agreement
// with GS1's engine"); every other row must reach GS1's verdict. The counts at the end are the
// figures docs/gs1.md states.

#include "scan/Gs1Parser.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <string_view>

using namespace backfill;
using namespace backfill::scan;

namespace {

enum class Src { Hri, Raw, Assoc, Lint, Dl, DlPath };

// GS1's verdict. Association: refused for a broken association rule (GS1 GS 4.14), which
// backfill reports as a warning. WithOption: accepted only with a non-default option of the
// engine (convenience alphas, unknown AIs as Digital Link attributes); GS1's default refuses.
enum class Gs1 { Accepts, Refuses, Association, WithOption };

struct Vector {
    Src src;
    std::string_view input;
    Gs1 gs1;
    std::string_view code;      // backfill's error code; "" = accepted
    std::string_view lenient;   // why backfill accepts what GS1 refuses; "" = same verdict
    std::string_view warnings;  // when accepted: every warning, '\n'-separated
};

// The documented leniencies (docs/gs1.md): what backfill accepts although GS1 refuses it.
const std::map<std::string_view, std::string_view> kLeniencies{
    {"coupon", "the contents of the coupon AIs (8110), (8112) are not decoded"},
    {"code_list", "ISO 3166 / ISO 4217 code lists are not checked"},
    {"company_prefix", "GS1 Company Prefix positions are not checked"},
    {"scheme_case", "http/https in any letter case"},
    {"short_gtin", "a GTIN-8/12/13 for (01) in a Digital Link stands for its GTIN-14"},
};

// clang-format off
const Vector kVectors[] = {

    // GS1 syntax engine ai.c, test_ai_parseAIdata: bracketed AI data (plus the X..90 limit of (99)).
    {Src::Hri, "(01)12345678901231", Gs1::Accepts, "", "", ""},
    {Src::Hri, "(10)12345", Gs1::Accepts, "", "", "(10) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Hri, "(01)12345678901231(10)12345", Gs1::Accepts, "", "", ""},
    {Src::Hri, "(3100)123456(10)12345", Gs1::Accepts, "", "", "(3100) should come with (01) or (02) (GS1 GS 4.14.2)\012(10) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Hri, "(10)12345(11)991225", Gs1::Accepts, "", "", "(10) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)\012(11) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Hri, "(3900)12345(11)991225", Gs1::Accepts, "", "", "(3900) should come with (255) or (8020) (GS1 GS 4.14.2)\012(11) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Hri, "(10)12345\\(11)991225", Gs1::Accepts, "", "", "(10) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Hri, "(10)12345\\(", Gs1::Accepts, "", "", "(10) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Hri, "(235)ABC", Gs1::Accepts, "", "", "(235) should come with (01) (GS1 GS 4.14.2)"},
    {Src::Hri, "(01)12345678901231(235)XYZ", Gs1::Accepts, "", "", ""},
    {Src::Hri, "(01)12345678901231(235)XYZ(10)BATCH", Gs1::Accepts, "", "", ""},
    {Src::Hri, "(235)ABCDEFGHIJKLMNOPQRSTUVWXYZ12", Gs1::Accepts, "", "", "(235) should come with (01) (GS1 GS 4.14.2)"},
    {Src::Hri, "(235)ABCDEFGHIJKLMNOPQRSTUVWXYZ123", Gs1::Refuses, "bad_length", "", ""},
    {Src::Hri, "(10)(11)98765", Gs1::Refuses, "bad_length", "", ""},
    {Src::Hri, "(10)12345(11)", Gs1::Refuses, "bad_length", "", ""},
    {Src::Hri, "(1A)12345", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Hri, "1(12345", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Hri, "12345", Gs1::Refuses, "truncated", "", ""},
    {Src::Hri, "()12345", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Hri, "(1)12345", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Hri, "(12345)12345", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Hri, "(15", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Hri, "(1", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Hri, "(", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Hri, "(01)123456789012312(10)12345", Gs1::Refuses, "bad_length", "", ""},
    {Src::Hri, "(10)12345^", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Hri, "(17)9(90)217", Gs1::Refuses, "bad_length", "", ""},
    {Src::Hri, "(99)AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Gs1::Accepts, "", "", ""},
    {Src::Hri, "(99)AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Gs1::Refuses, "bad_length", "", ""},

    // ai.c, test_ai_processAIdata: unbracketed AI data, "^" = FNC1. A leading FNC1 is written as the
    // GS1-128 identifier ]C1 and the others as GS; data without it as plain Code 128, ]C0.
    {Src::Raw, "]C0", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Raw, "]C0991234", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Raw, "]C1", Gs1::Refuses, "truncated", "", ""},
    {Src::Raw, "]C1891234", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Raw, "]C1991234", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C199~ABC", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Raw, "]C199ABC~", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Raw, "]C10112345678901231", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C101A2345678901231", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Raw, "]C1011234567890123A", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Raw, "]C10112345678901234", Gs1::Refuses, "check_digit", "", ""},
    {Src::Raw, "]C1011234567890123", Gs1::Refuses, "truncated", "", ""},
    {Src::Raw, "]C101123456789012312", Gs1::Refuses, "truncated", "", ""},
    {Src::Raw, "]C10112345678901231\035", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C1011234567890123\035", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Raw, "]C101123456789012345\035", Gs1::Refuses, "check_digit", "", ""},
    {Src::Raw, "]C101123456789012345\035991234", Gs1::Refuses, "check_digit", "", ""},
    {Src::Raw, "]C10112345678901231991234", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C10112345678901231\035991234", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C12421", Gs1::Accepts, "", "", "(242) should come with (01), (02), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C124212", Gs1::Accepts, "", "", "(242) should come with (01), (02), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C1242123", Gs1::Accepts, "", "", "(242) should come with (01), (02), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C12421234", Gs1::Accepts, "", "", "(242) should come with (01), (02), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C124212345", Gs1::Accepts, "", "", "(242) should come with (01), (02), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C1242123456", Gs1::Accepts, "", "", "(242) should come with (01), (02), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C1242123456\03510ABC123", Gs1::Accepts, "", "", "(242) should come with (01), (02), (8006) or (8026) (GS1 GS 4.14.2)\012(10) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C1242123456\035", Gs1::Accepts, "", "", "(242) should come with (01), (02), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C12421234567", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C181111234", Gs1::Accepts, "", "", "(8111) should come with (255) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C18111123", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1811112345", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C181111234\03510ABC123", Gs1::Accepts, "", "", "(8111) should come with (255) (GS1 GS 4.14.2)\012(10) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C1800112341234512398", Gs1::Accepts, "", "", "(8001) should come with (01) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C180011234123451239", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C18001123412345123981", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1800112341234512398\0350112345678901231", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C180011234123451239\0350112345678901231", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C18001123412345123981\03501123456789012312", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C17007211225211231", Gs1::Accepts, "", "", "(7007) should come with (01) or (02) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C17007211225", Gs1::Accepts, "", "", "(7007) should come with (01) or (02) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C170072112252", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1700721122521", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C17007211225211", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C170072112252112", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1700721122521123", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C170072112252212311", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1800302112345678900ABC", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C1800302112345678901ABC", Gs1::Refuses, "check_digit", "", ""},
    {Src::Raw, "]C1800302112345678900", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C1800302112345678900\03510ABC123", Gs1::Accepts, "", "", "(10) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C1800302112345678900ABCDEFGHIJKLMNOP", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C1800302112345678900ABCDEFGHIJKLMNOPQ", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C17230121234567890123456789012345678", Gs1::Accepts, "", "", "(7230) should come with (01) or (8004) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C172301212345678901234567890123456789", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C17230123", Gs1::Accepts, "", "", "(7230) should come with (01) or (8004) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C1723012", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1235ABC", Gs1::Accepts, "", "", "(235) should come with (01) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C1235ABCDEFGHIJKLMNOPQRSTUVWXYZ12", Gs1::Accepts, "", "", "(235) should come with (01) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C1235ABCDEFGHIJKLMNOPQRSTUVWXYZ123", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C10112345678901231235XYZ", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C10112345678901231235XYZ\03510BATCH", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C1423", Gs1::Refuses, "truncated", "", ""},
    {Src::Raw, "]C14235", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C142352", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1423528", Gs1::Accepts, "", "", "(423) should come with (01) or (02) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C14235285", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C142352852", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1423528528", Gs1::Accepts, "", "", "(423) should come with (01) or (02) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C14235285285", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C142352852852", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1423528528528", Gs1::Accepts, "", "", "(423) should come with (01) or (02) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C14235285285285", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C142352852852852", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1423528528528528", Gs1::Accepts, "", "", "(423) should come with (01) or (02) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C14235285285285285", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C142352852852852852", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1423528528528528528", Gs1::Accepts, "", "", "(423) should come with (01) or (02) (GS1 GS 4.14.2)"},
    {Src::Raw, "]C14235285285285285285", Gs1::Refuses, "bad_length", "", ""},
    {Src::Raw, "]C1891234", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Raw, "]C199AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Gs1::Accepts, "", "", ""},
    {Src::Raw, "]C199AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Gs1::Refuses, "bad_length", "", ""},

    // ai.c, test_ai_validateAIs: repeats, invalid pairs, requisites, (8030) with an unserialised key.
    // GS1 refuses a broken association rule; backfill accepts with a warning (DESIGN.md).
    {Src::Assoc, "(400)ABC", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(400)ABC(400)ABC", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(400)ABC(99)DEF(400)ABC", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(99)ABC(400)XYZ(400)XYZ", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(400)ABC(400)AB", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(400)ABC(400)ABCD", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(400)ABC(400)ABC(400)XYZ", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(400)ABC(400)XYZ(400)ABC", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(400)ABC(400)XYZ(400)XYZ", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(400)ABC(99)DEF(400)XYZ", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(99)ABC(400)ABC(400)XYZ", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(89)ABC(89)ABC(89)ABC", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(89)ABC(89)ABC(89)XYZ", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(89)ABC(89)XYZ(89)ABC", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(89)ABC(89)XYZ(89)XYZ", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(89)ABC(89)AB(89)ABC", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(89)ABC(89)ABCD(89)ABC", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Assoc, "(01)12345678901231(02)12345678901231", Gs1::Association, "", "", "(02) should come with (37) (GS1 GS 4.14.2)\012(01) and (02) must not be used together (GS1 GS 4.14.1)"},
    {Src::Assoc, "(99)ABC123(01)12345678901231(02)12345678901231", Gs1::Association, "", "", "(02) should come with (37) (GS1 GS 4.14.2)\012(01) and (02) must not be used together (GS1 GS 4.14.1)"},
    {Src::Assoc, "(01)12345678901231(99)ABC123(02)12345678901231", Gs1::Association, "", "", "(02) should come with (37) (GS1 GS 4.14.2)\012(01) and (02) must not be used together (GS1 GS 4.14.1)"},
    {Src::Assoc, "(01)12345678901231(02)12345678901231(99)ABC123", Gs1::Association, "", "", "(02) should come with (37) (GS1 GS 4.14.2)\012(01) and (02) must not be used together (GS1 GS 4.14.1)"},
    {Src::Assoc, "(01)12345678901231(255)5412345000150", Gs1::Association, "", "", "(01) and (255) must not be used together (GS1 GS 4.14.1)"},
    {Src::Assoc, "(01)12345678901231(37)123", Gs1::Association, "", "", "(01) and (37) must not be used together (GS1 GS 4.14.1)\012(37) should come with (00) (GS1 GS 4.14.2)\012(37) should come with (02) or (8026) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(21)ABC123(235)XYZ", Gs1::Association, "", "", "(21) should come with (01), (03) or (8006) (GS1 GS 4.14.2)\012(21) and (235) must not be used together (GS1 GS 4.14.1)\012(235) should come with (01) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(3940)1234(8111)9999", Gs1::Association, "", "", "(3940) should come with (255) (GS1 GS 4.14.2)\012(3940) and (8111) must not be used together (GS1 GS 4.14.1)\012(8111) should come with (255) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(3940)1234(3941)9999", Gs1::Association, "", "", "(3940) should come with (255) (GS1 GS 4.14.2)\012(3940) and (3941) must not be used together (GS1 GS 4.14.1)\012(3941) should come with (255) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(3955)123456(3929)123", Gs1::Association, "", "", "(3955) should come with (30), (31nn), (32nn), (35nn) or (36nn) (GS1 GS 4.14.2)\012(3929) and (3955) must not be used together (GS1 GS 4.14.1)\012(3929) should come with (01) (GS1 GS 4.14.2)\012(3929) should come with (30), (31nn), (32nn), (35nn) or (36nn) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(3333)333333(3338)030333", Gs1::Association, "", "", "(3333) should come with (00) or (01) (GS1 GS 4.14.2)\012(3333) and (3338) must not be used together (GS1 GS 4.14.1)"},
    {Src::Assoc, "(01)12345678901231(3333)333333(3338)030333", Gs1::Association, "", "", "(3333) and (3338) must not be used together (GS1 GS 4.14.1)"},
    {Src::Assoc, "(3338)030333(3333)333333", Gs1::Association, "", "", "(3333) should come with (00) or (01) (GS1 GS 4.14.2)\012(3333) and (3338) must not be used together (GS1 GS 4.14.1)"},
    {Src::Assoc, "(3300)000000(3333)333333(3338)030333", Gs1::Association, "", "", "(3300) should come with (00) or (01) (GS1 GS 4.14.2)\012(3333) should come with (00) or (01) (GS1 GS 4.14.2)\012(3333) and (3338) must not be used together (GS1 GS 4.14.1)"},
    {Src::Assoc, "(02)12345678901231", Gs1::Association, "", "", "(02) should come with (37) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(02)12345678901231(37)123", Gs1::Association, "", "", "(37) should come with (00) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(99)AAA(02)12345678901231(37)123", Gs1::Association, "", "", "(37) should come with (00) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(02)12345678901231(99)AAA(37)123", Gs1::Association, "", "", "(37) should come with (00) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(02)12345678901231(37)123(99)AAA", Gs1::Association, "", "", "(37) should come with (00) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(02)12345678901231(37)123(00)123456789012345675", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(91)XXX(02)12345678901231(92)YYY(37)123(93)ZZZ(00)123456789012345675", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(21)ABC123", Gs1::Association, "", "", "(21) should come with (01), (03) or (8006) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(21)ABC123(01)12345678901231", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(21)ABC123(8006)123456789012310510", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(01)12345678901231(250)ABC123", Gs1::Association, "", "", "(250) should come with (21) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(01)12345678901231(21)XYZ999(250)ABC123", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(01)12345678901231(3925)12599", Gs1::Association, "", "", "(3925) should come with (30), (31nn), (32nn), (35nn) or (36nn) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(01)12345678901231(3925)12599(30)123", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(01)12345678901231(3925)12599(3100)654321", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(01)12345678901231(3925)12599(3105)654321", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(01)12345678901231(3925)12599(3160)654321", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(01)12345678901231(3925)12599(3165)654321", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(01)12345678901231(3925)12599(3295)654321", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(01)12345678901231(3925)12599(3500)654321", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(01)12345678901231(3925)12599(3575)654321", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(01)12345678901231(3925)12599(3600)654321", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(01)12345678901231(3925)12599(3695)654321", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8030)DIGSIG", Gs1::Association, "", "", "(8030) should come with (00), (01)+(21), (253), (255), (8003), (8004), (8006)+(21), (8010)+(8011), (8017) or (8018) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(8030)DIGSIG(00)123456789012345675", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8030)DIGSIG(01)12345678901231", Gs1::Association, "", "", "(8030) should come with (00), (01)+(21), (253), (255), (8003), (8004), (8006)+(21), (8010)+(8011), (8017) or (8018) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(8030)DIGSIG(01)12345678901231(21)ABC123", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8030)DIGSIG(253)1234567890128X", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8030)DIGSIG(255)12345678901280", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8030)DIGSIG(8003)01234567890128X", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8030)DIGSIG(8004)01234567890", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8030)DIGSIG(8006)123456789012310102", Gs1::Association, "", "", "(8030) should come with (00), (01)+(21), (253), (255), (8003), (8004), (8006)+(21), (8010)+(8011), (8017) or (8018) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(8030)DIGSIG(8006)123456789012310102(21)ABC123", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8030)DIGSIG(8010)1234567890", Gs1::Association, "", "", "(8030) should come with (00), (01)+(21), (253), (255), (8003), (8004), (8006)+(21), (8010)+(8011), (8017) or (8018) (GS1 GS 4.14.2)"},
    {Src::Assoc, "(8030)DIGSIG(8010)1234567890(8011)123456789012", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8030)DIGSIG(8017)123456789012345675", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8030)DIGSIG(8018)123456789012345675", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(253)1234567890128", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(253)1234567890128(8030)ABC123", Gs1::Association, "", "", "(8030) signs (253) without its serial component; the signed key must be serialised (GS1 GS 4.14.2)"},
    {Src::Assoc, "(253)1234567890128X(8030)ABC123", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(255)1234567890128", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(255)1234567890128(8030)ABC123", Gs1::Association, "", "", "(8030) signs (255) without its serial component; the signed key must be serialised (GS1 GS 4.14.2)"},
    {Src::Assoc, "(255)12345678901280(8030)ABC123", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8003)01234567890128", Gs1::Accepts, "", "", ""},
    {Src::Assoc, "(8003)01234567890128(8030)ABC123", Gs1::Association, "", "", "(8030) signs (8003) without its serial component; the signed key must be serialised (GS1 GS 4.14.2)"},
    {Src::Assoc, "(8003)01234567890128X(8030)ABC123", Gs1::Accepts, "", "", ""},

    // ai.c, test_ai_linters: one vector per content check.
    {Src::Lint, "(00)123456789012345675", Gs1::Accepts, "", "", ""},
    {Src::Lint, "(00)A23456789012345675", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Lint, "(10) ", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Lint, "(8010)123456_", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Lint, "(8030)ABC:123", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Lint, "(8030)123=", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Lint, "(00)123456789012345670", Gs1::Refuses, "check_digit", "", ""},
    {Src::Lint, "(00)123456789012345675", Gs1::Accepts, "", "", ""},
    {Src::Lint, "(8013)123456ABXX", Gs1::Refuses, "check_digit", "", ""},
    {Src::Lint, "(8013)A", Gs1::Refuses, "check_digit", "", ""},
    {Src::Lint, "(401)123", Gs1::Refuses, "", "company_prefix", ""},
    {Src::Lint, "(7023)12A4", Gs1::Refuses, "", "company_prefix", ""},
    {Src::Lint, "(7040)1AB=", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(8001)12340000012311", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(8003)112345678901281234567890123456", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(8011)023456789012", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(4321)2", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(8001)12341234512321", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(426)987", Gs1::Refuses, "", "code_list", "(426) should come with (01) or (02) (GS1 GS 4.14.2)"},
    {Src::Lint, "(7030)987ABC", Gs1::Refuses, "", "code_list", "(7030) should come with (01) or (02) (GS1 GS 4.14.2)"},
    {Src::Lint, "(4307)AA", Gs1::Refuses, "", "code_list", "(4307) should come with (00) (GS1 GS 4.14.2)"},
    {Src::Lint, "(3910)9870", Gs1::Refuses, "", "code_list", "(3910) should come with (8020) (GS1 GS 4.14.2)"},
    {Src::Lint, "(8007)FR1234", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(8007)FR12_45678901234", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(8007)AB12345678901234", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(8007)FR12345678901234", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(4326)201300", Gs1::Refuses, "bad_date", "", ""},
    {Src::Lint, "(4326)201200", Gs1::Refuses, "bad_date", "", ""},
    {Src::Lint, "(4324)2012252400", Gs1::Refuses, "bad_time", "", ""},
    {Src::Lint, "(4324)2012252360", Gs1::Refuses, "bad_time", "", ""},
    {Src::Lint, "(8008)201225230060", Gs1::Refuses, "bad_time", "", ""},
    {Src::Lint, "(8026)123456789012310099", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(8026)123456789012310100", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(8026)123456789012310302", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(4300)ABC%0g", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(8112)201234561234560123456", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8112)0", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8112)07", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8112)01123456", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8112)00123456", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8112)00123456123456", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8112)001234561234560", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)71234567890123", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234560", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345612345611", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456116123456", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345612345611115", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345612345611119", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101231", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012314", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012310", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345612345611110123106123456", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345612345611110123101", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101231011", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012310115", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012310119", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012310110123", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101231011012371234567890123", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345612345611110123101101230", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101232", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012320", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012321", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345612345611110123211", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101232115", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101232110", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101232110123", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345612345611110123211012371234567890123", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012321101230", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101233", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101233200010", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101234", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101234200010", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012335006064500607", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101236", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012360", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012361", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101239", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012393", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012390", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345612345611110123903", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345612345611110123900", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)0123456123456111101239000", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)01234561234561111012390002", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(8110)012345612345611110123900000", Gs1::Refuses, "", "coupon", ""},
    {Src::Lint, "(4309)18000000010000000000", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(4309)00000000003600000001", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(4330)000000X", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(7252)5", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(7258)111", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(7258)0/3", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(7258)2/1", Gs1::Refuses, "bad_value", "", ""},
    {Src::Lint, "(01)95012345678903(3103)000123", Gs1::Accepts, "", "", ""},
    {Src::Lint, "(01)95012345678902(3103)000123", Gs1::Refuses, "check_digit", "", ""},
    {Src::Lint, "(01)95012345678903(11)131313", Gs1::Refuses, "bad_date", "", ""},

    // dl.c, test_dl_parseDLuri: Digital Link URIs.
    {Src::Dl, "", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Dl, "ftp://", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Dl, "http://", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "http:///", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "http://a", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Dl, "http://a/", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Dl, "http://a/b", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Dl, "http://a/b/", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Dl, "http://a/00/006141411234567890", Gs1::Accepts, "", "", ""},
    {Src::Dl, "HTTP://a/00/006141411234567890", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/00/006141411234567890", Gs1::Accepts, "", "", ""},
    {Src::Dl, "HTTPS://a/00/006141411234567890", Gs1::Accepts, "", "", ""},
    {Src::Dl, "HtTp://a/b/00/006141411234567890", Gs1::Refuses, "", "scheme_case", ""},
    {Src::Dl, "https://00/006141411234567890", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Dl, "https://a/01/12312312312333", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://xn--fsq.xn--0zwm56d/01/12312312312333", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a./01/12312312312333", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a:65535/01/12312312312333", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://192.0.2.1/01/12312312312333", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://3232235777/01/12312312312333", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://0300.0250.01.01/01/12312312312333", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://0xC0.0xA8.0x01.0x01/01/12312312312333", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://[2001:db8::1]/01/12312312312333", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://[fe80::1%25lo]/01/12312312312333", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://$a/006141411234567890", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a$/006141411234567890", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/01/12312312312333<bad", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/01/12312312312333>bad", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/01/12312312312333{bad", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/01/12312312312333}bad", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/01/12312312312333\\bad", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/01/12312312312333^bad", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/01/12312312312333`bad", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/stem/00/006141411234567890", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/more/stem/00/006141411234567890", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/00/faux/00/006141411234567890", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/gtin/12312312312333", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Dl, "https://a/gtin/12312312312333", Gs1::WithOption, "not_gs1", "", ""},
    {Src::Dl, "https://a/gtin/12312312312333/ser/ABC123", Gs1::WithOption, "not_gs1", "", ""},
    {Src::Dl, "https://a/sscc/006141411234567890", Gs1::WithOption, "not_gs1", "", ""},
    {Src::Dl, "https://a/zzz/12312312312333", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Dl, "https://a/cps/12312312312333", Gs1::Refuses, "not_gs1", "", ""},
    {Src::Dl, "https://a/01/2112345678900", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/2112345678900", Gs1::Refuses, "", "short_gtin", ""},
    {Src::Dl, "https://a/01/416000336108", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/416000336108", Gs1::Refuses, "", "short_gtin", ""},
    {Src::Dl, "https://a/01/02345673", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/02345673", Gs1::Refuses, "", "short_gtin", ""},
    {Src::Dl, "https://a/8004/9520614141234567?01=2112345678900", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/8004/9520614141234567?01=2112345678900", Gs1::Refuses, "", "short_gtin", ""},
    {Src::Dl, "https://a/8004/9520614141234567?01=02345673", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/8004/9520614141234567?01=02345673", Gs1::Refuses, "", "short_gtin", ""},
    {Src::Dl, "https://a/8004/9520614141234567?01=09521234543213", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333/235/TEST", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/253/1231231231232", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/253/1231231231232TEST5678901234567", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/253/1231231231232TEST56789012345678", Gs1::Refuses, "bad_length", "", ""},
    {Src::Dl, "https://a/8018/123456789012345675/8019/123", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/stem/00/006141411234567890/", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/stem/00/006141411234567890?", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/stem/00/006141411234567890?99=ABC", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/stem/401/12345678?99=ABC", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?99=ABC&98=XYZ", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?99=", Gs1::Refuses, "bad_length", "", ""},
    {Src::Dl, "https://a/01/12312312312333?99=ABC&999=faux", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Dl, "https://a/01/12312312312333?&&&99=ABC&&&&&&98=XYZ&&&", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?99=ABC&unknown=666&98=XYZ", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?unknown=666&99=ABC&98=XYZ", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?99=ABC&98=XYZ&unknown=666", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?unknown1=555&99=ABC&unknown2=666&98=XYZ&unknown3=777", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?99=ABC&singleton&98=XYZ", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?singleton&99=ABC&98=XYZ", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?99=ABC&98=XYZ&singleton", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?singleton1&99=ABC&singleton2&98=XYZ&singleton3", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?singleton1&unknown1=555&99=ABC&singleton2&unknown2=6666&98=XYZ&unknown3=777&singleton3", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333/22/ABC+123?99=ABC&98=XYZ%2f987", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ+987", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Dl, "https://a/01/12312312312333/22/test/10/abc/21/xyz#", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333/22/test/10/abc/21/xyz#fragment", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/stem/00/006141411234567890?99=ABC#", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/stem/00/006141411234567890?99=ABC#fragment", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://brand.example.com/01/9520123456788", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://brand.example.com/some-extra/pathinfo/01/9520123456788", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788/22/2A", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788/10/ABC123", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788/21/12345", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788?3103=000195", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://example.com/01/9520123456788?3103=000195&3922=0299&17=201225", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://example.com/01/9520123456788?3103=000195&3922=0299&17=201225", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/01/9520123456788?3103=000195&3922=0299&17=201225", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788?3103=000195&3922=0299&17=201225", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/01/9520123456788?17=201225&3103=000195&3922=0299", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788?17=201225&3103=000195&3922=0299", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/00/952012345678912345", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/414/9520123456788", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/414/9520123456788/254/32a%2Fb", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://example.com/8004/9520614141234567?01=09520123456788", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://example.com/01/09520123456788?10=ABC123", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC123", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&01=09520123456788", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&10=ABC123", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Dl, "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&99=XYZ789", Gs1::Refuses, "duplicate_ai", "", ""},
    {Src::Dl, "https://example.com/01/09520123456788/89/ABC123?99=XYZ", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://example.com/01/09520123456788?99=XYZ&89=ABC123", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Dl, "https://example.com/01/09520123456788?99=XYZ&89=ABC123", Gs1::Refuses, "unknown_ai", "", ""},
    {Src::Dl, "https://example.com/01/09520123456788?99=XYZ&89=ABC123", Gs1::WithOption, "unknown_ai", "", ""},
    {Src::Dl, "https://a/01//12312312312333", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/01/1231231231233%003", Gs1::Refuses, "bad_length", "", ""},
    {Src::Dl, "https://a/01/12312312312333?99=ABC%00DEF", Gs1::Refuses, "bad_charset", "", ""},
    {Src::Dl, "https://a/01/12312312312333/10/", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/01/12312312312333/99/ABC", Gs1::Refuses, "bad_digital_link", "", ""},
    {Src::Dl, "https://a/01/12312312312333?99=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Gs1::Accepts, "", "", ""},
    {Src::Dl, "https://a/01/12312312312333?99=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Gs1::Refuses, "bad_length", "", ""},

    // dl.c, test_dl_testValidateDLpathAIseq: every valid key-qualifier path, with sample values.
    {Src::DlPath, "https://id.gs1.org/00/106141411234567897", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/01/09501101530003", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/01/09501101530003/21/S1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/01/09501101530003/10/L1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/01/09501101530003/10/L1/21/S1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/01/09501101530003/22/V1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/01/09501101530003/22/V1/21/S1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/01/09501101530003/22/V1/10/L1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/01/09501101530003/22/V1/10/L1/21/S1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/01/09501101530003", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/01/09501101530003/235/T1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/253/9501101530003", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/255/9501101530003", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/401/ABC", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/402/95011015300000010", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/414/9501101530003", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/414/9501101530003/254/X1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/414/9501101530003", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/414/9501101530003/7040/1ABC", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/417/9501101530003", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/417/9501101530003/7040/1ABC", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8003/09501101530003", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8004/ABC123", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8004/ABC123/7040/1ABC", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8006/095011015300030102", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8006/095011015300030102/21/S1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8006/095011015300030102/10/L1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8006/095011015300030102/10/L1/21/S1", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8006/095011015300030102/22/V1", Gs1::Accepts, "", "", "(22) should come with (01) (GS1 GS 4.14.2)"},
    {Src::DlPath, "https://id.gs1.org/8006/095011015300030102/22/V1/21/S1", Gs1::Accepts, "", "", "(22) should come with (01) (GS1 GS 4.14.2)"},
    {Src::DlPath, "https://id.gs1.org/8006/095011015300030102/22/V1/10/L1", Gs1::Accepts, "", "", "(22) should come with (01) (GS1 GS 4.14.2)"},
    {Src::DlPath, "https://id.gs1.org/8006/095011015300030102/22/V1/10/L1/21/S1", Gs1::Accepts, "", "", "(22) should come with (01) (GS1 GS 4.14.2)"},
    {Src::DlPath, "https://id.gs1.org/8010/ABC", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8010/ABC/8011/12", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8013/1987654Ad4X4bL5ttr2310c2K", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8017/106141411234567897", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8017/106141411234567897/8019/12", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8018/106141411234567897", Gs1::Accepts, "", "", ""},
    {Src::DlPath, "https://id.gs1.org/8018/106141411234567897/8019/12", Gs1::Accepts, "", "", ""},
};
// clang-format on

const ParseOptions kOptions{.gsSubstitute = 0, .today = *ledger::parseDate("2026-11-28")};

std::string joined(const std::vector<std::string>& lines)
{
    std::string s;
    for (const auto& l : lines) s += (s.empty() ? "" : "\n") + l;
    return s;
}

} // namespace

TEST_CASE("every GS1 engine vector gets backfill's pinned answer, GS1's verdict unless a documented leniency")
{
    std::map<std::string, int> counts;
    for (const auto& v : kVectors) {
        INFO("input: ", std::string(v.input));
        const auto r = parseScan(v.input, kOptions);
        if (v.code.empty()) {
            REQUIRE_MESSAGE(r.has_value(), r.error().code, ": ", r.error().message);
            CHECK(joined(r->warnings) == v.warnings);
        } else {
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error().code == v.code);
            CHECK_FALSE(r.error().message.empty());
        }
        const bool accepted = r.has_value();
        const bool agrees = v.gs1 == Gs1::Accepts       ? accepted
                            : v.gs1 == Gs1::Association ? accepted && !r->warnings.empty()
                                                        : !accepted;  // Refuses, WithOption (GS1's default)
        if (agrees) {
            CHECK(v.lenient.empty());
            ++counts[v.gs1 == Gs1::WithOption ? "option" : "agree"];
        } else {
            // Only ever the documented way round: backfill accepting what GS1 refuses.
            CHECK(v.gs1 == Gs1::Refuses);
            CHECK(kLeniencies.count(v.lenient) == 1);
            ++counts[std::string(v.lenient)];
        }
    }
    // The figures of docs/gs1.md.
    CHECK(std::size(kVectors) == 445);
    CHECK(counts["agree"] == 375);
    CHECK(counts["option"] == 4);
    CHECK(counts["coupon"] == 54);
    CHECK(counts["code_list"] == 4);
    CHECK(counts["company_prefix"] == 2);
    CHECK(counts["scheme_case"] == 1);
    CHECK(counts["short_gtin"] == 5);
}

TEST_CASE("the new refusals say what and where")
{
    auto error = [](std::string_view input) {
        const auto r = parseScan(input, kOptions);
        REQUIRE_FALSE(r.has_value());
        return r.error().code + ": " + r.error().message;
    };
    // GS1 Digital Link URI Syntax: the key and qualifiers are non-empty /AI/value pairs.
    CHECK(error("https://a/01//12312312312333") ==
          "bad_digital_link: digital link: empty path segment at position 14; the key and its qualifiers are /AI/value pairs with nothing empty");
    CHECK(error("https://a/stem/00/006141411234567890/") ==
          "bad_digital_link: digital link: the path ends with '/' at position 37; the key and its qualifiers are /AI/value pairs with nothing empty");
    // Positions count from the start of the scan, symbology identifier included.
    CHECK(error("]Q1https://a/01//12312312312333") ==
          "bad_digital_link: digital link: empty path segment at position 17; the key and its qualifiers are /AI/value pairs with nothing empty");
    CHECK(error("https://example.com/01/09520123456788?10=ABC123") ==
          "bad_digital_link: digital link: (10) in the query at position 39 is a key qualifier of (01): it belongs in the path, key qualifiers of (01) are (22), (10), (21), or (235) in that order");
    CHECK(error("https://example.com/01/09520123456788?22=ABC") ==
          "bad_digital_link: digital link: (22) in the query at position 39 is a key qualifier of (01): it belongs in the path, key qualifiers of (01) are (22), (10), (21), or (235) in that order");
    CHECK(error("https://example.com/00/106141411234567897?21=S1") ==
          "bad_digital_link: digital link: (21) in the query at position 43 is not a Digital Link data attribute");
    CHECK(error("https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&10=ABC123") ==
          "duplicate_ai: digital link: (10) at position 58 repeats the one at position 38; each AI may appear once");
    CHECK(error("https://example.com/01/09520123456788?99=XYZ&89=ABC123") ==
          "unknown_ai: digital link: query parameter '89' at position 46 is not a known AI");
    CHECK(error("https://a/01/12312312312333{bad") ==
          "bad_digital_link: digital link: character '{' at position 28 is not allowed in a URI (RFC 3986 section 2)");
    CHECK(error("https://[fe80::1%25lo]/01/12312312312333") ==
          "bad_digital_link: digital link: character '%' at position 17 is not allowed in the domain");
    CHECK(error("https://a/01/12312312312333?98=XYZ+987") == "bad_charset: (98): character 0x20 at position 4 is not in CSET 82");
    // GS1 GS 7.11, Figure 7.11-3: CSET 64 padding only to a multiple of three characters.
    CHECK(error("(8030)123=") ==
          "bad_charset: (8030): 1 '=' at position 4: padding must make the length (4) a multiple of 3 with at most two '='");
    CHECK(error("(8030)1===") ==
          "bad_charset: (8030): 3 '=' at position 2: padding must make the length (4) a multiple of 3 with at most two '='");
    CHECK(error("(7040)1AB=") == "bad_value: (7040): '=' is not an importer index (0-9, A-Z, a-z, '-' or '_')");
    // An empty segment in the free path prefix before the key is plain RFC 3986, as for GS1.
    CHECK(parseScan("https://a//stem/01/12312312312333", kOptions).has_value());
    // Padding that makes a multiple of three is fine.
    CHECK(parseScan("(00)106141411234567897(8030)12=", kOptions).has_value());
    CHECK(parseScan("(00)106141411234567897(8030)1==", kOptions).has_value());
}

TEST_CASE("(8030) beside a key without its serial component is an association warning")
{
    // AI (8030) signs a serialised key: GDTI, GCN and GRAI need their serial part.
    const auto r = parseScan("(253)1234567890128(8030)ABC123", kOptions);
    REQUIRE(r.has_value());
    CHECK(r->warnings == std::vector<std::string>{
                             "(8030) signs (253) without its serial component; the signed key must be serialised (GS1 GS 4.14.2)"});
    const auto serialised = parseScan("(253)1234567890128X(8030)ABC123", kOptions);
    REQUIRE(serialised.has_value());
    CHECK(serialised->warnings.empty());
}
