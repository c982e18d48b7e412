// End to end: `backfill import` and `backfill stock` on real database files (issue 2,
// Contract): every import error class with its line, column and code and an unchanged
// database afterwards; BOM, CRLF, columns in any order, unknown and missing columns;
// unreadable files; upserts; cancellations and lowered quantities freeing allocations;
// allocation at import; the store's own checks (unknown_sku, duplicate_gtin, sscc_conflict).
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace backfill::e2e;

namespace {

// Each-level GTIN-13s and a case GTIN-14 (indicator 1) of APPLE, spelled by their payload.
const std::string kAppleGtin = withCheckDigit("400000000001");
const std::string kPearGtin = withCheckDigit("400000000002");
const std::string kPlumGtin = withCheckDigit("400000000003");
const std::string kAppleCase = withCheckDigit("1400000000001");
const std::string kSscc1 = withCheckDigit("34000000000000001");
const std::string kSscc2 = withCheckDigit("34000000000000002");

std::string baseCatalog()
{
    return "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\n"
           "APPLE,Apple,"
           + kAppleGtin + "," + kAppleCase + ",6,5,3\n" + "PEAR,Pear," + kPearGtin + ",,,0,0\n";
}

const char* kBaseLocations = "code,kind,sequence\nDOCK-1,receiving,1\nOUT-1,staging,10\nA-01,storage,100\n";

std::string baseInbound()
{
    return "inbound_id,supplier,sku,qty,eta,sscc\n"
           "PO-1,Acme,APPLE,10,2026-02-01,\n"
           "ASN-1,Acme,PEAR,4,2026-02-10,"
           + kSscc1 + "\n";
}

const char* kBaseBackorders = "order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n"
                              "SO-1,1,Kiosk,k@example.com,APPLE,3,0,2026-01-02,\n"
                              "SO-2,1,Deli,,PEAR,2,1,2026-01-03T10:00Z,2026-01-20\n";

// importBase loads a small complete data set (no stock).
void importBase(const CliHarness& h)
{
    h.importOk("catalog", baseCatalog(), 2);
    h.importOk("locations", kBaseLocations, 3);
    h.importOk("inbound", baseInbound(), 2);
    h.importOk("backorders", kBaseBackorders, 2);
}

// expectRefused runs an import that must fail with exit 2 and exactly `issues` on stderr,
// print nothing on stdout and leave the database as it was.
void expectRefused(const CliHarness& h, const std::string& kind, const std::string& csv, const std::vector<Issue>& issues)
{
    const Snapshot before = h.snapshot();
    const std::string file = h.writeFile("bad-" + kind + ".csv", csv);
    const auto r = h.run({"import", kind, file});
    INFO(r);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.issues(file) == issues);
    CHECK(h.snapshot() == before);
}

} // namespace

TEST_CASE("import: every file on a fresh database; stock lists every product with zeros")
{
    CliHarness h;
    importBase(h);
    CHECK(h.stock() == Json::array({stockJson("APPLE", 0, 0), stockJson("PEAR", 0, 0)}));
    CHECK(h.count("products") == 2);
    CHECK(h.count("locations") == 3);
    CHECK(h.count("inbound_lines") == 2);
    CHECK(h.count("order_lines") == 2);
    // GTINs are kept as 14 digits, each level 1 unit, the case its case_qty.
    CHECK(h.query("SELECT gtin, units FROM gtins ORDER BY gtin") ==
          std::vector<std::string>{"0" + kAppleGtin + "|1", "0" + kPearGtin + "|1", kAppleCase + "|6"});
    CHECK(h.query("SELECT sku, description, safety_stock, lead_time_days FROM products ORDER BY sku") ==
          std::vector<std::string>{"APPLE|Apple|5|3", "PEAR|Pear|0|0"});
}

TEST_CASE("stock: sorted by sku bytewise, --sku narrows, an unknown --sku prints []")
{
    CliHarness h;
    // Bytewise: 'B' (0x42) < 'Z' < '_' (0x5F) < 'a' (0x61) < 'b' < UTF-8 'ä' (0xC3 0xA4).
    h.importOk("catalog", "sku,description\na,x\n_,x\nB,x\n\xC3\xA4,x\nb,x\nZ1,x\nB-2,x\nB-10,x\n", 8);
    Json expected = Json::array();
    for (const char* sku : {"B", "B-10", "B-2", "Z1", "_", "a", "b", "\xC3\xA4"}) expected.push_back(stockJson(sku, 0, 0));
    CHECK(h.stock() == expected);
    CHECK(h.stockOf("_") == Json::array({stockJson("_", 0, 0)}));
    const auto r = h.run({"stock", "--sku", "NOPE"});
    CHECK(r.status == 0);
    CHECK(r.json() == Json::array());
    // Case matters: "A" is not "a".
    CHECK(h.stockOf("A") == Json::array());
}

