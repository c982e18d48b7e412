// End to end: `backfill backorders` and `backfill pick` on real database files (issue 2,
// Contract): ordering, every line state, projected ETAs checked by hand, the allocation order
// (priority, promised_at, ordered_at with time zones, order_id bytewise, line), and picks.
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace backfill::e2e;

namespace {

const std::string kApple = "0" + withCheckDigit("400000000001");
const std::string kPear = "0" + withCheckDigit("400000000002");
const std::string kPlum = "0" + withCheckDigit("400000000003");
const std::string kPallet = withCheckDigit("34000000000000001");

void setUp(const CliHarness& h)
{
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple + "\nPEAR,Pear," + kPear + "\nPLUM,Plum," + kPlum + "\n", 3);
}

// receiveUnits receives `n` units of a GTIN in one (01)+(30) scan and returns its JSON line.
Json receiveUnits(const CliHarness& h, const std::string& gtin, int n)
{
    return h.receiveOk({"(01)" + gtin + "(30)" + std::to_string(n)}).json();
}

} // namespace

TEST_CASE("backorders: an empty database prints []")
{
    CliHarness h;
    h.receive({"not-a-scan"}); // refused, but a command that writes creates the database
    CHECK(h.backorders() == Json::array());
}

TEST_CASE("backorders: sorted by order_id bytewise, then line numerically")
{
    CliHarness h;
    setUp(h);
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,ordered_at\n"
               "so-1,1,X,APPLE,1,2026-01-01\n"
               "SO-a,1,X,APPLE,1,2026-01-01\n"
               "SO-9,10,X,APPLE,1,2026-01-01\n"
               "SO-B,1,X,APPLE,1,2026-01-01\n"
               "SO-9,2,X,APPLE,1,2026-01-01\n"
               "SO-10,1,X,PEAR,1,2026-01-01\n"
               "SO,3,X,PLUM,1,2026-01-01\n"
               "SO-9,0,X,APPLE,1,2026-01-01\n",
               8);
    std::vector<std::pair<std::string, int64_t>> keys;
    for (const auto& row : h.backorders()) keys.emplace_back(row["order_id"], row["line"]);
    CHECK(keys == std::vector<std::pair<std::string, int64_t>>{
                      {"SO", 3}, {"SO-10", 1}, {"SO-9", 0}, {"SO-9", 2}, {"SO-9", 10}, {"SO-B", 1}, {"SO-a", 1}, {"so-1", 1}});
}

