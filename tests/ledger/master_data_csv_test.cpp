// Master data CSV parsing (sync/ledger/MasterDataCsv.h): every error class with its line,
// column and code, the normalisations, and the demo data in assets/demo/.
#include "ledger/MasterDataCsv.h"

#include "ledger/CheckDigit.h"

#include "ledger/TestRng.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace backfill::ledger;

namespace {

// Issue is what a test asserts about an ImportIssue: line, column and code (never wording).
struct Issue {
    int64_t line;
    std::string column;
    std::string code;
    bool operator==(const Issue&) const = default;
};

std::vector<Issue> issues(const std::vector<ImportIssue>& list)
{
    std::vector<Issue> out;
    for (const auto& i : list) out.push_back({i.line, i.column, i.code});
    return out;
}

doctest::String toStringIssues(const std::vector<Issue>& list)
{
    std::string s;
    for (const auto& i : list) s += "{" + std::to_string(i.line) + "," + i.column + "," + i.code + "} ";
    return s.c_str();
}

} // namespace

namespace doctest {
template <>
struct StringMaker<std::vector<Issue>> {
    static String convert(const std::vector<Issue>& v) { return toStringIssues(v); }
};
} // namespace doctest

namespace {

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string demoPath(const char* name)
{
    const char* source = std::getenv("BACKFILL_SOURCE");
    return std::string(source ? source : ".") + "/assets/demo/" + name;
}

const char* const kCatalogHeader = "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\n";

} // namespace

// ---------------------------------------------------------------------------------------------
// Issue formatting

TEST_CASE("issues format as FILE:LINE: column NAME: message")
{
    CHECK(ImportIssue{14, "gtin", "check_digit", "check digit is 3, expected 7"}.format("catalog.csv") ==
          "catalog.csv:14: column gtin: check digit is 3, expected 7");
    CHECK(ImportIssue{3, "", "bad_row", "the record has 2 fields"}.format("a.csv") == "a.csv:3: the record has 2 fields");
    CHECK(ImportIssue{0, "", "x", "m"}.format("a.csv") == "a.csv: m");
}

// ---------------------------------------------------------------------------------------------
// Catalog

TEST_CASE("catalog: a valid file with normalised GTINs, defaults and file order")
{
    const auto r = parseCatalogCsv(std::string(kCatalogHeader) +
                                   "MUG-01,\"Mug, stoneware 0.3 l\",4006381333931,14006381333938,6,10,7\n"
                                   "PEN-8,Pen 8-digit,96385074,,,,\n"
                                   "UPC-1,UPC product,036000291452,,,0,0\n"
                                   "NOG,No GTIN yet,,,,,\n");
    CHECK(r.errors.empty());
    CHECK(r.warnings.empty());
    CHECK_FALSE(r.truncated);
    REQUIRE(r.rows.size() == 4);
    CHECK(r.lines == std::vector<int64_t>{2, 3, 4, 5});
    const Product& mug = r.rows[0];
    CHECK(mug.sku == "MUG-01");
    CHECK(mug.description == "Mug, stoneware 0.3 l");
    CHECK(mug.gtin == "04006381333931");
    CHECK(mug.caseGtin == "14006381333938");
    CHECK(mug.caseQty == 6);
    CHECK(mug.safetyStock == 10);
    CHECK(mug.leadTimeDays == 7);
    CHECK(r.rows[1].gtin == "00000096385074");
    CHECK_FALSE(r.rows[1].caseGtin);
    CHECK(r.rows[1].caseQty == 0);
    CHECK(r.rows[1].safetyStock == 0);
    CHECK(r.rows[1].leadTimeDays == 0);
    CHECK(r.rows[2].gtin == "00036000291452");
    CHECK_FALSE(r.rows[3].gtin);
}

TEST_CASE("catalog: columns in any order, any case, optional ones absent, unknown ones warned")
{
    const auto r = parseCatalogCsv(" Description ,SKU,colour,gtin\n"
                                   "Blue mug,MUG-02,blue,4006381333931\n");
    CHECK(r.errors.empty());
    CHECK(issues(r.warnings) == std::vector<Issue>{{1, "colour", "unknown_column"}});
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].sku == "MUG-02");
    CHECK(r.rows[0].description == "Blue mug");
    CHECK(r.rows[0].gtin == "04006381333931");
    // The known columns the file has, by canonical name in the format's order (an import
    // keeps the stored value of a column the file lacks).
    CHECK(r.columns == std::vector<std::string>{"sku", "description", "gtin"});
    CHECK(r.has("gtin"));
    CHECK_FALSE(r.has("case_gtin"));
    CHECK_FALSE(r.has("colour"));
}