TEST_CASE("stock: an empty catalog prints []")
{
    CliHarness h;
    h.receive({"not-a-scan"}); // refused, but a command that writes creates the database
    CHECK(h.stock() == Json::array());
}

TEST_CASE("import: a BOM, CRLF line ends, columns in any order, RFC 4180 quoting")
{
    CliHarness h;
    const std::string catalog = "\xEF\xBB\xBF"
                                "lead_time_days,CASE_QTY, Sku ,gtin,description,case_gtin,safety_stock\r\n"
                                "7,6,APPLE," + kAppleGtin + ",\"Apple, \"\"red\"\"\r\nsecond line\"," + kAppleCase + ",2\r\n"
                                "\r\n"
                                ",,PEAR,,Pear,,\r\n";
    h.importOk("catalog", catalog, 2);
    CHECK(h.query("SELECT sku, description, gtin, case_gtin, case_qty, safety_stock, lead_time_days FROM products ORDER BY sku") ==
          std::vector<std::string>{"APPLE|Apple, \"red\"\nsecond line|0" + kAppleGtin + "|" + kAppleCase + "|6|2|7",
                                   "PEAR|Pear|NULL|NULL|0|0|0"});
    h.importOk("locations", "\xEF\xBB\xBFsequence,kind,code\r\n5,STAGING,OUT-1\r\n1,Receiving,DOCK-1", 2);
    CHECK(h.query("SELECT code, kind, sequence FROM locations ORDER BY code") ==
          std::vector<std::string>{"DOCK-1|receiving|1", "OUT-1|staging|5"});
    h.importOk("inbound", "eta,sscc,qty,sku,supplier,inbound_id\r\n2026-02-01,,10,APPLE,Acme,PO-1\r\n", 1);
    h.importOk("backorders",
               "promised_at,ordered_at,priority,qty,sku,email,customer,line,order_id\r\n"
               ",2026-01-02,,3,APPLE,,Kiosk,1,SO-1\r\n",
               1);
    CHECK(h.backorders() == Json::array({lineJson("SO-1", 1, "APPLE", 3, 0, 0, "backordered", "2026-02-01")}));
}

TEST_CASE("import: a file with only its header imports nothing and succeeds")
{
    CliHarness h;
    importBase(h);
    const Snapshot before = h.snapshot();
    h.importOk("catalog", "sku,description\n", 0);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\r\n", 0);
    h.importOk("inbound", "inbound_id,supplier,sku,qty,eta\n\n\n", 0);
    h.importOk("locations", "code,kind,sequence", 0);
    CHECK(h.snapshot() == before);
}

TEST_CASE("import: an unknown column is ignored with a warning and the import goes on")
{
    CliHarness h;
    const std::string file = h.writeFile("catalog.csv", "sku,colour,description,\nAPPLE,red,Apple,\n");
    const auto r = h.run({"import", "catalog", file});
    INFO(r);
    CHECK(r.status == 0);
    CHECK(r.json() == Json{{"imported", 1}});
    // One warning per ignored column: the unknown one and the unnamed one.
    const auto issues = r.issues(file);
    REQUIRE(issues.size() == 2);
    CHECK(issues[0] == Issue{"unknown_column", 1, "colour"});
    CHECK(issues[1].code == "unknown_column");
    CHECK(r.errLines().at(1)["error"] == file + ":1: column 4 has no name; it is ignored");
    CHECK(h.stock() == Json::array({stockJson("APPLE", 0, 0)}));
}

TEST_CASE("import: a missing required column is an error on line 1 and nothing is imported")
{
    CliHarness h;
    importBase(h);
    expectRefused(h, "catalog", "sku,gtin\nNEW," + kPlumGtin + "\n", {{"missing_column", 1, "description"}});
    expectRefused(h, "backorders", "order_id,line,customer,sku,qty\nSO-9,1,X,APPLE,1\n", {{"missing_column", 1, "ordered_at"}});
    expectRefused(h, "inbound", "inbound_id,supplier,sku,qty,sscc\nPO-9,Acme,APPLE,1,\n", {{"missing_column", 1, "eta"}});
    expectRefused(h, "locations", "code,sequence\nX,1\n", {{"missing_column", 1, "kind"}});
}

