// End to end: `backfill receive` on real database files (issue 4, Contract): quantities of
// each-level GTINs, case GTINs and counts, lot and expiry, the scan forms a scanner delivers,
// pallets (announced, unannounced, already received), matching against open inbound and
// over-receipts, staging, the receiving location, rejected scans changing nothing, `receive -`
// with grouped and per-scan commits, and the outbox rows every receipt leaves.
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

using namespace backfill::e2e;

namespace {

const std::string kGs = "\x1d";
// GTIN-13s of the each level (payload + GS1 check digit) and their GTIN-14 spelling.
const std::string kApple13 = withCheckDigit("400000000001");
const std::string kApple = "0" + kApple13;
const std::string kPear = "0" + withCheckDigit("400000000002");
const std::string kPlum = "0" + withCheckDigit("400000000003");
const std::string kAppleCase = withCheckDigit("1400000000001");    // 6 APPLE
const std::string kPlumCase = withCheckDigit("2400000000003");     // 12 PLUM
const std::string kUnknownGtin = "0" + withCheckDigit("400000000099");
const std::string kPallet1 = withCheckDigit("34000000000000001");   // ASN-1: PEAR 4, APPLE 10
const std::string kPallet2 = withCheckDigit("34000000000000002");   // ASN-1: PLUM 24
const std::string kUnannounced = withCheckDigit("34000000000000009");

std::string catalog()
{
    return "sku,description,gtin,case_gtin,case_qty\n"
           "APPLE,Apple," + kApple13 + "," + kAppleCase + ",6\n"
           "PEAR,Pear," + kPear + ",,\n"
           "PLUM,Plum," + kPlum + "," + kPlumCase + ",12\n";
}

// Two receiving locations (DOCK-B first by sequence), two staging lanes (OUT-2 first).
const char* kLocations = "code,kind,sequence\nDOCK-A,receiving,2\nDOCK-B,receiving,1\nOUT-1,staging,20\nOUT-2,staging,10\n"
                         "A-01,storage,100\n";

void setUp(const CliHarness& h, bool locations = true)
{
    h.importOk("catalog", catalog(), 3);
    if (locations) h.importOk("locations", kLocations, 5);
}

Received rec(const std::string& scan, const std::string& sku, int64_t qty, const std::string& location = "DOCK-B")
{
    Received r;
    r.scan = scan;
    r.sku = sku;
    r.qty = qty;
    r.location = location;
    return r;
}

// expectReceived receives `e.scan` on its own (after global `options` such as --gs) and checks
// its one JSON line is exactly `e`.
void expectReceived(const CliHarness& h, const Received& e, const std::vector<std::string>& options = {})
{
    std::vector<std::string> args = options;
    args.push_back("receive");
    args.push_back(e.scan);
    const auto r = h.run(args);
    INFO(r);
    CHECK(r.status == 0);
    CHECK(r.json() == receivedJson(e));
}

// expectRejected runs `receive` on scans that must all be refused with `codes` (one per scan,
// in order), exit 1, and leave the database as it was.
void expectRejected(const CliHarness& h, const std::vector<std::string>& scans, const std::vector<std::string>& codes)
{
    const Snapshot before = h.snapshot();
    const auto r = h.receive(scans);
    INFO(r);
    CHECK(r.status == 1);
    const auto lines = r.outLines();
    REQUIRE(lines.size() == scans.size());
    for (size_t i = 0; i < scans.size(); ++i) {
        CAPTURE(i);
        CHECK(lines[i]["scan"] == scans[i]);
        CHECK(lines[i]["ok"] == false);
        CHECK(lines[i]["code"] == codes[i]);
        CHECK(lines[i]["error"].is_string());
        CHECK(lines[i].size() == 4);
    }
    CHECK(h.snapshot() == before);
}

} // namespace