TEST_CASE("catalog: BOM and CRLF are accepted")
{
    const auto r = parseCatalogCsv("\xEF\xBB\xBFsku,description\r\nA,K\xC3\xA4se\r\nB,Brot\r\n");
    CHECK(r.errors.empty());
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].sku == "A");
    CHECK(r.rows[0].description == "K\xC3\xA4se");
    CHECK(r.lines == std::vector<int64_t>{2, 3});
}

TEST_CASE("header errors: missing, duplicate, empty file; no row is checked after them")
{
    auto r = parseCatalogCsv("sku,gtin\nA,123\n");
    CHECK(issues(r.errors) == std::vector<Issue>{{1, "description", "missing_column"}});
    CHECK(r.rows.empty());

    r = parseCatalogCsv("description,gtin\n");
    CHECK(issues(r.errors) == std::vector<Issue>{{1, "sku", "missing_column"}});

    r = parseCatalogCsv("sku,description,SKU\nA,B,C\n");
    CHECK(issues(r.errors) == std::vector<Issue>{{1, "SKU", "duplicate_column"}});
    CHECK(r.rows.empty());

    r = parseCatalogCsv("");
    CHECK(issues(r.errors) == std::vector<Issue>{{1, "", "missing_header"}});
    r = parseCatalogCsv("\xEF\xBB\xBF\r\n");
    CHECK(issues(r.errors) == std::vector<Issue>{{1, "", "missing_header"}});

    CHECK(issues(parseLocationsCsv("code,kind\n").errors) == std::vector<Issue>{{1, "sequence", "missing_column"}});
    CHECK(issues(parseInboundCsv("sku,qty\n").errors) == std::vector<Issue>{{1, "inbound_id", "missing_column"},
                                                 {1, "supplier", "missing_column"},
                                                 {1, "eta", "missing_column"}});
}

TEST_CASE("a header of only the required columns parses; a header-only file gives no rows")
{
    const auto r = parseCatalogCsv("sku,description\n");
    CHECK(r.ok());
    CHECK(r.rows.empty());
}

TEST_CASE("catalog: value errors name line, column and code")
{
    const auto r = parseCatalogCsv(std::string(kCatalogHeader) +
                                   "A,Good,4006381333931,,,,\n"             // 2 ok
                                   ",No sku,,,,,\n"                         // 3 required sku
                                   "C,,,,,,\n"                              // 4 required description
                                   "D,Bad check,4006381333932,,,,\n"        // 5 check digit
                                   "E,Short,400638133393,,,,\n"             // 6 12 digits, check digit wrong
                                   "F,Letters,40063813339X1,,,,\n"          // 7 bad_gtin
                                   "G,Len 11,40063813339,,,,\n"             // 8 bad_gtin (length)
                                   "H,Case no qty,,14006381333945,,,\n"     // 9 case_qty_required
                                   "I,Case ind 0,,04006381333969,6,,\n"     // 10 bad_case_gtin
                                   "J,Case ind 9,,94006381333964,6,,\n"     // 11 bad_case_gtin
                                   "K,Case 13,,4006381333931,6,,\n"         // 12 bad_case_gtin (13 digits)
                                   "L,Case chk,,14006381333949,6,,\n"       // 13 check_digit on case_gtin
                                   "M,Case qty 0,,24006381333942,0,,\n"     // 14 bad_number
                                   "N,Neg safety,,,,-1,\n"                  // 15 bad_number
                                   "O,Lead x,,,,,1.5\n"                     // 16 bad_number
                                   "P,Huge,,,,99999999999999999999,\n"      // 17 bad_number
                                   "Q,Lead huge,,,,,2147483648\n"           // 18 bad_number (int32)
                                   "\"R\nS\",Newline sku,,,,,\n"            // 19 bad_text
                                   "T,Qty without case,,,12,,\n");          // 21 warning only
    CHECK(issues(r.errors) == std::vector<Issue>{
                                  {3, "sku", "required"},
                                  {4, "description", "required"},
                                  {5, "gtin", "check_digit"},
                                  {6, "gtin", "check_digit"},
                                  {7, "gtin", "bad_gtin"},
                                  {8, "gtin", "bad_gtin"},
                                  {9, "case_qty", "case_qty_required"},
                                  {10, "case_gtin", "bad_case_gtin"},
                                  {11, "case_gtin", "bad_case_gtin"},
                                  {12, "case_gtin", "bad_case_gtin"},
                                  {13, "case_gtin", "check_digit"},
                                  {14, "case_qty", "bad_number"},
                                  {15, "safety_stock", "bad_number"},
                                  {16, "lead_time_days", "bad_number"},
                                  {17, "safety_stock", "bad_number"},
                                  {18, "lead_time_days", "bad_number"},
                                  {19, "sku", "bad_text"},
                              });
    CHECK(issues(r.warnings) == std::vector<Issue>{{21, "case_qty", "unused_case_qty"}});
    // Valid rows still come back (the caller imports nothing while errors exist).
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].sku == "A");
    CHECK(r.rows[1].sku == "T");
    CHECK(r.rows[1].caseQty == 0);
    CHECK(r.lines == std::vector<int64_t>{2, 21});
}

