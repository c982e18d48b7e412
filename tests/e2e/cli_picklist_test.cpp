// End to end: `backfill picklist`, `backfill pick --lot` and the stock views of issue 10
// (items 3 and 6; docs/operations.md, Picking) on real database files: orders in allocation
// order, the staging lane first, lots first-expiry-first over the pick path, expired lots and
// held units never picked, every pick refusal with nothing written, and `stock` with held,
// expired and per-location rows.
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

using namespace backfill::e2e;

namespace {

const std::string kApple = "0" + withCheckDigit("400000000001");
const std::string kPear = "0" + withCheckDigit("400000000002");

// Receiving DOCK; staging OUT-1 (5) and OUT-2 (6); storage A-01 (10), A-02 (20), B-01 (30) in
// pick-path order (listed out of it); quarantine Q.
void setUp(const CliHarness& h)
{
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple + "\nPEAR,Pear," + kPear + "\n", 2);
    h.importOk("locations",
               "code,kind,sequence\nB-01,storage,30\nA-02,storage,20\nA-01,storage,10\nDOCK,receiving,1\n"
               "OUT-2,staging,6\nOUT-1,staging,5\nQ,quarantine,90\n",
               7);
}

// APPLE before any order (today is 2026-01-15): A-02 5 of L-LATE (2026-06-30), A-01 3 of
// L-EARLY (2026-03-01) and 2 of L-OLD (expired 2026-01-10), B-01 4 without a lot: 14 on hand,
// 12 allocatable.
void stockApples(const CliHarness& h)
{
    h.receiveOk({"--location", "A-02", "(01)" + kApple + "(30)5(10)L-LATE(17)260630"});
    h.receiveOk({"--location", "A-01", "(01)" + kApple + "(30)3(10)L-EARLY(17)260301"});
    h.receiveOk({"--location", "A-01", "(01)" + kApple + "(30)2(10)L-OLD(17)260110"});
    h.receiveOk({"--location", "B-01", "(01)" + kApple + "(30)4"});
}

// Allocation order: HI (priority 5), SO-1, SO-2 (ordered_at). HI 1, SO-1 4, SO-2 6 of the 12.
// Stages by the lane rule (fewest open orders, then sequence): HI OUT-1, SO-1 OUT-2, SO-2 OUT-1.
void importOrders(const CliHarness& h)
{
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,priority,ordered_at\n"
               "SO-2,1,B,APPLE,6,0,2026-01-03\n"
               "SO-1,1,A,APPLE,4,0,2026-01-02\n"
               "HI,1,C,APPLE,1,5,2026-01-05\n",
               3);
}

Json take(const std::string& location, const std::optional<std::string>& lot, const std::optional<std::string>& expiry,
          int64_t qty)
{
    return Json{{"location", location},
                {"lot", lot ? Json(*lot) : Json(nullptr)},
                {"expiry", expiry ? Json(*expiry) : Json(nullptr)},
                {"qty", qty}};
}

Json pickLine(int64_t line, const std::string& sku, int64_t allocated, Json takes, int64_t unplaced = 0)
{
    return Json{{"line", line}, {"sku", sku}, {"allocated", allocated}, {"take", std::move(takes)}, {"unplaced", unplaced}};
}

Json order(const std::string& orderId, const std::optional<std::string>& stage, Json lines)
{
    return Json{{"order_id", orderId}, {"stage", stage ? Json(*stage) : Json(nullptr)}, {"lines", std::move(lines)}};
}

Json picklist(const CliHarness& h, const std::vector<std::string>& args = {})
{
    std::vector<std::string> all{"picklist"};
    all.insert(all.end(), args.begin(), args.end());
    const auto r = h.run(all);
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    return r.json();
}

// pickedLots lists the picked events as "ORDER/LINE|LOCATION|LOT|QTY" in ledger order.
std::vector<std::string> pickedLots(const CliHarness& h)
{
    return h.query("SELECT l.order_id || '/' || l.line, e.location, e.lot, e.qty FROM events e JOIN order_lines l "
                   "ON l.id = e.order_line_id WHERE e.kind = 'picked' ORDER BY e.id");
}