TEST_CASE("import: an unreadable file or bad usage exits 3 and changes nothing")
{
    CliHarness h;
    importBase(h);
    const Snapshot before = h.snapshot();
    for (const char* kind : {"catalog", "backorders", "inbound", "locations"}) {
        CAPTURE(kind);
        const auto missing = h.run({"import", kind, (h.dir() / "no-such-file.csv").string()});
        CHECK(missing.status == 3);
        CHECK(missing.out.empty());
        CHECK(missing.codes() == std::vector<std::string>{"unreadable_file"});
        // A folder is not a readable CSV file either.
        const auto folder = h.run({"import", kind, h.dir().string()});
        CHECK(folder.status == 3);
        CHECK(folder.codes() == std::vector<std::string>{"unreadable_file"});
    }
    CHECK(h.run({"import", "products", h.writeFile("x.csv", "sku,description\nA,a\n")}).status == 3);
    CHECK(h.run({"import", "catalog"}).status == 3);
    CHECK(h.run({"import"}).status == 3);
    CHECK(h.snapshot() == before);
}

TEST_CASE("import: every row and value error class with its line, column and code; nothing changes")
{
    CliHarness h;
    importBase(h);
    const std::string header = "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\n";
    const std::string okRow = "PLUM,Plum," + kPlumGtin + ",,,,\n"; // a good row: the file is all or nothing

    SUBCASE("empty file") { expectRefused(h, "catalog", "", {{"missing_header", 1, ""}}); }
    SUBCASE("blank lines only") { expectRefused(h, "catalog", "\n  \n", {{"missing_header", 1, ""}}); }
    SUBCASE("duplicate column") { expectRefused(h, "catalog", "sku,description,SKU\nA,a,b\n", {{"duplicate_column", 1, "SKU"}}); }
    SUBCASE("bad_row: too few and too many fields")
    {
        expectRefused(h, "catalog", header + okRow + "X,x\nY,y,,,,,,extra\n", {{"bad_row", 3, ""}, {"bad_row", 4, ""}});
    }
    SUBCASE("bad_quote") { expectRefused(h, "catalog", header + okRow + "X,\"x\"y,,,,,\n", {{"bad_quote", 3, ""}}); }
    SUBCASE("unterminated_quote, reported where it opened")
    {
        expectRefused(h, "catalog", header + okRow + "X,\"never closed,,,,,\nmore\n", {{"unterminated_quote", 3, ""}});
    }
    SUBCASE("bad_encoding") { expectRefused(h, "catalog", header + okRow + "X,caf\xE9,,,,,\n", {{"bad_encoding", 3, "description"}}); }
    SUBCASE("bad_text: a control character in an identifier")
    {
        expectRefused(h, "catalog", header + okRow + "\"X\tY\",x,,,,,\n", {{"bad_text", 3, "sku"}});
    }
    SUBCASE("required") { expectRefused(h, "catalog", header + okRow + ",x,,,,,\n", {{"required", 3, "sku"}}); }
    SUBCASE("bad_number")
    {
        expectRefused(h, "catalog", header + okRow + "X,x,,,,1.5,\nY,y,,,,,-1\nZ,z,,,,99999999999999999999,\n",
                      {{"bad_number", 3, "safety_stock"}, {"bad_number", 4, "lead_time_days"}, {"bad_number", 5, "safety_stock"}});
    }
    SUBCASE("bad_gtin") { expectRefused(h, "catalog", header + okRow + "X,x,12345,,,,\n", {{"bad_gtin", 3, "gtin"}}); }
    SUBCASE("bad_case_gtin: indicator 0 and 9, wrong length")
    {
        expectRefused(h, "catalog",
                      header + okRow + "X,x,," + withCheckDigit("0400000000009") + ",6,,\nY,y,," + withCheckDigit("9400000000009") +
                          ",6,,\nZ,z,," + kPlumGtin + ",6,,\n",
                      {{"bad_case_gtin", 3, "case_gtin"}, {"bad_case_gtin", 4, "case_gtin"}, {"bad_case_gtin", 5, "case_gtin"}});
    }
    SUBCASE("check_digit on gtin and case_gtin")
    {
        expectRefused(h, "catalog",
                      header + okRow + "X,x," + wrongCheckDigit(withCheckDigit("400000000009")) + ",,,,\nY,y,," +
                          wrongCheckDigit(withCheckDigit("1400000000009")) + ",6,,\n",
                      {{"check_digit", 3, "gtin"}, {"check_digit", 4, "case_gtin"}});
    }
    SUBCASE("case_qty_required and a zero case_qty")
    {
        expectRefused(h, "catalog", header + okRow + "X,x,," + withCheckDigit("1400000000009") + ",,,\nY,y,," +
                                        withCheckDigit("2400000000009") + ",0,,\n",
                      {{"case_qty_required", 3, "case_qty"}, {"bad_number", 4, "case_qty"}});
    }
    SUBCASE("duplicate_key in the file, at the second occurrence")
    {
        expectRefused(h, "catalog", header + okRow + "X,x,,,,,\nPLUM,again,,,,,\n", {{"duplicate_key", 4, "sku"}});
    }
    SUBCASE("duplicate_gtin in the file: two products, and a product's gtin as another's case_gtin")
    {
        // The same GTIN written as GTIN-13 and as GTIN-14 is still the same GTIN.
        expectRefused(h, "catalog",
                      header + okRow + "X,x,0" + kPlumGtin + ",,,,\nY,y," + withCheckDigit("400000000008") + "," +
                          withCheckDigit("1400000000008") + ",6,,\nZ,z,," + withCheckDigit("1400000000008") + ",6,,\n",
                      {{"duplicate_gtin", 3, "gtin"}, {"duplicate_gtin", 5, "case_gtin"}});
    }
    SUBCASE("backorders: bad_email, bad_date, bad_number, required, duplicate_key")
    {
        const std::string bh = "order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n";
        expectRefused(h, "backorders",
                      bh + "SO-9,1,X,x@example.com,APPLE,1,,2026-01-02,\n" // fine
                           "SO-9,2,X,not-an-email,APPLE,1,,2026-01-02,\n"
                           "SO-9,3,X,,APPLE,1,,2026-02-30,\n"
                           "SO-9,4,X,,APPLE,1,,2026-01-02T10:00,\n"        // a time needs a zone
                           "SO-9,5,X,,APPLE,-1,,2026-01-02,\n"
                           "SO-9,6,X,,APPLE,1,high,2026-01-02,\n"
                           "SO-9,7,,,APPLE,1,,2026-01-02,\n"
                           "SO-9,8,X,,APPLE,1,,2026-01-02,01/02/2026\n"
                           "SO-9,1,X,,APPLE,2,,2026-01-02,\n"
                           "SO-9,-1,X,,APPLE,2,,2026-01-02,\n",
                      {{"bad_email", 3, "email"},
                       {"bad_date", 4, "ordered_at"},
                       {"bad_date", 5, "ordered_at"},
                       {"bad_number", 6, "qty"},
                       {"bad_number", 7, "priority"},
                       {"required", 8, "customer"},
                       {"bad_date", 9, "promised_at"},
                       {"duplicate_key", 10, "line"},
                       {"bad_number", 11, "line"}});
    }
    SUBCASE("inbound: bad_sscc, check_digit, sscc_conflict in the file, qty 0, bad eta, duplicate_key")
    {
        const std::string ih = "inbound_id,supplier,sku,qty,eta,sscc\n";
        const std::string sscc3 = withCheckDigit("34000000000000003");
        expectRefused(h, "inbound",
                      ih + "PO-9,Acme,APPLE,1,2026-03-01,\n"
                           "PO-9,Acme,PEAR,1,2026-03-01,12345\n"
                           "PO-9,Acme,PEAR,1,2026-03-01," + wrongCheckDigit(sscc3) + "\n"
                           "ASN-8,Acme,APPLE,1,2026-03-01," + sscc3 + "\n"
                           "ASN-9,Acme,PEAR,1,2026-03-01," + sscc3 + "\n"
                           "PO-9,Acme,PEAR,0,2026-03-01,\n"
                           "PO-8,Acme,PEAR,1,2026-03-01T10:00Z,\n"
                           "PO-9,Acme,APPLE,2,2026-03-02,\n",
                      {{"bad_sscc", 3, "sscc"},
                       {"check_digit", 4, "sscc"},
                       {"sscc_conflict", 6, "sscc"},
                       {"bad_number", 7, "qty"},
                       {"bad_date", 8, "eta"},
                       {"duplicate_key", 9, "sku"}});
    }
    SUBCASE("locations: bad_kind, bad_number, duplicate_key")
    {
        expectRefused(h, "locations", "code,kind,sequence\nX,storage,1\nY,shelf,2\nZ,storage,two\nX,staging,3\n",
                      {{"bad_kind", 3, "kind"}, {"bad_number", 4, "sequence"}, {"duplicate_key", 5, "code"}});
    }
}