TEST_CASE("catalog: messages say what is wrong and what is expected")
{
    const auto r = parseCatalogCsv(std::string(kCatalogHeader) + "D,Bad check,4006381333932,,,,\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].format("catalog.csv") ==
          "catalog.csv:2: column gtin: \"4006381333932\": check digit is 2, expected 1; check the number");
}

TEST_CASE("catalog: an unknown column without a case_qty column still needs case_qty")
{
    const auto r = parseCatalogCsv("sku,description,case_gtin\nA,Mug,14006381333938\n");
    CHECK(issues(r.errors) == std::vector<Issue>{{2, "case_qty", "case_qty_required"}});
}

TEST_CASE("catalog: duplicate sku and duplicate GTINs (each, case, and across levels)")
{
    const auto r = parseCatalogCsv(std::string(kCatalogHeader) +
                                   "A,One,4006381333931,14006381333938,6,,\n" // 2
                                   "B,Two,4006381333931,,,,\n"                // 3 same each GTIN as A
                                   "A,Again,,,,,\n"                           // 4 duplicate sku
                                   "C,Three,14006381333938,,,,\n"             // 5 A's case GTIN as each
                                   "D,Four,00000096385074,,,,\n"              // 6
                                   "E,Five,96385074,,,,\n"                    // 7 same GTIN, other width
                                   "F,Self,4006381333948,04006381333948,1,,\n"); // 8 case GTIN indicator 0
    CHECK(issues(r.errors) == std::vector<Issue>{
                                  {3, "gtin", "duplicate_gtin"},
                                  {4, "sku", "duplicate_key"},
                                  {5, "gtin", "duplicate_gtin"},
                                  {7, "gtin", "duplicate_gtin"},
                                  {8, "case_gtin", "bad_case_gtin"},
                              });
    CHECK(r.errors[0].message.find("line 2") != std::string::npos);
    CHECK(r.errors[1].message.find("line 2") != std::string::npos);
}

TEST_CASE("rows with the wrong number of fields are bad_row, with the record's start line")
{
    const auto r = parseLocationsCsv("code,kind,sequence\n"
                                     "A-01,storage,1\n"
                                     "A-02,storage\n"
                                     "\"A-03\nx\",storage,3,extra\n"
                                     "A-04,storage,4\n");
    CHECK(issues(r.errors) == std::vector<Issue>{{3, "", "bad_row"}, {4, "", "bad_row"}});
    CHECK(r.lines == std::vector<int64_t>{2, 6});
}

TEST_CASE("CSV syntax errors become issues: bad_quote goes on, unterminated_quote stops")
{
    const auto r = parseLocationsCsv("code,kind,sequence\n"
                                     "\"A-01\"x,storage,1\n"
                                     "A-02,storage,2\n"
                                     "A-03,\"storage,3\n"
                                     "A-04,storage,4\n");
    CHECK(issues(r.errors) == std::vector<Issue>{{2, "", "bad_quote"}, {4, "", "unterminated_quote"}});
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].code == "A-02");
}

TEST_CASE("invalid UTF-8 is bad_encoding, in the header or in a field")
{
    auto r = parseCatalogCsv("sku,descr\xE9ption\n");
    CHECK(issues(r.errors) == std::vector<Issue>{{1, "", "bad_encoding"}});
    r = parseCatalogCsv("sku,description\nA,Caf\xE9\nB,ok\n");
    CHECK(issues(r.errors) == std::vector<Issue>{{2, "description", "bad_encoding"}});
    CHECK(r.errors[0].message.find("0xE9") != std::string::npos);
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].sku == "B");
}

TEST_CASE("at most 100 errors are collected, then parsing stops")
{
    std::string text = "code,kind,sequence\n";
    for (int i = 0; i < 150; ++i) text += "L" + std::to_string(i) + ",shelf,1\n";
    auto r = parseLocationsCsv(text);
    CHECK(r.errors.size() == kMaxImportErrors);
    CHECK(r.truncated);
    CHECK(r.errors.back().line == 101);

    text = "code,kind,sequence\n";
    for (int i = 0; i < 100; ++i) text += "L" + std::to_string(i) + ",shelf,1\n";
    r = parseLocationsCsv(text);
    CHECK(r.errors.size() == 100);
    CHECK_FALSE(r.truncated);

    // Two errors on one row at the limit: the second is dropped and marks truncation.
    text = "code,kind,sequence\n";
    for (int i = 0; i < 99; ++i) text += "L" + std::to_string(i) + ",shelf,1\n";
    text += "LX,shelf,x\n";
    r = parseLocationsCsv(text);
    CHECK(r.errors.size() == 100);
    CHECK(r.truncated);
}