TEST_CASE("backorders: every state, with ETAs projected from inbound in (eta, inbound_id, row) order")
{
    CliHarness h;
    setUp(h);
    // APPLE inbound, listed out of eta order. Open supply in (eta, inbound_id) order:
    // PO-C 4 (02-01), ASN-1 2 (02-10, a pallet line counts too), PO-A 3 (02-10), PO-B 5 (02-12).
    h.importOk("inbound",
               "inbound_id,supplier,sku,qty,eta,sscc\n"
               "PO-B,Acme,APPLE,5,2026-02-12,\n"
               "PO-A,Acme,APPLE,3,2026-02-10,\n"
               "PO-C,Acme,APPLE,4,2026-02-01,\n"
               "ASN-1,Acme,APPLE,2,2026-02-10," + kPallet + "\n"
               "PO-P,Acme,PEAR,1,2026-03-01,\n",
               5);
    // Allocation order of APPLE: L1 (priority 2), L2 (1), L3, L4, L5 (ordered_at).
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,priority,ordered_at\n"
               "L1,1,A,APPLE,3,2,2026-01-05\n"
               "L2,1,A,APPLE,2,1,2026-01-05\n"
               "L3,1,A,APPLE,6,0,2026-01-01\n"
               "L4,1,A,APPLE,2,0,2026-01-02\n"
               "L5,1,A,APPLE,1,0,2026-01-03\n"
               "N1,1,A,PLUM,1,0,2026-01-01\n"   // no inbound at all
               "P1,1,A,PEAR,1,0,2026-01-01\n"
               "P1,2,A,PEAR,1,0,2026-01-02\n",  // the second PEAR line: the 1 inbound unit is P1/1's
               8);
    // Hand projection (14 units): L1 3 from PO-C (left 1): 02-01. L2 1 PO-C + 1 ASN-1: 02-10.
    // L3 1 ASN-1 + 3 PO-A + 2 PO-B: 02-12. L4 2 of PO-B's 3 left: 02-12. L5 the last 1: 02-12.
    CHECK(h.backorders() == Json::array({
                                lineJson("L1", 1, "APPLE", 3, 0, 0, "backordered", "2026-02-01"),
                                lineJson("L2", 1, "APPLE", 2, 0, 0, "backordered", "2026-02-10"),
                                lineJson("L3", 1, "APPLE", 6, 0, 0, "backordered", "2026-02-12"),
                                lineJson("L4", 1, "APPLE", 2, 0, 0, "backordered", "2026-02-12"),
                                lineJson("L5", 1, "APPLE", 1, 0, 0, "backordered", "2026-02-12"),
                                lineJson("N1", 1, "PLUM", 1, 0, 0, "out_of_stock"),
                                lineJson("P1", 1, "PEAR", 1, 0, 0, "backordered", "2026-03-01"),
                                lineJson("P1", 2, "PEAR", 1, 0, 0, "out_of_stock"),
                            }));

    // L3 9 takes 1 ASN-1 + 3 PO-A + all 5 PO-B: the inbound is used up, L4 and L5 are out of
    // stock although the product has inbound.
    h.importOk("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\nL3,1,A,APPLE,9,0,2026-01-01\n", 1);
    CHECK(h.line("L3", 1) == lineJson("L3", 1, "APPLE", 9, 0, 0, "backordered", "2026-02-12"));
    CHECK(h.line("L4", 1) == lineJson("L4", 1, "APPLE", 2, 0, 0, "out_of_stock"));
    CHECK(h.line("L5", 1) == lineJson("L5", 1, "APPLE", 1, 0, 0, "out_of_stock"));
    // L3 10: the inbound reaches it (1 short) but does not complete it: out of stock, and
    // lines behind it get nothing either.
    h.importOk("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\nL3,1,A,APPLE,10,0,2026-01-01\n", 1);
    CHECK(h.line("L3", 1) == lineJson("L3", 1, "APPLE", 10, 0, 0, "out_of_stock"));
    CHECK(h.line("L4", 1) == lineJson("L4", 1, "APPLE", 2, 0, 0, "out_of_stock"));
    h.importOk("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\nL3,1,A,APPLE,6,0,2026-01-01\n", 1);

    // Receive 1 loose APPLE: it reduces PO-C (earliest eta) to 3 and goes to L1, which is now
    // partially allocated; its remainder 2 comes from PO-C: 02-01. Supply 13: L2 1 PO-C + 1
    // ASN-1 (02-10); L3 1 ASN-1 + 3 PO-A + 2 PO-B; L4 2 PO-B; L5 the last PO-B unit (02-12).
    receiveUnits(h, kApple, 1);
    CHECK(h.query("SELECT inbound_id, received FROM inbound_lines WHERE inbound_id = 'PO-C'") == std::vector<std::string>{"PO-C|1"});
    CHECK(h.line("L1", 1) == lineJson("L1", 1, "APPLE", 3, 1, 0, "partially_allocated", "2026-02-01"));
    CHECK(h.line("L2", 1) == lineJson("L2", 1, "APPLE", 2, 0, 0, "backordered", "2026-02-10"));
    CHECK(h.line("L3", 1) == lineJson("L3", 1, "APPLE", 6, 0, 0, "backordered", "2026-02-12"));
    CHECK(h.line("L4", 1) == lineJson("L4", 1, "APPLE", 2, 0, 0, "backordered", "2026-02-12"));
    CHECK(h.line("L5", 1) == lineJson("L5", 1, "APPLE", 1, 0, 0, "backordered", "2026-02-12"));

    // Receive 4 more: they close PO-C (3) and take 1 of PO-A; L1 gets its 2, L2 its 2.
    receiveUnits(h, kApple, 4);
    // Pick all of L1, cancel L5, receive the pallet: ASN-1's 2 go to L3. Open supply is now
    // PO-A 2 (02-10) and PO-B 5 (02-12).
    h.pickOk({"L1", "1", "3"});
    h.importOk("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\nL5,1,A,APPLE,0,0,2026-01-03\n", 1);
    const auto pallet = h.receive({kPallet});
    REQUIRE(pallet.status == 0);
    // L3 (2 allocated) waits for 4: PO-A 2 + PO-B 2, 02-12, partially allocated.
    // L4 waits for 2 from PO-B: 02-12.
    CHECK(h.backorders() == Json::array({
                                lineJson("L1", 1, "APPLE", 3, 0, 3, "picked"),
                                lineJson("L2", 1, "APPLE", 2, 2, 0, "allocated"),
                                lineJson("L3", 1, "APPLE", 6, 2, 0, "partially_allocated", "2026-02-12"),
                                lineJson("L4", 1, "APPLE", 2, 0, 0, "backordered", "2026-02-12"),
                                lineJson("L5", 1, "APPLE", 0, 0, 0, "cancelled"),
                                lineJson("N1", 1, "PLUM", 1, 0, 0, "out_of_stock"),
                                lineJson("P1", 1, "PEAR", 1, 0, 0, "backordered", "2026-03-01"),
                                lineJson("P1", 2, "PEAR", 1, 0, 0, "out_of_stock"),
                            }));
    // A partly allocated line whose remainder the inbound does not cover has no eta.
    h.importOk("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\nL3,1,A,APPLE,20,0,2026-01-01\n", 1);
    CHECK(h.line("L3", 1) == lineJson("L3", 1, "APPLE", 20, 2, 0, "partially_allocated"));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 4, 4)}));
    checkLedger(h);
}