TEST_CASE("receive: an each-level GTIN is 1 unit and repeat scans add, in every form a scanner delivers")
{
    CliHarness h;
    setUp(h);
    const std::vector<std::string> scans{
        kApple13,                                    // EAN-13 as printed
        kApple,                                      // GTIN-14
        "(01)" + kApple,                             // bracketed
        "01" + kApple,                               // element string without identifier
        "]C101" + kApple,                            // GS1-128
        "]d201" + kApple,                            // GS1 DataMatrix
        "]Q301" + kApple,                            // GS1 QR
        "]e001" + kApple,                            // GS1 DataBar
        "]E0" + kApple13,                            // EAN-13 with its symbology identifier
        "https://id.example.com/01/" + kApple,       // Digital Link
    };
    const auto r = h.receive(scans);
    INFO(r);
    CHECK(r.status == 0);
    std::vector<Json> expected;
    for (const auto& s : scans) expected.push_back(receivedJson(rec(s, "APPLE", 1)));
    // Every unit is an over-receipt: APPLE has no open inbound.
    for (auto& e : expected) e["over_receipt"] = 1;
    CHECK(r.outLines() == expected);
    CHECK(h.stock() == Json::array({stockJson("APPLE", 10, 0), stockJson("PEAR", 0, 0), stockJson("PLUM", 0, 0)}));
    CHECK(h.query("SELECT location, lot, qty FROM stock") == std::vector<std::string>{"DOCK-B||10"});
}

TEST_CASE("receive: EAN-8, UPC-A and UPC-E scans find the product by its GTIN-14")
{
    CliHarness h;
    // The catalog spells them as printed; the scans come in every width.
    h.importOk("catalog", "sku,description,gtin\nE8,EAN-8,96385074\nUPC,UPC-A,036000291452\nUPCE,UPC-E item,042100005264\n", 3);
    const std::vector<std::pair<std::string, std::string>> scans{
        {"96385074", "E8"},          {"]E496385074", "E8"},     {"(01)00000096385074", "E8"},
        {"036000291452", "UPC"},     {"0036000291452", "UPC"},  {"]E0036000291452", "UPC"},
        {"04252614", "UPCE"},        {"]E004252614", "UPCE"},   {"(01)00042100005264", "UPCE"},
    };
    for (const auto& [scan, sku] : scans) {
        CAPTURE(scan);
        Received e = rec(scan, sku, 1, "DOCK");
        e.overReceipt = 1;
        expectReceived(h, e);
    }
    CHECK(h.stock() == Json::array({stockJson("E8", 3, 0), stockJson("UPC", 3, 0), stockJson("UPCE", 3, 0)}));
}

TEST_CASE("receive: a case GTIN is its case_qty; (01)+(30) and (02)+(37) count units of the GTIN")
{
    CliHarness h;
    setUp(h);
    struct Case {
        std::string scan;
        std::string sku;
        int64_t qty;
    };
    const std::vector<Case> cases{
        {kAppleCase, "APPLE", 6},
        {"(01)" + kAppleCase, "APPLE", 6},
        {"(01)" + kApple + "(30)5", "APPLE", 5},
        {"(01)" + kAppleCase + "(30)2", "APPLE", 12},     // 2 cases of 6
        {"01" + kPlumCase + "3003", "PLUM", 36},          // element string, (30) last
        {"(02)" + kPear + "(37)4", "PEAR", 4},
        {"(02)" + kPlumCase + "(37)3", "PLUM", 36},       // 3 contained cases of 12
        {"]C102" + kPear + "37" + "7", "PEAR", 7},
    };
    for (const auto& c : cases) {
        CAPTURE(c.scan);
        Received e = rec(c.scan, c.sku, c.qty);
        e.overReceipt = c.qty;
        expectReceived(h, e);
    }
    CHECK(h.stock() == Json::array({stockJson("APPLE", 29, 0), stockJson("PEAR", 11, 0), stockJson("PLUM", 72, 0)}));
}