// ---------------------------------------------------------------------------------------------
// Locations

TEST_CASE("locations: kinds, sequences, errors")
{
    const auto r = parseLocationsCsv("code,kind,sequence\n"
                                     "DOCK-1,receiving,0\n"
                                     "A-01-01,Storage,10\n"
                                     "OUT-1,staging,-5\n"
                                     "QUARANTINE,quarantine,999\n"
                                     "X,shelf,1\n"
                                     "Y,,1\n"
                                     "Z,storage,\n"
                                     "DOCK-1,receiving,1\n"
                                     ",storage,1\n");
    CHECK(issues(r.errors) == std::vector<Issue>{
                                  {6, "kind", "bad_kind"},
                                  {7, "kind", "required"},
                                  {8, "sequence", "required"},
                                  {9, "code", "duplicate_key"},
                                  {10, "code", "required"},
                              });
    REQUIRE(r.rows.size() == 4);
    CHECK(r.rows[0].code == "DOCK-1");
    CHECK(r.rows[0].kind == LocationKind::Receiving);
    CHECK(r.rows[1].kind == LocationKind::Storage);
    CHECK(r.rows[1].sequence == 10);
    CHECK(r.rows[2].kind == LocationKind::Staging);
    CHECK(r.rows[2].sequence == -5);
    CHECK(r.rows[3].kind == LocationKind::Quarantine);
}

// ---------------------------------------------------------------------------------------------
// Reasons

TEST_CASE("reasons: kinds in any case, multi-line descriptions, errors with line, column and code")
{
    const auto r = parseReasonsCsv("Code,KIND,description\n"
                                   "NOT_FOUND,short,Not at the location\n"
                                   "COUNT_ERROR,Adjust,\"Book was wrong,\nrecounted\"\n"
                                   "X,shortish,Bad kind\n"
                                   "Y,,No kind\n"
                                   "Z,short,\n"
                                   "NOT_FOUND,adjust,Same code again\n"
                                   ",short,No code\n"
                                   "\"A\tB\",short,Control character\n");
    CHECK(issues(r.errors) == std::vector<Issue>{
                                  {5, "KIND", "bad_kind"},
                                  {6, "KIND", "required"},
                                  {7, "description", "required"},
                                  {8, "Code", "duplicate_key"},
                                  {9, "Code", "required"},
                                  {10, "Code", "bad_text"},
                              });
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].code == "NOT_FOUND");
    CHECK(r.rows[0].kind == ReasonKind::Short);
    CHECK(r.rows[0].description == "Not at the location");
    CHECK(r.rows[1].code == "COUNT_ERROR");
    CHECK(r.rows[1].kind == ReasonKind::Adjust);
    CHECK(r.rows[1].description == "Book was wrong,\nrecounted");
    CHECK(r.lines == std::vector<int64_t>{2, 3});
    CHECK(reasonKindName(ReasonKind::Short) == "short");
    CHECK(reasonKindName(ReasonKind::Adjust) == "adjust");
    CHECK(parseReasonKind("Short") == std::nullopt); // the parser lowers the case, not this
}

TEST_CASE("reasons: header errors and unknown columns")
{
    CHECK(issues(parseReasonsCsv("code,kind\n").errors) == std::vector<Issue>{{1, "description", "missing_column"}});
    CHECK(issues(parseReasonsCsv("").errors) == std::vector<Issue>{{1, "", "missing_header"}});
    const auto r = parseReasonsCsv("code,kind,description,extra\nLOST,adjust,Lost,x\n");
    CHECK(r.ok());
    CHECK(issues(r.warnings) == std::vector<Issue>{{1, "extra", "unknown_column"}});
    CHECK(r.rows.size() == 1);
    CHECK(issues(parseReasonsCsv("code,kind,description\nLOST,adjust\n").errors) == std::vector<Issue>{{2, "", "bad_row"}});
}