TEST_CASE("allocation order end to end: priority, promised_at (none last), ordered_at (time zones), order_id bytewise, line")
{
    CliHarness h;
    setUp(h);
    // Every line wants 1 APPLE; the file lists them in no particular order.
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,priority,ordered_at,promised_at\n"
               "NEG,1,X,APPLE,1,-1,2025-01-01,2025-01-02\n"      // negative priority: last
               "TZ-2,1,X,APPLE,1,0,2026-01-03T09:00Z,\n"          // 09:00Z
               "TZ-1,1,X,APPLE,1,0,2026-01-03T10:00+02:00,\n"     // 08:00Z
               "TZ-0,1,X,APPLE,1,0,2026-01-02T23:30-05:00,\n"     // 04:30Z on the 3rd
               "DAY,1,X,APPLE,1,0,2026-01-03,\n"                  // 00:00Z on the 3rd
               "PR-2,1,X,APPLE,1,0,2026-01-01T00:00Z,2026-01-25\n"
               "PR-1,1,X,APPLE,1,0,2026-01-09,2026-01-20T12:00+01:00\n"
               "HI,1,X,APPLE,1,2,2026-01-10,\n"                   // highest priority, no promise
               "SO-b,1,X,APPLE,1,0,2026-01-04,\n"
               "SO-B,1,X,APPLE,1,0,2026-01-04,\n"
               "SO-B,10,X,APPLE,1,0,2026-01-04,\n"
               "SO-B,2,X,APPLE,1,0,2026-01-04,\n",
               12);
    const std::vector<std::pair<std::string, int64_t>> order{
        {"HI", 1},  {"PR-1", 1}, {"PR-2", 1}, {"DAY", 1},   {"TZ-0", 1}, {"TZ-1", 1},
        {"TZ-2", 1}, {"SO-B", 1}, {"SO-B", 2}, {"SO-B", 10}, {"SO-b", 1}, {"NEG", 1}};

    SUBCASE("one receipt, allocations listed in allocation order")
    {
        const Json line = receiveUnits(h, kApple, 12);
        std::vector<std::pair<std::string, int64_t>> got;
        for (const auto& a : line["allocations"]) {
            CHECK(a["qty"] == 1);
            got.emplace_back(a["order_id"], a["line"]);
        }
        CHECK(got == order);
        CHECK(line["to_stock"] == 0);
    }
    SUBCASE("one unit at a time: each goes to the first line still waiting")
    {
        for (const auto& [orderId, lineNo] : order) {
            const Json line = receiveUnits(h, kApple, 1);
            REQUIRE(line["allocations"].size() == 1);
            CHECK(line["allocations"][0]["order_id"] == orderId);
            CHECK(line["allocations"][0]["line"] == lineNo);
        }
        const Json extra = receiveUnits(h, kApple, 1);
        CHECK(extra["allocations"] == Json::array());
        CHECK(extra["to_stock"] == 1);
    }
}