TEST_CASE("import: LINE is the physical line where a record starts, across quoted line breaks and blank lines")
{
    CliHarness h;
    importBase(h);
    const std::string file = "sku,description,gtin\n"                  // 1
                             "X,\"first\nsecond\nthird\",\n"            // 2-4
                             "\n"                                         // 5
                             "Y,\"one\r\ntwo\",12345\n"                 // 6-7: the record starts on 6
                             "Z,z,"
                             + wrongCheckDigit(kPlumGtin) + "\n"          // 8
                             + "W,\"a\nb\",\"" + kAppleGtin + "\nX\"\n"; // 9-11: a line break inside the gtin
    expectRefused(h, "catalog", file, {{"bad_gtin", 6, "gtin"}, {"check_digit", 8, "gtin"}, {"bad_gtin", 9, "gtin"}});
}

TEST_CASE("import: at most 100 errors are printed")
{
    CliHarness h;
    importBase(h);
    std::string parseErrors = "sku,description,gtin\n";
    for (int i = 0; i < 150; ++i) parseErrors += "S" + std::to_string(i) + ",x,123\n";
    const std::string file = h.writeFile("many.csv", parseErrors);
    auto r = h.run({"import", "catalog", file});
    CHECK(r.status == 2);
    // 100 errors, then one line saying the list stopped there.
    auto issues = r.issues(file);
    REQUIRE(issues.size() == 101);
    CHECK(issues[99] == Issue{"bad_gtin", 101, "gtin"});
    CHECK(issues[100].code == "too_many_errors");

    // The store's checks (here unknown_sku) are capped the same way.
    std::string unknown = "order_id,line,customer,sku,qty,ordered_at\n";
    for (int i = 0; i < 150; ++i) unknown += "SO-9," + std::to_string(i + 1) + ",X,NOPE,1,2026-01-02\n";
    const std::string file2 = h.writeFile("many-orders.csv", unknown);
    const Snapshot before = h.snapshot();
    r = h.run({"import", "backorders", file2});
    CHECK(r.status == 2);
    issues = r.issues(file2);
    REQUIRE(issues.size() == 101);
    CHECK(issues.front() == Issue{"unknown_sku", 2, "sku"});
    CHECK(issues[99] == Issue{"unknown_sku", 101, "sku"});
    CHECK(issues[100].code == "too_many_errors");
    CHECK(h.snapshot() == before);
}