TEST_CASE("assets/reasons.csv parses with no issue and has both kinds")
{
    const char* source = std::getenv("BACKFILL_SOURCE");
    const auto r = parseReasonsCsv(readFile(std::string(source ? source : ".") + "/assets/reasons.csv"));
    CHECK(issues(r.errors).empty());
    CHECK(r.warnings.empty());
    std::vector<std::string> shorts, adjusts;
    for (const auto& reason : r.rows) (reason.kind == ReasonKind::Short ? shorts : adjusts).push_back(reason.code);
    for (const char* code : {"NOT_FOUND", "DAMAGED", "WRONG_ITEM"})
        CHECK_MESSAGE(std::find(shorts.begin(), shorts.end(), code) != shorts.end(), code);
    for (const char* code : {"COUNT_ERROR", "LOST", "FOUND", "EXPIRED"})
        CHECK_MESSAGE(std::find(adjusts.begin(), adjusts.end(), code) != adjusts.end(), code);
}

// ---------------------------------------------------------------------------------------------
// Backorders

TEST_CASE("backorders: a valid file")
{
    const auto r = parseBackordersCsv("order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n"
                                      "SO-1,1,Acme,buyer@acme.example,MUG-01,5,1,2026-11-02,2026-12-10\n"
                                      "SO-1,2,Acme,,PEN-8,0,,2026-11-02T09:30Z,\n"
                                      "SO-2,1,\"Bolt & Co, Ltd\",x@bolt.example,MUG-01,3,-2,2026-11-03T10:00:15+01:00,\n");
    CHECK(r.errors.empty());
    REQUIRE(r.rows.size() == 3);
    const OrderLine& a = r.rows[0];
    CHECK(a.orderId == "SO-1");
    CHECK(a.line == 1);
    CHECK(a.customer == "Acme");
    CHECK(a.email == "buyer@acme.example");
    CHECK(a.sku == "MUG-01");
    CHECK(a.qty == 5);
    CHECK(a.priority == 1);
    CHECK(a.orderedAt == *parseTimestamp("2026-11-02"));
    CHECK(a.promisedAt == parseTimestamp("2026-12-10"));
    CHECK_FALSE(a.cancelled);
    CHECK(a.allocated == 0);
    CHECK(a.picked == 0);
    CHECK(r.rows[1].qty == 0);
    CHECK(r.rows[1].cancelled);
    CHECK(r.rows[1].priority == 0);
    CHECK(r.rows[1].email.empty());
    CHECK(r.rows[1].orderedAt == *parseTimestamp("2026-11-02") + 9 * 3600 + 30 * 60);
    CHECK_FALSE(r.rows[1].promisedAt);
    CHECK(r.rows[2].customer == "Bolt & Co, Ltd");
    CHECK(r.rows[2].priority == -2);
    CHECK(r.rows[2].orderedAt == *parseTimestamp("2026-11-03T09:00:15Z"));
}

TEST_CASE("backorders: value errors and duplicate keys")
{
    const auto r = parseBackordersCsv("order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n"
                                      "SO-1,1,Acme,a@b.example,MUG,1,0,2026-11-02,\n"   // 2 ok
                                      "SO-1,1,Acme,a@b.example,PEN,1,0,2026-11-02,\n"   // 3 duplicate
                                      "SO-1,x,Acme,,MUG,1,0,2026-11-02,\n"              // 4 bad line
                                      "SO-2,1,Acme,not-an-address,MUG,1,0,2026-11-02,\n" // 5 bad_email
                                      "SO-3,1,Acme,,MUG,-1,0,2026-11-02,\n"             // 6 negative qty
                                      "SO-4,1,Acme,,MUG,1,high,2026-11-02,\n"           // 7 bad priority
                                      "SO-5,1,Acme,,MUG,1,0,2026-11-31,\n"              // 8 bad date
                                      "SO-6,1,Acme,,MUG,1,0,2026-11-02T10:30,\n"        // 9 no zone
                                      "SO-7,1,Acme,,MUG,1,0,2026-11-02,02/12/2026\n"    // 10 bad promised
                                      "SO-8,1,,,,,0,,\n"                                // 11 three required + date
                                      "SO-9,-1,Acme,,MUG,1,0,2026-11-02,\n"             // 12 negative line
                                      "SO-10,1,Acme,a@@b,MUG,1,0,2026-11-02,\n");       // 13 bad_email
    CHECK(issues(r.errors) == std::vector<Issue>{
                                  {3, "line", "duplicate_key"},
                                  {4, "line", "bad_number"},
                                  {5, "email", "bad_email"},
                                  {6, "qty", "bad_number"},
                                  {7, "priority", "bad_number"},
                                  {8, "ordered_at", "bad_date"},
                                  {9, "ordered_at", "bad_date"},
                                  {10, "promised_at", "bad_date"},
                                  {11, "customer", "required"},
                                  {11, "sku", "required"},
                                  {11, "qty", "required"},
                                  {11, "ordered_at", "required"},
                                  {12, "line", "bad_number"},
                                  {13, "email", "bad_email"},
                              });
    CHECK(r.errors[5].message.find("YYYY-MM-DD") != std::string::npos);
    CHECK(r.errors[6].message.find("time zone") != std::string::npos);
    CHECK(r.rows.size() == 1);
}