TEST_CASE("pick: on hand falls, picked rises, allocated falls, the line becomes picked")
{
    CliHarness h;
    setUp(h);
    h.importOk("locations", "code,kind,sequence\nDOCK,receiving,1\nOUT-1,staging,2\n", 2);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,5,2026-01-02\nSO-2,1,B,APPLE,5,2026-01-03\n", 2);
    receiveUnits(h, kApple, 8); // SO-1 5, SO-2 3
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 8, 8)}));

    CHECK(h.pickOk({"SO-1", "1", "2"}) == Json{{"ok", true}, {"order_id", "SO-1"}, {"line", 1}, {"qty", 2}});
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 5, 3, 2, "allocated"));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 6, 6)}));
    h.pickOk({"SO-1", "1", "3"});
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 5, 0, 5, "picked"));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 3, 3)}));
    // The picked units left the staging lane.
    CHECK(h.query("SELECT location, qty FROM stock WHERE qty <> 0 AND product_id = (SELECT id FROM products WHERE sku = 'APPLE')") ==
          std::vector<std::string>{"OUT-1|3"});
    // A partly allocated line can pick what it holds: it stays partially_allocated.
    h.pickOk({"--location", "OUT-1", "SO-2", "1", "1"});
    CHECK(h.line("SO-2", 1) == lineJson("SO-2", 1, "APPLE", 5, 2, 1, "partially_allocated"));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 2, 2)}));
    // Each pick is an outbox op after the receipt.
    CHECK(h.query("SELECT device_seq, kind FROM outbox ORDER BY device_seq") ==
          std::vector<std::string>{"1|receive", "2|pick", "3|pick", "4|pick"});
    // A receipt now completes SO-2 (a picked line takes nothing).
    const Json line = receiveUnits(h, kApple, 5);
    CHECK(line["allocations"] == Json::array({allocJson("SO-2", 1, 2, "OUT-1")}));
    checkLedger(h);
}

TEST_CASE("pick: refusals (not_allocated, unknown_line, no_stock, bad_qty) change nothing")
{
    CliHarness h;
    setUp(h);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,5,2026-01-02\nSO-2,1,B,PEAR,1,2026-01-02\n", 2);
    receiveUnits(h, kApple, 3);
    const Snapshot before = h.snapshot();
    struct Case {
        std::vector<std::string> args;
        std::string code;
    };
    const std::vector<Case> cases{
        {{"SO-1", "1", "4"}, "not_allocated"},      // 3 allocated
        {{"SO-2", "1", "1"}, "not_allocated"},      // nothing allocated
        {{"SO-1", "2", "1"}, "unknown_line"},
        {{"SO-9", "1", "1"}, "unknown_line"},
        {{"--location", "ELSEWHERE", "SO-1", "1", "1"}, "no_stock"},
        {{"SO-1", "1", "0"}, "bad_qty"},
    };
    for (const auto& c : cases) {
        const auto r = h.pick(c.args);
        INFO(r);
        CHECK(r.status == 1);
        CHECK(r.json()["ok"] == false);
        CHECK(r.json()["code"] == c.code);
    }
    CHECK(h.snapshot() == before);
    // Bad usage: a quantity that is not a number.
    CHECK(h.run({"pick", "SO-1", "1", "x"}).status == 3);
    CHECK(h.snapshot() == before);
    checkLedger(h);
}

TEST_CASE("a database another writer holds locked: pick, receive and import exit 3 after --busy-timeout, nothing changes")
{
    CliHarness h;
    setUp(h);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,5,2026-01-02\n", 1);
    receiveUnits(h, kApple, 3);
    const Snapshot before = h.snapshot();
    sqlite3* writer = nullptr;
    REQUIRE(sqlite3_open(h.db().c_str(), &writer) == SQLITE_OK);
    REQUIRE(sqlite3_exec(writer, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    const std::string csv = h.writeFile("more.csv", "order_id,line,customer,sku,qty,ordered_at\nSO-2,1,B,APPLE,1,2026-01-03\n");
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"pick", "SO-1", "1", "1"}, {"receive", kApple}, {"import", "backorders", csv}}) {
        std::vector<std::string> all{"--busy-timeout", "500"};
        all.insert(all.end(), args.begin(), args.end());
        const auto r = h.run(all);
        INFO(r);
        CHECK(r.status == 3);
        CHECK(r.out.empty());
        CHECK(r.codes() == std::vector<std::string>{"db_busy"});
    }
    sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(writer);
    CHECK(h.snapshot() == before);
}