TEST_CASE("receive: lot from (10), expiry from (17) only (DD = 00 is the month's last day)")
{
    CliHarness h;
    setUp(h);
    struct Case {
        std::string scan;
        std::optional<std::string> lot;
        std::optional<std::string> expiry;
    };
    const std::vector<Case> cases{
        {"(01)" + kApple + "(10)L7(17)260630", "L7", "2026-06-30"},
        {"(01)" + kApple + "(17)260200(10)L7", "L7", "2026-02-28"},
        {"(01)" + kApple + "(17)280200", std::nullopt, "2028-02-29"},  // leap year
        {"(01)" + kApple + "(15)260630(10)L8", "L8", std::nullopt},    // best before is not an expiry
        {"(01)" + kApple + "(11)251201(10)L8", "L8", std::nullopt},    // production date neither
        {"01" + kApple + "10L9" + kGs + "17270131", "L9", "2027-01-31"}, // GS ends the lot
        {"]C101" + kApple + "17270131" + "10L9", "L9", "2027-01-31"},  // (17) is predefined: no GS
        {"https://id.example.com/01/" + kApple + "/10/L%2F5?17=260630", "L/5", "2026-06-30"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.scan);
        Received e = rec(c.scan, "APPLE", 1);
        e.lot = c.lot;
        e.expiry = c.expiry;
        e.overReceipt = 1;
        expectReceived(h, e);
    }
    // Stock is kept per lot.
    CHECK(h.query("SELECT lot, qty FROM stock ORDER BY lot") ==
          std::vector<std::string>{"|1", "L/5|1", "L7|2", "L8|2", "L9|2"});
    // The expiry is on the ledger's received events.
    CHECK(h.query("SELECT COUNT(*) FROM events WHERE kind = 'received' AND expiry IS NOT NULL") == std::vector<std::string>{"6"});
}

TEST_CASE("receive: a wedge's GS substitute (--gs) is read like GS")
{
    CliHarness h;
    setUp(h);
    Received e = rec("01" + kApple + "10L9~17270131", "APPLE", 1);
    e.lot = "L9";
    e.expiry = "2027-01-31";
    e.overReceipt = 1;
    expectReceived(h, e, {"--gs", "~"});
}

TEST_CASE("receive: an announced pallet receives exactly its inbound lines, in file order, in one scan")
{
    CliHarness h;
    setUp(h);
    h.importOk("inbound",
               "inbound_id,supplier,sku,qty,eta,sscc\n"
               "ASN-1,Acme,PEAR,4,2026-02-10," + kPallet1 + "\n"
               "PO-7,Acme,APPLE,3,2026-01-20,\n"                      // loose: not on the pallet
               "ASN-1,Acme,APPLE,10,2026-02-10," + kPallet1 + "\n"
               "ASN-1,Acme,PLUM,24,2026-02-10," + kPallet2 + "\n",
               4);
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,ordered_at\n"
               "SO-1,1,A,APPLE,4,2026-01-02\n"
               "SO-2,1,B,APPLE,2,2026-01-03\n"
               "SO-2,2,B,PEAR,1,2026-01-03\n",
               3);

    // Other AIs on a pallet scan are ignored: the lot, the content, the count.
    const std::string scan = "(00)" + kPallet1 + "(02)" + kPlum + "(37)5(10)IGNORED";
    const auto r = h.receive({scan});
    INFO(r);
    CHECK(r.status == 0);
    Received pear = rec(scan, "PEAR", 4);
    pear.sscc = kPallet1;
    pear.allocations = Json::array({allocJson("SO-2", 2, 1, "OUT-2")});
    Received apple = rec(scan, "APPLE", 10);
    apple.sscc = kPallet1;
    apple.allocations = Json::array({allocJson("SO-1", 1, 4, "OUT-1"), allocJson("SO-2", 1, 2, "OUT-2")});
    CHECK(r.outLines() == std::vector<Json>{receivedJson(pear), receivedJson(apple)});

    // The pallet lines are received in full, the loose PO line is untouched.
    CHECK(h.query("SELECT inbound_id, sscc, received FROM inbound_lines ORDER BY id") ==
          std::vector<std::string>{"ASN-1|" + kPallet1 + "|4", "PO-7||0", "ASN-1|" + kPallet1 + "|10", "ASN-1|" + kPallet2 + "|0"});
    CHECK(h.stock() == Json::array({stockJson("APPLE", 10, 6), stockJson("PEAR", 4, 1), stockJson("PLUM", 0, 0)}));
    // One scan, one op.
    CHECK(h.count("outbox") == 1);

    SUBCASE("the same pallet again, in any form, is sscc_received")
    {
        expectRejected(h, {"(00)" + kPallet1, kPallet1, "]C100" + kPallet1, "https://id.example.com/00/" + kPallet1},
                       {"sscc_received", "sscc_received", "sscc_received", "sscc_received"});
    }
    SUBCASE("the second pallet of the ASN as a plain 18-digit SSCC")
    {
        const auto r2 = h.receive({kPallet2});
        INFO(r2);
        CHECK(r2.status == 0);
        Received plum = rec(kPallet2, "PLUM", 24);
        plum.sscc = kPallet2;
        CHECK(r2.json() == receivedJson(plum));
    }
    checkLedger(h);
}