TEST_CASE("backorders: only the required columns")
{
    const auto r = parseBackordersCsv("order_id,line,customer,sku,qty,ordered_at\nSO-1,3,Acme,MUG,2,2026-11-02\n");
    CHECK(r.errors.empty());
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].line == 3);
    CHECK(r.rows[0].priority == 0);
    CHECK_FALSE(r.rows[0].promisedAt);
}

// ---------------------------------------------------------------------------------------------
// Inbound

TEST_CASE("inbound: POs and SSCC pallets, fileRow in file order")
{
    const auto r = parseInboundCsv("inbound_id,supplier,sku,qty,eta,sscc\n"
                                   "PO-1,Stoneware GmbH,MUG,24,2026-12-03,\n"
                                   "\n"
                                   "ASN-7,Stoneware GmbH,MUG,48,2026-12-05,106141411234567897\n"
                                   "ASN-7,Stoneware GmbH,PEN,10,2026-12-05,106141411234567897\n"
                                   "ASN-7,Stoneware GmbH,MUG,12,2026-12-05,\n");
    CHECK(r.errors.empty());
    REQUIRE(r.rows.size() == 4);
    CHECK(r.lines == std::vector<int64_t>{2, 4, 5, 6});
    CHECK(r.rows[0].inboundId == "PO-1");
    CHECK(r.rows[0].supplier == "Stoneware GmbH");
    CHECK(r.rows[0].sku == "MUG");
    CHECK(r.rows[0].qty == 24);
    CHECK(r.rows[0].eta == *parseDate("2026-12-03"));
    CHECK_FALSE(r.rows[0].sscc);
    CHECK(r.rows[0].fileRow == 1);
    CHECK(r.rows[1].sscc == "106141411234567897");
    CHECK(r.rows[1].fileRow == 2);
    CHECK(r.rows[2].fileRow == 3);
    CHECK(r.rows[3].fileRow == 4);
    CHECK(r.rows[3].received == 0);
}

TEST_CASE("inbound: errors")
{
    const auto r = parseInboundCsv("inbound_id,supplier,sku,qty,eta,sscc\n"
                                   "PO-1,S,MUG,24,2026-12-03,\n"                    // 2 ok
                                   "PO-1,S,MUG,5,2026-12-04,\n"                     // 3 duplicate key
                                   "PO-2,S,MUG,0,2026-12-03,\n"                     // 4 qty 0
                                   "PO-3,S,MUG,1,,\n"                               // 5 eta required
                                   "PO-4,S,MUG,1,2026-12-03T10:00Z,\n"              // 6 eta: date only
                                   "ASN-1,S,MUG,1,2026-12-03,106141411234567898\n"  // 7 check digit
                                   "ASN-1,S,MUG,1,2026-12-03,10614141123456789\n"   // 8 bad_sscc (17)
                                   "ASN-1,S,MUG,1,2026-12-03,106141411234567897\n"  // 9 ok
                                   "ASN-2,S,PEN,1,2026-12-03,106141411234567897\n"  // 10 sscc_conflict
                                   "ASN-1,S,MUG,2,2026-12-03,106141411234567897\n"  // 11 duplicate key
                                   "ASN-1,,PEN,2,2026-12-03,\n");                   // 12 supplier required
    CHECK(issues(r.errors) == std::vector<Issue>{
                                  {3, "sku", "duplicate_key"},
                                  {4, "qty", "bad_number"},
                                  {5, "eta", "required"},
                                  {6, "eta", "bad_date"},
                                  {7, "sscc", "check_digit"},
                                  {8, "sscc", "bad_sscc"},
                                  {10, "sscc", "sscc_conflict"},
                                  {11, "sku", "duplicate_key"},
                                  {12, "supplier", "required"},
                              });
    CHECK(r.errors[6].message.find("ASN-1") != std::string::npos);
    CHECK(r.errors[6].message.find("line 9") != std::string::npos);
    CHECK(r.lines == std::vector<int64_t>{2, 9});
}

// ---------------------------------------------------------------------------------------------
// Demo data