Json locationJson(const std::string& location, const std::optional<std::string>& lot,
                  const std::optional<std::string>& expiry, int64_t qty, int64_t held = 0)
{
    return Json{{"location", location},
                {"lot", lot ? Json(*lot) : Json(nullptr)},
                {"expiry", expiry ? Json(*expiry) : Json(nullptr)},
                {"qty", qty},
                {"held", held}};
}

} // namespace

TEST_CASE("picklist: orders in allocation order, lots first-expiry-first over the pick path, expired lots never")
{
    CliHarness h;
    setUp(h);
    CHECK(picklist(h) == Json::array());
    stockApples(h);
    importOrders(h);
    CHECK(h.query("SELECT order_id, stage FROM orders ORDER BY order_id") ==
          std::vector<std::string>{"HI|OUT-1", "SO-1|OUT-2", "SO-2|OUT-1"});
    // HI takes the earliest lot first; SO-1 the rest of it and then the next lot, listed in
    // pick-path order (A-01 before A-02); SO-2 the later lot, then the units without a lot.
    // L-OLD (expired) is never listed.
    const Json all = Json::array({
        order("HI", "OUT-1", Json::array({pickLine(1, "APPLE", 1, Json::array({take("A-01", "L-EARLY", "2026-03-01", 1)}))})),
        order("SO-1", "OUT-2",
              Json::array({pickLine(1, "APPLE", 4,
                                    Json::array({take("A-01", "L-EARLY", "2026-03-01", 2),
                                                 take("A-02", "L-LATE", "2026-06-30", 2)}))})),
        order("SO-2", "OUT-1",
              Json::array({pickLine(1, "APPLE", 6,
                                    Json::array({take("A-02", "L-LATE", "2026-06-30", 3), take("B-01", std::nullopt, std::nullopt, 3)}))})),
    });
    CHECK(picklist(h) == all);
    // One order: its list as in the whole (the orders before it have been served first).
    CHECK(picklist(h, {"--order", "SO-2"}) == Json::array({all[2]}));
    CHECK(picklist(h, {"--order", "SO-9"}) == Json::array());
    // Reading writes nothing.
    CHECK(h.count("outbox") == 4);

    // stock: 14 on hand, 11 allocated, 2 expired (L-OLD), free 1; --sku adds the rows by
    // (location, lot).
    CHECK(h.stock() == Json::array({stockJson("APPLE", 14, 11, 0, 0, 2), stockJson("PEAR", 0, 0)}));
    Json detail = stockJson("APPLE", 14, 11, 0, 0, 2);
    detail["locations"] = Json::array({locationJson("A-01", "L-EARLY", "2026-03-01", 3), locationJson("A-01", "L-OLD", "2026-01-10", 2),
                                       locationJson("A-02", "L-LATE", "2026-06-30", 5), locationJson("B-01", std::nullopt, std::nullopt, 4)});
    CHECK(h.stockDetail("APPLE") == Json::array({detail}));
    Json pear = stockJson("PEAR", 0, 0);
    pear["locations"] = Json::array();
    CHECK(h.stockDetail("PEAR") == Json::array({pear}));
    CHECK(h.stockDetail("NOPE") == Json::array());
    checkLedger(h);
}