TEST_CASE("receive: an unannounced SSCC is rejected, even with content AIs, and changes nothing")
{
    CliHarness h;
    setUp(h);
    h.importOk("inbound", "inbound_id,supplier,sku,qty,eta,sscc\nASN-1,Acme,PEAR,4,2026-02-10," + kPallet1 + "\n", 1);
    expectRejected(h,
                   {"(00)" + kUnannounced, "(00)" + kUnannounced + "(02)" + kApple + "(37)12",
                    "00" + kUnannounced + "02" + kApple + "3712", kUnannounced},
                   {"sscc_unannounced", "sscc_unannounced", "sscc_unannounced", "sscc_unannounced"});
}

TEST_CASE("receive: a pallet scan that starts with a valid (00) is received even when another AI is invalid")
{
    CliHarness h;
    setUp(h);
    h.importOk("inbound", "inbound_id,supplier,sku,qty,eta,sscc\nASN-1,Acme,PEAR,4,2026-02-10," + kPallet1 + "\n", 1);
    // (17) with month 13, as element string with a symbology identifier: the pallet is received.
    const std::string scan = "]C100" + kPallet1 + "1726130110LOT-9";
    const auto r = h.receive({scan});
    INFO(r);
    CHECK(r.status == 0);
    Received pear = rec(scan, "PEAR", 4);
    pear.sscc = kPallet1;
    CHECK(r.json() == receivedJson(pear));
    // The same broken AI on an unannounced pallet is that pallet's error; on a product scan,
    // and after an invalid (00), it is the parser's.
    const std::string badSscc = wrongCheckDigit(kUnannounced);
    expectRejected(h,
                   {"(00)" + kUnannounced + "(17)261301", "(01)" + kApple + "(17)261301", "(00)" + badSscc + "(17)261301",
                    "(10)LOT(00)" + kPallet1 + "(17)261301"},
                   {"sscc_unannounced", "bad_date", "check_digit", "bad_date"});
    checkLedger(h);
}

TEST_CASE("receive: a loose receipt reduces the product's open non-pallet inbound in (eta, inbound_id) order; "
          "beyond it is an over-receipt")
{
    CliHarness h;
    setUp(h);
    h.importOk("inbound",
               "inbound_id,supplier,sku,qty,eta,sscc\n"
               "PO-B,Acme,APPLE,3,2026-02-01,\n"  // second: same eta as PO-A, later id
               "PO-A,Acme,APPLE,2,2026-02-01,\n"  // first of 02-01
               "PO-C,Acme,APPLE,4,2026-01-20,\n"  // earliest eta: first of all
               "ASN-1,Acme,APPLE,10,2026-01-10," + kPallet1 + "\n" // a pallet line: never matched loose
               "PO-P,Acme,PEAR,5,2026-01-01,\n",
               5);
    auto received = [&] {
        return h.query("SELECT inbound_id, received FROM inbound_lines ORDER BY id");
    };
    // 5 units: PO-C 4, PO-A 1. Fully matched: no over_receipt key.
    auto r = h.receive({"(01)" + kApple + "(30)5"});
    INFO(r);
    CHECK(r.json() == receivedJson(rec("(01)" + kApple + "(30)5", "APPLE", 5)));
    CHECK(received() == std::vector<std::string>{"PO-B|0", "PO-A|1", "PO-C|4", "ASN-1|0", "PO-P|0"});
    // 6 units: PO-A 1, PO-B 3, then 2 over.
    r = h.receive({kAppleCase});
    Received over = rec(kAppleCase, "APPLE", 6);
    over.overReceipt = 2;
    CHECK(r.json() == receivedJson(over));
    CHECK(received() == std::vector<std::string>{"PO-B|3", "PO-A|2", "PO-C|4", "ASN-1|0", "PO-P|0"});
    // Nothing open any more: all over.
    r = h.receive({kApple});
    Received allOver = rec(kApple, "APPLE", 1);
    allOver.overReceipt = 1;
    CHECK(r.json() == receivedJson(allOver));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 12, 0)}));
    // The pallet is still announced and receivable.
    r = h.receive({kPallet1});
    CHECK(r.status == 0);
    CHECK(r.json()["qty"] == 10);
    CHECK(!r.json().contains("over_receipt"));
    checkLedger(h);
}