TEST_CASE("every demo CSV parses with zero errors and zero warnings")
{
    const auto catalog = parseCatalogCsv(readFile(demoPath("catalog.csv")));
    CHECK(issues(catalog.errors).empty());
    CHECK(catalog.warnings.empty());
    CHECK(catalog.rows.size() >= 60);
    int cases = 0;
    for (const auto& p : catalog.rows) cases += p.caseGtin.has_value();
    CHECK(cases >= 15);

    const auto locations = parseLocationsCsv(readFile(demoPath("locations.csv")));
    CHECK(issues(locations.errors).empty());
    CHECK(locations.warnings.empty());
    CHECK(locations.rows.size() >= 25);

    const auto backorders = parseBackordersCsv(readFile(demoPath("backorders.csv")));
    CHECK(issues(backorders.errors).empty());
    CHECK(backorders.warnings.empty());
    CHECK(backorders.rows.size() >= 200);

    const auto inbound = parseInboundCsv(readFile(demoPath("inbound.csv")));
    CHECK(issues(inbound.errors).empty());
    CHECK(inbound.warnings.empty());
    int onPallets = 0;
    for (const auto& in : inbound.rows) onPallets += in.sscc.has_value();
    CHECK(onPallets >= 6);

    // Cross-file references hold: every sku in the orders and the inbound is in the catalog.
    std::vector<std::string> skus;
    for (const auto& p : catalog.rows) skus.push_back(p.sku);
    const auto known = [&](const std::string& sku) {
        return std::find(skus.begin(), skus.end(), sku) != skus.end();
    };
    for (const auto& o : backorders.rows) CHECK_MESSAGE(known(o.sku), o.sku);
    for (const auto& in : inbound.rows) CHECK_MESSAGE(known(in.sku), in.sku);
}

TEST_CASE("demo scans: plain EANs are catalog GTINs or deliberately broken; the SSCC is announced")
{
    const auto catalog = parseCatalogCsv(readFile(demoPath("catalog.csv")));
    const auto inbound = parseInboundCsv(readFile(demoPath("inbound.csv")));
    std::istringstream scans(readFile(demoPath("scans.txt")));
    int plain = 0, broken = 0, ssccs = 0, withGs = 0;
    for (std::string scan; std::getline(scans, scan);) {
        CHECK_FALSE(scan.empty());
        withGs += scan.find('\x1d') != std::string::npos;
        if (scan.size() == 13 && scan.find_first_not_of("0123456789") == std::string::npos) {
            const auto gtin = toGtin14(scan);
            if (!gtin) {
                ++broken;
                continue;
            }
            ++plain;
            const bool known = std::any_of(catalog.rows.begin(), catalog.rows.end(),
                                           [&](const Product& p) { return p.gtin == gtin; });
            CHECK_MESSAGE(known, scan);
        }
        if (scan.rfind("(00)", 0) == 0) {
            const std::string code = scan.substr(4);
            CHECK(isSscc(code));
            ++ssccs;
            const bool announced = std::any_of(inbound.rows.begin(), inbound.rows.end(),
                                               [&](const InboundLine& in) { return in.sscc == code; });
            CHECK_MESSAGE(announced, code);
        }
    }
    CHECK(plain >= 5);
    CHECK(broken >= 1);
    CHECK(ssccs == 1);
    CHECK(withGs >= 2);
}

// ---------------------------------------------------------------------------------------------
// Properties over random files (fixed seeds).

namespace {

using backfill::test::Lcg;

template <class T>
void checkInvariants(const ParsedRows<T>& r, int64_t physicalLines, uint64_t seed)
{
    CHECK_MESSAGE(r.rows.size() == r.lines.size(), "seed " << seed);
    CHECK(r.errors.size() <= kMaxImportErrors);
    for (size_t i = 1; i < r.lines.size(); ++i) CHECK(r.lines[i] > r.lines[i - 1]);
    for (int64_t line : r.lines) {
        CHECK(line >= 2);
        CHECK(line <= physicalLines);
    }
    for (const auto& e : r.errors) {
        CHECK(e.line >= 1);
        CHECK(e.line <= physicalLines);
        CHECK_FALSE(e.code.empty());
        CHECK_FALSE(e.message.empty());
    }
    for (const auto& w : r.warnings) CHECK((w.code == "unknown_column" || w.code == "unused_case_qty"));
    // An accepted row never shares a line with an error.
    for (int64_t line : r.lines)
        for (const auto& e : r.errors) CHECK_MESSAGE(e.line != line, "seed " << seed << " line " << line);
}

} // namespace