TEST_CASE("import: the store's checks against the database (unknown_sku, duplicate_gtin, sscc_conflict) change nothing")
{
    CliHarness h;
    importBase(h);
    SUBCASE("unknown_sku in backorders, after good rows")
    {
        expectRefused(h, "backorders",
                      "order_id,line,customer,sku,qty,ordered_at\nSO-9,1,X,APPLE,1,2026-01-02\nSO-9,2,X,apple,1,2026-01-02\n"
                      "SO-9,3,X,PEAR,1,2026-01-02\nSO-9,4,X,KIWI,1,2026-01-02\n",
                      {{"unknown_sku", 3, "sku"}, {"unknown_sku", 5, "sku"}});
    }
    SUBCASE("unknown_sku in inbound")
    {
        expectRefused(h, "inbound", "inbound_id,supplier,sku,qty,eta\nPO-9,Acme,APPLE,1,2026-03-01\nPO-9,Acme,KIWI,1,2026-03-01\n",
                      {{"unknown_sku", 3, "sku"}});
    }
    SUBCASE("duplicate_gtin: a new product with a GTIN that another product in the database holds")
    {
        expectRefused(h, "catalog", "sku,description,gtin,case_gtin,case_qty\nPLUM,Plum," + kPlumGtin + ",,\nKIWI,Kiwi," + kPearGtin + ",,\n",
                      {{"duplicate_gtin", 3, "gtin"}});
        // Also the each-level GTIN as a case GTIN of the database's product, and the other way.
        expectRefused(h, "catalog", "sku,description,gtin,case_gtin,case_qty\nKIWI,Kiwi,,0" + kAppleGtin + ",6\n",
                      {{"bad_case_gtin", 2, "case_gtin"}});
        expectRefused(h, "catalog", "sku,description,gtin,case_gtin,case_qty\nKIWI,Kiwi,," + kAppleCase + ",6\n",
                      {{"duplicate_gtin", 2, "case_gtin"}});
        expectRefused(h, "catalog", "sku,description,gtin\nKIWI,Kiwi," + kAppleCase + "\n", {{"duplicate_gtin", 2, "gtin"}});
    }
    SUBCASE("sscc_conflict: an SSCC that belongs to another inbound in the database")
    {
        expectRefused(h, "inbound", "inbound_id,supplier,sku,qty,eta,sscc\nASN-2,Acme,APPLE,4,2026-02-10," + kSscc1 + "\n",
                      {{"sscc_conflict", 2, "sscc"}});
    }
}