TEST_CASE("receive: received units go to waiting lines in allocation order, each order to its staging lane")
{
    CliHarness h;
    setUp(h);
    // Allocation order: SO-3 (priority), SO-1 (promised), SO-2, SO-4 (ordered_at).
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,priority,ordered_at,promised_at\n"
               "SO-1,1,A,APPLE,2,0,2026-01-05,2026-01-30\n"
               "SO-2,1,B,APPLE,2,0,2026-01-01,\n"
               "SO-3,1,C,APPLE,1,3,2026-01-09,\n"
               "SO-4,1,D,APPLE,5,0,2026-01-02,\n"
               "SO-1,2,A,PEAR,1,0,2026-01-05,\n",
               5);
    const std::string scan = "(01)" + kApple + "(30)7";
    auto r = h.receive({scan});
    INFO(r);
    CHECK(r.status == 0);
    // Lanes by (open orders with that lane, sequence): SO-3 OUT-2 (0/0, seq 10), SO-1 OUT-1
    // (1/0), SO-2 OUT-2 (1/1, seq), SO-4 OUT-1 (2/1).
    Received e = rec(scan, "APPLE", 7);
    e.allocations = Json::array({allocJson("SO-3", 1, 1, "OUT-2"), allocJson("SO-1", 1, 2, "OUT-1"),
                                 allocJson("SO-2", 1, 2, "OUT-2"), allocJson("SO-4", 1, 2, "OUT-1")});
    e.toStock = 0;
    e.overReceipt = 7;
    CHECK(r.json() == receivedJson(e));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 7, 7)}));
    // The units were carried to the lanes: nothing stays at the dock.
    CHECK(h.query("SELECT location, qty FROM stock WHERE qty <> 0 ORDER BY location") ==
          std::vector<std::string>{"OUT-1|4", "OUT-2|3"});

    // An order keeps the lane of its first allocation (SO-1/2), however the counts change.
    r = h.receive({kPear, kApple});
    Received pear = rec(kPear, "PEAR", 1);
    pear.allocations = Json::array({allocJson("SO-1", 2, 1, "OUT-1")});
    pear.overReceipt = 1;
    Received apple = rec(kApple, "APPLE", 1);
    apple.allocations = Json::array({allocJson("SO-4", 1, 1, "OUT-1")});
    apple.overReceipt = 1;
    CHECK(r.outLines() == std::vector<Json>{receivedJson(pear), receivedJson(apple)});

    // Orders that are complete (picked) no longer count: pick SO-3 and SO-2 (OUT-2's orders).
    for (const auto& [order, qty] : std::vector<std::pair<std::string, std::string>>{{"SO-3", "1"}, {"SO-2", "2"}}) {
        h.pickOk({order, "1", qty});
    }
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-5,1,E,PLUM,1,2026-01-10\n", 1);
    r = h.receive({kPlum});
    Received plum = rec(kPlum, "PLUM", 1);
    plum.allocations = Json::array({allocJson("SO-5", 1, 1, "OUT-2")}); // OUT-2: 0 open, OUT-1: 2
    plum.overReceipt = 1;
    CHECK(r.json() == receivedJson(plum));
    checkLedger(h);
}

TEST_CASE("receive: a partial fill leaves the rest to stock; a line never gets more than it needs")
{
    CliHarness h;
    setUp(h);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,4,2026-01-02\n", 1);
    auto r = h.receive({kAppleCase});
    Received e = rec(kAppleCase, "APPLE", 6);
    e.allocations = Json::array({allocJson("SO-1", 1, 4, "OUT-2")});
    e.overReceipt = 6;
    CHECK(r.json() == receivedJson(e));
    CHECK(r.json()["to_stock"] == 2);
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 4, 4, 0, "allocated"));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 6, 4)}));
    CHECK(h.query("SELECT location, qty FROM stock WHERE qty <> 0 ORDER BY location") ==
          std::vector<std::string>{"DOCK-B|2", "OUT-2|4"});
    checkLedger(h);
}