TEST_CASE("picklist: units at the order's staging lane come first, then the pick path; lines by number")
{
    CliHarness h;
    setUp(h);
    // One APPLE of L1 in A-01 before the order; the order's import allocates it where it is.
    // Its lines' other units come by receipts, which carry them to the order's lane OUT-1.
    h.receiveOk({"--location", "A-01", "(01)" + kApple + "(30)1(10)L1(17)260201"});
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,2,A,PEAR,2,2026-01-02\nSO-1,1,A,APPLE,3,2026-01-02\n", 2);
    h.receiveOk({"(01)" + kPear + "(30)2"});
    h.receiveOk({"(01)" + kApple + "(30)2(10)L2(17)260501"});
    CHECK(h.query("SELECT p.sku, s.location, s.lot, s.qty FROM stock s JOIN products p ON p.id = s.product_id WHERE s.qty > 0 "
                  "ORDER BY 1, 2") == std::vector<std::string>{"APPLE|A-01|L1|1", "APPLE|OUT-1|L2|2", "PEAR|OUT-1||2"});
    // APPLE: the lane's L2 first (already put there for the order) although L1 expires first.
    CHECK(picklist(h) ==
          Json::array({order("SO-1", "OUT-1",
                             Json::array({pickLine(1, "APPLE", 3,
                                                   Json::array({take("OUT-1", "L2", "2026-05-01", 2), take("A-01", "L1", "2026-02-01", 1)})),
                                          pickLine(2, "PEAR", 2, Json::array({take("OUT-1", std::nullopt, std::nullopt, 2)}))}))}));
    // Picked lines leave the list; a fully picked order leaves it.
    h.pickOk({"SO-1", "2", "2"});
    h.pickOk({"SO-1", "1", "2"}); // the lane (default location), lot L2
    CHECK(picklist(h) == Json::array({order("SO-1", "OUT-1",
                                            Json::array({pickLine(1, "APPLE", 1, Json::array({take("A-01", "L1", "2026-02-01", 1)}))}))}));
    h.pickOk({"SO-1", "1", "1", "--location", "A-01"});
    CHECK(picklist(h) == Json::array());
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 3, 0, 3, "picked"));
    CHECK(pickedLots(h) == std::vector<std::string>{"SO-1/2|OUT-1||2", "SO-1/1|OUT-1|L2|2", "SO-1/1|A-01|L1|1"});
    checkLedger(h);
}

TEST_CASE("pick: lots first-expiry-first, --lot, expired never, the op names the lots")
{
    CliHarness h;
    setUp(h);
    stockApples(h);
    importOrders(h);
    // A-01 holds L-EARLY 3 and expired L-OLD 2: FEFO takes L-EARLY.
    CHECK(h.pickOk({"HI", "1", "1", "--location", "A-01"}) == Json{{"ok", true}, {"order_id", "HI"}, {"line", 1}, {"qty", 1}});
    h.pickOk({"SO-1", "1", "2", "--location", "A-01"});
    CHECK(pickedLots(h) == std::vector<std::string>{"HI/1|A-01|L-EARLY|1", "SO-1/1|A-01|L-EARLY|2"});
    const auto op = h.query("SELECT kind, payload FROM outbox ORDER BY device_seq DESC LIMIT 1");
    CHECK(op == std::vector<std::string>{"pick|" + Json{{"order_id", "SO-1"}, {"line", 1}, {"qty", 2}, {"location", "A-01"}, {"lot", ""},
                                                        {"lots", Json::array({Json{{"lot", "L-EARLY"}, {"qty", 2}}})}}
                                                       .dump()});
    // --lot takes that lot; without a location, where it is (most pickable, staging lane first).
    h.pickOk({"SO-2", "1", "1", "--lot", "L-LATE"});
    h.pickOk({"SO-2", "1", "2", "--location", "B-01", "--lot", ""});
    CHECK(pickedLots(h).back() == "SO-2/1|B-01||2");
    // Without --location and --lot: the location with most pickable units (A-02: 4 L-LATE).
    h.pickOk({"SO-1", "1", "2"});
    CHECK(pickedLots(h).back() == "SO-1/1|A-02|L-LATE|2");
    CHECK(h.stock() == Json::array({stockJson("APPLE", 6, 3, 0, 0, 2), stockJson("PEAR", 0, 0)}));
    checkLedger(h);
}