TEST_CASE("import: GTINs may move between products of one file; a product keeps its GTIN when re-imported")
{
    CliHarness h;
    importBase(h);
    // APPLE gives its each GTIN to PEAR and PEAR's goes to APPLE, in one file.
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kPearGtin + "\nPEAR,Pear," + kAppleGtin + "\n", 2);
    // The file has no case_gtin column: APPLE keeps its case GTIN.
    CHECK(h.query("SELECT g.gtin, p.sku, g.units FROM gtins g JOIN products p ON p.id = g.product_id ORDER BY g.gtin") ==
          std::vector<std::string>{"0" + kAppleGtin + "|PEAR|1", "0" + kPearGtin + "|APPLE|1", kAppleCase + "|APPLE|6"});
    // A re-import of the same product with its own GTIN is no conflict.
    h.importOk("catalog", "sku,description,gtin\nPEAR,Pear," + kAppleGtin + "\n", 1);
}

TEST_CASE("import: re-importing a key updates it; rows not in the file are left alone")
{
    CliHarness h;
    importBase(h);
    SUBCASE("catalog")
    {
        h.importOk("catalog", "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\nAPPLE,Green apple," + kAppleGtin +
                                  "," + kAppleCase + ",12,1,2\nPLUM,Plum,,,,,\n",
                   2);
        CHECK(h.query("SELECT sku, description, case_qty, safety_stock, lead_time_days FROM products ORDER BY sku") ==
              std::vector<std::string>{"APPLE|Green apple|12|1|2", "PEAR|Pear|0|0|0", "PLUM|Plum|0|0|0"});
        // The new case quantity is what a case scan now receives.
        const auto r = h.receive({kAppleCase});
        INFO(r);
        CHECK(r.status == 0);
        CHECK(r.json()["qty"] == 12);
    }
    SUBCASE("locations")
    {
        h.importOk("locations", "code,kind,sequence\nDOCK-1,storage,1\nDOCK-0,receiving,5\n", 2);
        CHECK(h.query("SELECT code, kind, sequence FROM locations ORDER BY code") ==
              std::vector<std::string>{"A-01|storage|100", "DOCK-0|receiving|5", "DOCK-1|storage|1", "OUT-1|staging|10"});
    }
    SUBCASE("inbound: qty and eta change the projection")
    {
        CHECK(h.line("SO-1", 1)["eta"] == "2026-02-01");
        h.importOk("inbound", "inbound_id,supplier,sku,qty,eta,sscc\nPO-1,Acme,APPLE,2,2026-02-05,\n", 1);
        CHECK(h.count("inbound_lines") == 2);
        // 2 units no longer cover SO-1/1's 3: out of stock.
        CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 3, 0, 0, "out_of_stock"));
        h.importOk("inbound", "inbound_id,supplier,sku,qty,eta,sscc\nPO-1,Acme,APPLE,3,2026-02-05,\n", 1);
        CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 3, 0, 0, "backordered", "2026-02-05"));
    }
    SUBCASE("backorders")
    {
        h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,Kiosk,APPLE,11,2026-01-02\nSO-3,1,New,PEAR,1,2026-01-04\n", 2);
        // 11 APPLE: PO-1's 10 no longer cover the line.
        CHECK(h.backorders() == Json::array({lineJson("SO-1", 1, "APPLE", 11, 0, 0, "out_of_stock"),
                                             lineJson("SO-2", 1, "PEAR", 2, 0, 0, "backordered", "2026-02-10"),
                                             lineJson("SO-3", 1, "PEAR", 1, 0, 0, "backordered", "2026-02-10")}));
        // An order line may move to another product.
        h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,Kiosk,PEAR,1,2026-01-02\n", 1);
        CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "PEAR", 1, 0, 0, "backordered", "2026-02-10"));
        CHECK(h.count("order_lines") == 3);
    }
}