TEST_CASE("receive: with no staging locations an allocation's stage is null and the units stay where received")
{
    CliHarness h;
    setUp(h, false);
    h.importOk("locations", "code,kind,sequence\nRCV,receiving,1\nA-01,storage,2\n", 2);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,2,2026-01-02\n", 1);
    const auto r = h.receive({kAppleCase});
    Received e = rec(kAppleCase, "APPLE", 6, "RCV");
    e.allocations = Json::array({allocJson("SO-1", 1, 2)});
    e.overReceipt = 6;
    CHECK(r.json() == receivedJson(e));
    CHECK(h.query("SELECT location, qty FROM stock") == std::vector<std::string>{"RCV|6"});
}

TEST_CASE("receive: --location, the default (first receiving location by sequence), and DOCK without any")
{
    SUBCASE("no locations at all: DOCK")
    {
        CliHarness h;
        setUp(h, false);
        const auto r = h.receive({kApple});
        CHECK(r.json()["location"] == "DOCK");
    }
    SUBCASE("locations but none of kind receiving: DOCK")
    {
        CliHarness h;
        setUp(h, false);
        h.importOk("locations", "code,kind,sequence\nDOCK,storage,1\nOUT-1,staging,2\n", 2);
        const auto r = h.receive({kApple});
        INFO(r);
        CHECK(r.status == 0);
        CHECK(r.json()["location"] == "DOCK");
    }
    SUBCASE("the first receiving location by sequence, and --location")
    {
        CliHarness h;
        setUp(h);
        CHECK(h.receive({kApple}).json()["location"] == "DOCK-B");
        const auto r = h.receive({"--location", "A-01", kApple});
        INFO(r);
        CHECK(r.json()["location"] == "A-01");
        CHECK(h.query("SELECT location, qty FROM stock ORDER BY location") == std::vector<std::string>{"A-01|1", "DOCK-B|1"});
        // A location that is not in the list is refused, and nothing is recorded.
        const Snapshot before = h.snapshot();
        const auto refused = h.receive({"--location", "NOWHERE", kApple});
        INFO(refused);
        CHECK(refused.status == 1);
        CHECK(refused.json()["ok"] == false);
        CHECK(refused.json()["code"] == "unknown_location");
        CHECK(h.snapshot() == before);
    }
}

TEST_CASE("receive: rejected scans record nothing; the others in the same run are received; exit 1")
{
    CliHarness h;
    setUp(h);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,10,2026-01-02\n", 1);
    SUBCASE("only rejected scans: exit 1, the database unchanged")
    {
        expectRejected(h,
                       {kUnknownGtin, "(01)" + kUnknownGtin, wrongCheckDigit(kApple), "(01)" + wrongCheckDigit(kApple),
                        "hello", "", "(02)" + kApple, "(01)" + kApple + "(30)0", "(01)" + kApple + "(17)261332",
                        "(10)LOT7", "(01)" + kApple + "(99)", "]C101" + wrongCheckDigit(kApple)},
                       {"unknown_gtin", "unknown_gtin", "check_digit", "check_digit", "not_gs1", "not_gs1", "missing_count",
                        "bad_count", "bad_date", "not_receivable", "bad_length", "check_digit"});
    }
    SUBCASE("rejected scans between received ones")
    {
        const auto r = h.receive({kApple, kUnknownGtin, kApple});
        INFO(r);
        CHECK(r.status == 1);
        const auto lines = r.outLines();
        REQUIRE(lines.size() == 3);
        CHECK(lines[0]["ok"] == true);
        CHECK(lines[1]["ok"] == false);
        CHECK(lines[1]["code"] == "unknown_gtin");
        CHECK(lines[2]["ok"] == true);
        CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 2, 2)}));
        CHECK(h.query("SELECT device_seq FROM outbox ORDER BY device_seq") == std::vector<std::string>{"1", "2"});
    }
}