TEST_CASE("random files: rows and issues stay consistent, whatever the cells")
{
    // Cells that are valid in some column and wrong in most others.
    const std::vector<std::string> cells = {
        "", "A", "SO-1", "1", "0", "-3", "12", "x", "4006381333931", "4006381333932", "14006381333938",
        "96385074", "106141411234567897", "106141411234567898", "2026-11-02", "2026-11-02T10:00Z",
        "2026-02-30", "storage", "Quarantine", "a@b.example", "\"q,\"\"uoted\"\"\"", "\"multi\nline\"",
        "caf\xC3\xA9", "bad\xFF", " padded ", "99999999999999999999"};
    const std::vector<std::string> headers[] = {
        {"sku", "description", "gtin", "case_gtin", "case_qty", "safety_stock", "lead_time_days"},
        {"order_id", "line", "customer", "email", "sku", "qty", "priority", "ordered_at", "promised_at"},
        {"inbound_id", "supplier", "sku", "qty", "eta", "sscc"},
        {"code", "kind", "sequence"},
    };
    for (uint64_t seed = 1; seed <= 400; ++seed) {
        Lcg rng{seed};
        const auto& header = headers[seed % 4];
        std::string text;
        for (size_t i = 0; i < header.size(); ++i) text += header[i] + (i + 1 < header.size() ? "," : "\n");
        const size_t rows = rng.below(160);
        for (size_t r = 0; r < rows; ++r) {
            const size_t width = rng.below(20) == 0 ? header.size() + 1 : header.size();
            for (size_t i = 0; i < width; ++i)
                text += cells[rng.below(cells.size())] + (i + 1 < width ? "," : "\n");
        }
        int64_t physicalLines = 1;
        for (char c : text) physicalLines += c == '\n';
        switch (seed % 4) {
        case 0: checkInvariants(parseCatalogCsv(text), physicalLines, seed); break;
        case 1: checkInvariants(parseBackordersCsv(text), physicalLines, seed); break;
        case 2: checkInvariants(parseInboundCsv(text), physicalLines, seed); break;
        case 3: checkInvariants(parseLocationsCsv(text), physicalLines, seed); break;
        }
    }
}

TEST_CASE("the same rows parse the same with CRLF, a BOM and shuffled columns")
{
    const std::string lf = "code,kind,sequence\nA-01,storage,1\nOUT-1,staging,2\n";
    const std::string crlf = "\xEF\xBB\xBF" "sequence , CODE,Kind\r\n1,A-01,storage\r\n2,OUT-1,staging\r\n";
    const auto a = parseLocationsCsv(lf);
    const auto b = parseLocationsCsv(crlf);
    CHECK(a.ok());
    CHECK(b.ok());
    REQUIRE(a.rows.size() == 2);
    CHECK(a.rows[0].code == "A-01");
    CHECK(a.rows[0].kind == LocationKind::Storage);
    CHECK(a.rows[0].sequence == 1);
    CHECK(a.rows[1].code == "OUT-1");
    CHECK(a.rows[1].kind == LocationKind::Staging);
    CHECK(a.rows[1].sequence == 2);
    CHECK(a.lines == std::vector<int64_t>{2, 3});
    REQUIRE(b.rows.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
        CHECK(b.rows[i].code == a.rows[i].code);
        CHECK(b.rows[i].kind == a.rows[i].kind);
        CHECK(b.rows[i].sequence == a.rows[i].sequence);
    }
    CHECK(b.lines == a.lines);
}

TEST_CASE("quantities: at most ledger::kMaxUnits in every quantity column; the bound itself is accepted")
{
    // A line of 9223372036854775807 units was accepted: the stock sums past it saturated in
    // SQLite and later units were lost. Every quantity is now at most 1,000,000,000.
    const auto orders = parseBackordersCsv("order_id,line,customer,sku,qty,ordered_at\n"
                                           "SO-1,1,Acme,MUG,1000000000,2026-11-02\n"
                                           "SO-2,1,Acme,MUG,1000000001,2026-11-02\n"
                                           "SO-3,1,Acme,MUG,9223372036854775807,2026-11-02\n");
    CHECK(issues(orders.errors) == std::vector<Issue>{{3, "qty", "bad_number"}, {4, "qty", "bad_number"}});
    REQUIRE(orders.errors.size() == 2);
    CHECK(orders.errors[0].format("b.csv") == "b.csv:3: column qty: \"1000000001\" is too large; the most is 1000000000");
    REQUIRE(orders.rows.size() == 1);
    CHECK(orders.rows[0].qty == 1'000'000'000);
    const auto inbound = parseInboundCsv("inbound_id,supplier,sku,qty,eta\nASN-1,S,MUG,1000000001,2026-12-01\n");
    CHECK(issues(inbound.errors) == std::vector<Issue>{{2, "qty", "bad_number"}});
    const auto catalog = parseCatalogCsv(std::string(kCatalogHeader) + "A,Mug,,14006381333945,1000000001,1000000001,\n");
    CHECK(issues(catalog.errors) == std::vector<Issue>{{2, "case_qty", "bad_number"}, {2, "safety_stock", "bad_number"}});
}