TEST_CASE("import: a catalog column the file lacks keeps what is stored; an empty cell in a column it has clears it")
{
    CliHarness h;
    importBase(h); // APPLE: each + case GTIN (6 a case), safety 5, lead 3
    h.importOk("catalog", "sku,description,safety_stock\nAPPLE,Green apple,7\n", 1);
    CHECK(h.query("SELECT sku, description, gtin, case_gtin, case_qty, safety_stock, lead_time_days FROM products WHERE sku = 'APPLE'") ==
          std::vector<std::string>{"APPLE|Green apple|0" + kAppleGtin + "|" + kAppleCase + "|6|7|3"});
    // Both GTINs still receive.
    auto r = h.receive({kAppleGtin, kAppleCase});
    INFO(r);
    CHECK(r.status == 0);
    REQUIRE(r.outLines().size() == 2);
    CHECK(r.outLines()[0]["qty"] == 1);
    CHECK(r.outLines()[1]["qty"] == 6);
    // A gtin column with an empty cell clears the each GTIN; the case GTIN (no column) stays.
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Green apple,\n", 1);
    CHECK(h.query("SELECT g.gtin, g.units FROM gtins g JOIN products p ON p.id = g.product_id WHERE p.sku = 'APPLE'") ==
          std::vector<std::string>{kAppleCase + "|6"});
    r = h.receive({kAppleGtin});
    CHECK(r.status == 1);
    CHECK(r.json()["code"] == "unknown_gtin");
    // New products get the defaults for the columns the file lacks.
    h.importOk("catalog", "sku,description\nPLUM,Plum\n", 1);
    CHECK(h.query("SELECT sku, gtin, case_gtin, case_qty, safety_stock, lead_time_days FROM products WHERE sku = 'PLUM'") ==
          std::vector<std::string>{"PLUM|NULL|NULL|0|0|0"});
    checkLedger(h);
}

TEST_CASE("import: importing order lines while free stock exists allocates it at once, by the allocation rule")
{
    CliHarness h;
    h.importOk("catalog", baseCatalog(), 2);
    h.importOk("locations", kBaseLocations, 3);
    h.receiveOk({kAppleCase}); // 6 free APPLE at DOCK-1
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 6, 0)}));
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,priority,ordered_at\n"
               "SO-B,1,Low,APPLE,4,0,2026-01-01\n"
               "SO-A,1,High,APPLE,4,5,2026-01-05\n"
               "SO-C,1,Pear,PEAR,1,0,2026-01-01\n",
               3);
    CHECK(h.backorders() == Json::array({lineJson("SO-A", 1, "APPLE", 4, 4, 0, "allocated"),
                                         lineJson("SO-B", 1, "APPLE", 4, 2, 0, "partially_allocated"),
                                         lineJson("SO-C", 1, "PEAR", 1, 0, 0, "out_of_stock")}));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 6, 6)}));
    // Each allocated order got a staging lane at its first allocation; the unallocated one none.
    CHECK(h.query("SELECT order_id, stage FROM orders ORDER BY order_id") ==
          std::vector<std::string>{"SO-A|OUT-1", "SO-B|OUT-1", "SO-C|NULL"});
    checkLedger(h);
}