TEST_CASE("receive: units received into quarantine are held: on hand, never allocated or picked")
{
    CliHarness h;
    setUp(h);
    h.importOk("locations", "code,kind,sequence\nQ-1,quarantine,900\n", 1);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,4,2026-01-02\n", 1);
    // A case of 6 into quarantine: nothing goes to SO-1, all 6 stay at Q-1.
    auto r = h.receive({"--location", "Q-1", kAppleCase});
    INFO(r);
    CHECK(r.status == 0);
    Received held = rec(kAppleCase, "APPLE", 6, "Q-1");
    held.toStock = 6;
    held.overReceipt = 6;
    CHECK(r.json() == receivedJson(held));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 6, 0, 6)}));
    CHECK(h.line("SO-1", 1)["allocated"] == 0);
    // Units received at the dock are allocated; the quarantined ones still are not.
    r = h.receive({kApple});
    CHECK(r.status == 0);
    CHECK(r.json()["allocations"] == Json::array({allocJson("SO-1", 1, 1, "OUT-2")}));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 7, 1, 6)}));
    // Picking never takes from quarantine: by default the order's lane, and Q-1 named
    // explicitly is refused with nothing changed.
    const Snapshot before = h.snapshot();
    const auto refused = h.run({"pick", "--location", "Q-1", "SO-1", "1", "1"});
    INFO(refused);
    CHECK(refused.status == 1);
    CHECK(refused.json()["ok"] == false);
    CHECK(refused.json()["code"] == "quarantined");
    CHECK(h.snapshot() == before);
    const auto picked = h.run({"pick", "SO-1", "1", "1"});
    INFO(picked);
    CHECK(picked.status == 0);
    CHECK(h.query("SELECT location, qty FROM stock WHERE qty <> 0 ORDER BY location") == std::vector<std::string>{"Q-1|6"});
    checkLedger(h);
}

TEST_CASE("receive: a database that cannot be opened exits 3")
{
    CliHarness h;
    const auto r = h.runRaw({"--db", (h.dir() / "no-such-dir" / "x.db").string(), "receive", "(01)" + kApple});
    CHECK(r.status == 3);
    CHECK(r.out.empty());
    CHECK(r.codes().size() == 1);
    // Bad usage: no scan at all.
    CHECK(h.run({"receive"}).status == 3);
}

TEST_CASE("every command on a file that is not a database exits 3 and leaves the file alone")
{
    CliHarness h;
    const std::string garbage(4096, 'x');
    const std::string db = h.writeFile("broken.db", garbage);
    const std::string csv = h.writeFile("catalog.csv", "sku,description\nA,a\n");
    const std::vector<std::vector<std::string>> commands{
        {"stock"}, {"backorders"}, {"import", "catalog", csv}, {"receive", kApple}, {"receive", "-"}, {"pick", "SO-1", "1", "1"}};
    for (const auto& args : commands) {
        std::vector<std::string> all{"--db", db};
        all.insert(all.end(), args.begin(), args.end());
        const auto r = h.runRaw(all, kApple + "\n");
        INFO(r);
        CHECK(r.status == 3);
        CHECK(r.out.empty());
        CHECK(r.codes() == std::vector<std::string>{"db_corrupt"});
    }
    std::ifstream in(db, std::ios::binary);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == garbage);
}