TEST_CASE("pick: refusals (expired, no_stock, quarantined, not_allocated, unknown_line, bad_qty) write nothing")
{
    CliHarness h;
    setUp(h);
    stockApples(h);
    importOrders(h);
    h.pickOk({"HI", "1", "1", "--location", "A-01"});
    h.pickOk({"SO-1", "1", "2", "--location", "A-01"}); // L-EARLY used up, L-OLD 2 expired left
    h.receiveOk({"--location", "Q", "(01)" + kApple + "(30)1"});
    const Snapshot before = h.snapshot();
    struct Case {
        std::vector<std::string> args;
        std::string code;
    };
    const std::vector<Case> cases{
        {{"SO-1", "1", "1", "--location", "A-01"}, "expired"},                   // only L-OLD is there
        {{"SO-1", "1", "1", "--location", "A-01", "--lot", "L-OLD"}, "expired"}, // named expired lot
        {{"SO-1", "1", "1", "--location", "A-02", "--lot", "L-NONE"}, "no_stock"},
        {{"SO-1", "1", "2", "--location", "B-01", "--lot", "L-LATE"}, "no_stock"}, // that lot is not there
        {{"SO-1", "1", "1", "--location", "NOWHERE"}, "no_stock"},
        {{"SO-1", "1", "1", "--location", "Q"}, "quarantined"},
        {{"SO-1", "1", "3"}, "not_allocated"},
        {{"SO-1", "9", "1"}, "unknown_line"},
        {{"SO-1", "1", "0"}, "bad_qty"},
    };
    for (const auto& c : cases) {
        const auto r = h.pick(c.args);
        INFO(r);
        CHECK(r.status == 1);
        CHECK(r.json()["ok"] == false);
        CHECK(r.json()["code"] == c.code);
        CHECK(h.snapshot() == before);
    }
    // Bad usage: --lot without a value.
    CHECK(h.run({"pick", "SO-1", "1", "1", "--lot"}).status == 3);
    CHECK(h.snapshot() == before);
    checkLedger(h);
}

TEST_CASE("a lot that expires after it was allocated: the allocation stands, picklist leaves it unplaced, pick refuses")
{
    CliHarness h;
    setUp(h);
    stockApples(h);
    importOrders(h);
    // On 2026-03-05 L-EARLY (2026-03-01) has expired: HI's and SO-1's units from it have no
    // pickable stock left; SO-1 and SO-2 share what remains in allocation order.
    const auto later = [&](const std::vector<std::string>& args) {
        std::vector<std::string> all{"--db", h.db(), "--today", "2026-03-05"};
        all.insert(all.end(), args.begin(), args.end());
        return h.runRaw(all);
    };
    const auto list = later({"picklist"});
    REQUIRE(list.status == 0);
    CHECK(list.json() ==
          Json::array({order("HI", "OUT-1", Json::array({pickLine(1, "APPLE", 1, Json::array({take("A-02", "L-LATE", "2026-06-30", 1)}))})),
                       order("SO-1", "OUT-2",
                             Json::array({pickLine(1, "APPLE", 4,
                                                   Json::array({take("A-02", "L-LATE", "2026-06-30", 4)}))})),
                       order("SO-2", "OUT-1",
                             Json::array({pickLine(1, "APPLE", 6, Json::array({take("B-01", std::nullopt, std::nullopt, 4)}), 2)}))}));
    // stock counts both lots as expired; free is negative: 2 allocated units lack stock.
    const auto stock = later({"stock", "--sku", "APPLE"});
    REQUIRE(stock.status == 0);
    CHECK(stock.json()[0]["expired"] == 5);
    CHECK(stock.json()[0]["free"] == -2);
    // PEAR: 2 units of P1 (2026-02-01) allocated today; on 2026-03-05 they are its only stock.
    h.receiveOk({"--location", "B-01", "(01)" + kPear + "(30)2(10)P1(17)260201"});
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,2,A,PEAR,2,2026-01-02\n", 1);
    CHECK(h.line("SO-1", 2) == lineJson("SO-1", 2, "PEAR", 2, 2, 0, "allocated"));
    const Snapshot before = h.snapshot();
    for (const auto& args : std::vector<std::vector<std::string>>{{"pick", "HI", "1", "1", "--location", "A-01"},
                                                                  {"pick", "SO-1", "2", "1"}}) {
        const auto r = later(args);
        INFO(r);
        CHECK(r.status == 1);
        CHECK(r.json()["code"] == "expired");
        CHECK(h.snapshot() == before);
    }
    // Today the same pick is fine.
    h.pickOk({"SO-1", "2", "1"});
    checkLedger(h);
}