TEST_CASE("import: an order line re-imported with qty 0 is cancelled and its units go to the next waiting line")
{
    CliHarness h;
    h.importOk("catalog", baseCatalog(), 2);
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,ordered_at\n"
               "SO-1,1,A,APPLE,4,2026-01-01\n"
               "SO-2,1,B,APPLE,5,2026-01-02\n"
               "SO-3,1,C,APPLE,2,2026-01-03\n",
               3);
    h.receiveOk({kAppleCase}); // 6: SO-1 gets 4, SO-2 gets 2
    CHECK(h.backorders() == Json::array({lineJson("SO-1", 1, "APPLE", 4, 4, 0, "allocated"),
                                         lineJson("SO-2", 1, "APPLE", 5, 2, 0, "partially_allocated"),
                                         lineJson("SO-3", 1, "APPLE", 2, 0, 0, "out_of_stock")}));
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,0,2026-01-01\n", 1);
    // SO-1's 4 units are freed: SO-2 takes 3 (its remainder), SO-3 the last 1.
    CHECK(h.backorders() == Json::array({lineJson("SO-1", 1, "APPLE", 0, 0, 0, "cancelled"),
                                         lineJson("SO-2", 1, "APPLE", 5, 5, 0, "allocated"),
                                         lineJson("SO-3", 1, "APPLE", 2, 1, 0, "partially_allocated")}));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 6, 6)}));
    // A ledger event records the release.
    CHECK(h.query("SELECT e.kind, e.qty FROM events e JOIN order_lines l ON l.id = e.order_line_id "
                  "WHERE l.order_id = 'SO-1' ORDER BY e.id") == std::vector<std::string>{"allocated|4", "deallocated|4"});
    // A cancelled line re-imported with a quantity waits again (behind the others' claims).
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,1,2026-01-01\n", 1);
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 1, 0, 0, "out_of_stock"));
    checkLedger(h);
}

TEST_CASE("import: lowering a line's qty below its allocation frees the excess to the next waiting line")
{
    CliHarness h;
    h.importOk("catalog", baseCatalog(), 2);
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,ordered_at\n"
               "SO-1,1,A,APPLE,6,2026-01-01\n"
               "SO-2,1,B,APPLE,3,2026-01-02\n",
               2);
    h.receiveOk({kAppleCase}); // SO-1 takes all 6
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,4,2026-01-01\n", 1);
    CHECK(h.backorders() == Json::array({lineJson("SO-1", 1, "APPLE", 4, 4, 0, "allocated"),
                                         lineJson("SO-2", 1, "APPLE", 3, 2, 0, "partially_allocated")}));
    // Picked units stay picked: lowering below what was picked frees only what is allocated.
    h.pickOk({"SO-1", "1", "3"});
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,2,2026-01-01\n", 1);
    CHECK(h.backorders() == Json::array({lineJson("SO-1", 1, "APPLE", 2, 0, 3, "picked"),
                                         lineJson("SO-2", 1, "APPLE", 3, 3, 0, "allocated")}));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 3, 3)}));
    // Raising it again makes it wait for nothing new: 3 picked already cover qty 3.
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,3,2026-01-01\n", 1);
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 3, 0, 3, "picked"));
    checkLedger(h);
}

TEST_CASE("import: an allocated order line moved to another product frees its units for the old product's next line")
{
    CliHarness h;
    h.importOk("catalog", baseCatalog(), 2);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,4,2026-01-01\nSO-2,1,B,APPLE,4,2026-01-02\n", 2);
    h.receiveOk({kAppleCase}); // SO-1 4, SO-2 2
    h.receiveOk({kPearGtin});  // 1 free PEAR
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,PEAR,2,2026-01-01\n", 1);
    // SO-1 now wants PEAR: it takes the free PEAR at once; its 4 APPLE go to SO-2 (2 of them).
    CHECK(h.backorders() == Json::array({lineJson("SO-1", 1, "PEAR", 2, 1, 0, "partially_allocated"),
                                         lineJson("SO-2", 1, "APPLE", 4, 4, 0, "allocated")}));
    CHECK(h.stock() == Json::array({stockJson("APPLE", 6, 4), stockJson("PEAR", 1, 1)}));
    checkLedger(h);
}

TEST_CASE("import: case_qty without case_gtin is ignored with the unused_case_qty warning")
{
    CliHarness h;
    const std::string file = h.writeFile("catalog.csv", "sku,description,gtin,case_gtin,case_qty\nPEAR,Pear," + kPearGtin + ",,12\n");
    const auto r = h.run({"import", "catalog", file});
    INFO(r);
    CHECK(r.status == 0);
    CHECK(r.json() == Json{{"imported", 1}});
    CHECK(r.issues(file) == std::vector<Issue>{{"unused_case_qty", 2, "case_qty"}});
    CHECK(h.query("SELECT sku, case_gtin, case_qty FROM products") == std::vector<std::string>{"PEAR|NULL|0"});
}