TEST_CASE("receive -: one scan per stdin line, blank lines skipped, the same results grouped or one by one")
{
    const std::vector<std::string> scans{kApple, "(01)" + kApple + "(10)L1(17)260630", kUnknownGtin, kPallet1, kAppleCase,
                                         "(02)" + kPear + "(37)3"};
    // Blank lines (empty, CR only, spaces) anywhere, CRLF line ends, no final newline.
    const std::string input = "\n" + scans[0] + "\r\n\n" + scans[1] + "\n" + scans[2] + "\n  \n\r\n" + scans[3] + "\n" +
                              scans[4] + "\r\n" + scans[5];
    std::vector<std::vector<Json>> outputs;
    for (const bool syncEach : {false, true}) {
        CAPTURE(syncEach);
        CliHarness h;
        setUp(h);
        h.importOk("inbound", "inbound_id,supplier,sku,qty,eta,sscc\nASN-1,Acme,PEAR,4,2026-02-10," + kPallet1 + "\n", 1);
        h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,3,2026-01-02\n", 1);
        std::vector<std::string> args{"-"};
        if (syncEach) args.insert(args.begin(), "--sync-each");
        const auto r = h.receive(args, input);
        INFO(r);
        CHECK(r.status == 1);
        Received first = rec(scans[0], "APPLE", 1);
        first.allocations = Json::array({allocJson("SO-1", 1, 1, "OUT-2")});
        first.overReceipt = 1;
        Received second = rec(scans[1], "APPLE", 1);
        second.lot = "L1";
        second.expiry = "2026-06-30";
        second.allocations = Json::array({allocJson("SO-1", 1, 1, "OUT-2")});
        second.overReceipt = 1;
        const Json rejected{{"scan", scans[2]}, {"ok", false}, {"code", "unknown_gtin"}};
        Received pallet = rec(scans[3], "PEAR", 4);
        pallet.sscc = kPallet1;
        Received cased = rec(scans[4], "APPLE", 6);
        cased.allocations = Json::array({allocJson("SO-1", 1, 1, "OUT-2")});
        cased.overReceipt = 6;
        Received contained = rec(scans[5], "PEAR", 3);
        contained.overReceipt = 3;
        auto lines = r.outLines();
        REQUIRE(lines.size() == 6);
        CHECK(lines[2].contains("error"));
        lines[2].erase("error");
        CHECK(lines == std::vector<Json>{receivedJson(first), receivedJson(second), rejected, receivedJson(pallet),
                                         receivedJson(cased), receivedJson(contained)});
        CHECK(h.stock() == Json::array({stockJson("APPLE", 8, 3), stockJson("PEAR", 7, 0), stockJson("PLUM", 0, 0)}));
        // One op per received scan, device_seq 1..5 without gaps, op_ids unique.
        CHECK(h.query("SELECT device_seq, kind FROM outbox ORDER BY device_seq") ==
              std::vector<std::string>{"1|receive", "2|receive", "3|receive", "4|receive", "5|receive"});
        CHECK(h.query("SELECT COUNT(DISTINCT op_id) FROM outbox") == std::vector<std::string>{"5"});
        outputs.push_back(lines);
    }
    CHECK(outputs[0] == outputs[1]);
}

TEST_CASE("receive: outbox rows carry gap-free device_seq, unique op_ids, and the op_id on the scan's events")
{
    CliHarness h;
    setUp(h);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,20,2026-01-02\n", 1);
    std::string input;
    for (int i = 0; i < 30; ++i) input += (i % 7 == 3 ? kUnknownGtin : kApple) + "\n";
    const auto r = h.receive({"-"}, input);
    INFO(r);
    CHECK(r.status == 1);
    CHECK(r.outLines().size() == 30);
    const auto seqs = h.query("SELECT device_seq FROM outbox ORDER BY device_seq");
    REQUIRE(seqs.size() == 26);
    for (size_t i = 0; i < seqs.size(); ++i) CHECK(seqs[i] == std::to_string(i + 1));
    const auto ops = h.query("SELECT op_id FROM outbox");
    CHECK(std::set<std::string>(ops.begin(), ops.end()).size() == 26);
    for (const auto& op : ops) {
        CHECK(op.size() == 36); // a UUID
        CHECK(h.query("SELECT COUNT(*) FROM events WHERE op_id = '" + op + "' AND kind = 'received'") ==
              std::vector<std::string>{"1"});
    }
    // Every event of a receipt names its op; events of imports do not.
    CHECK(h.query("SELECT COUNT(*) FROM events WHERE op_id IS NULL") == std::vector<std::string>{"0"});
    // Each outbox payload is JSON naming its scan.
    for (const auto& payload : h.query("SELECT payload FROM outbox")) CHECK(Json::parse(payload)["scan"] == kApple);
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 26, 20)}));
    checkLedger(h);
}

TEST_CASE("receive: a case scan naming more than ledger::kMaxUnits units is refused and records nothing")
{
    CliHarness h;
    setUp(h);
    // A case of 1,000,000,000 (the most a case may hold) scanned with (37) 2.
    h.importOk("catalog", "sku,description,case_gtin,case_qty\nBULK,Screws by the billion,19000000000015,1000000000\n", 1);
    const Snapshot before = h.snapshot();
    const auto r = h.receive({"(02)19000000000015(37)2"});
    INFO(r);
    CHECK(r.status == 1);
    CHECK(r.json()["code"] == "bad_count");
    CHECK(r.json()["error"] == "2 x 1000000000 units is more than one receipt may name (1000000000): check the label");
    CHECK(h.snapshot() == before);
    // One case is the most a receipt may name.
    const auto one = h.receive({"(02)19000000000015(37)1"});
    INFO(one);
    CHECK(one.status == 0);
}
