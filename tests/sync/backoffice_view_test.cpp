// The back office on the terminal (issue 13: "the terminal's Stock screen shows the reorder
// state and marks the 20 fastest movers"), end to end: the real backfilld ($BACKFILLD_BIN)
// serving on tcp://127.0.0.1 with suppliers and a promotion, two real `backfill` terminals
// ($BACKFILL_BIN) that receive and pick and sync; then the first terminal's database, read
// through the store the Stock screen uses, decides every product's reorder state exactly as
// `backfilld replenish` does and ranks the movers as `backfilld report velocity` does, the
// other terminal's pick included. The figures are also checked against hand-computed values,
// so the two sides cannot agree on a wrong answer.
#include "e2e/BackfilldProcess.h"
#include "e2e/CliHarness.h"

#include "store/TerminalStore.h"

#include <doctest/doctest.h>

using namespace backfill;
using namespace backfill::e2e;

namespace {

const std::string kGtinA = withCheckDigit("400000000101");
const std::string kGtinB = withCheckDigit("400000000102");
const std::string kGtinC = withCheckDigit("400000000103");

// today (CliHarness::kToday) is 2026-01-15: the demand window is [2025-12-18, 2026-01-15).
const char* kLocations = "code,kind,sequence\nDOCK,receiving,1\nA-01,storage,100\nOUT-1,staging,200\nQ,quarantine,300\n";
std::string catalog()
{
    return "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\n"
           "SKU-A,Widget," + kGtinA + ",,,5,10\n"
           "SKU-B,Gadget," + kGtinB + ",,,3,3\n"
           "SKU-C,Gizmo," + kGtinC + ",,,2,4\n";
}
// SO-2 was ordered before the window: it waits, but is no demand of the window. SO-1 comes
// first (priority 2 before 1).
const char* kBackorders = "order_id,line,customer,email,sku,qty,priority,ordered_at\n"
                          "SO-1,1,Acme,a@example.com,SKU-A,8,2,2026-01-05\n"
                          "SO-2,1,Bolt,b@example.com,SKU-A,30,1,2025-11-01\n"
                          "SO-3,1,Acme,a@example.com,SKU-B,4,1,2026-01-10\n"
                          "SO-4,1,Cole,c@example.com,SKU-C,2,1,2026-01-14\n";
const char* kInbound = "inbound_id,supplier,sku,qty,eta\nASN-1,Acme,SKU-A,50,2026-01-25\n";
const char* kSuppliers = "sku,supplier,lead_time_days,min_order_qty,unit_cost\n"
                         "SKU-A,ACME,12,50,2.00\n"
                         "SKU-A,BETA,7,20,3.00\n"
                         "SKU-B,ACME,5,10,1.00\n";

struct Terminal : CliHarness {
    RunResult at(const std::string& now, const std::vector<std::string>& args, const std::string& input = "") const
    {
        std::vector<std::string> all{"--now", now};
        all.insert(all.end(), args.begin(), args.end());
        auto r = run(all, input);
        INFO(r);
        REQUIRE(r.status == 0);
        return r;
    }
    void enrol(const Backfilld& s, const std::string& device) const
    {
        at("2026-01-05T08:00:00Z", {"enroll", "--server", s.url(), "--device", device, "--token", s.addDevice(device)});
    }
};

std::string scan(const std::string& gtin, int units) { return "(01)0" + gtin + "(30)" + std::to_string(units); }

// terminalReplenishment prints the terminal's decisions in `backfilld replenish`'s JSON.
Json terminalReplenishment(const std::string& db)
{
    auto store = store::TerminalStore::open(db);
    REQUIRE(store);
    const auto today = *ledger::parseDate(CliHarness::kToday);
    auto rows = (*store)->replenishment(today, ledger::ReplenishmentPolicy{});
    REQUIRE(rows);
    Json out = Json::array();
    for (const auto& r : *rows)
        out.push_back({{"sku", r.sku},
                       {"on_hand", r.onHand},
                       {"inbound", r.inbound},
                       {"allocated", r.allocated},
                       {"waiting", r.waiting},
                       {"projected", r.projected},
                       {"daily_demand", ledger::formatDailyDemand(r.demandUnits, r.windowDays)},
                       {"reorder_point", r.reorderPoint},
                       {"suggested_qty", r.suggestedQty},
                       {"supplier", r.supplier ? Json(*r.supplier) : Json()},
                       {"lead_time_days", r.leadTimeDays}});
    return out;
}

} // namespace

TEST_CASE("a terminal in step with the server decides reorder states and fast movers as the server does")
{
    CliHarness serverDir;
    Backfilld s(serverDir);
    s.import("locations", kLocations, 4);
    s.import("catalog", catalog(), 3);
    s.import("backorders", kBackorders, 4);
    s.import("inbound", kInbound, 1);
    s.import("suppliers", kSuppliers, 3);
    // A promotion active today (SKU-A x 1.5) and one whose date has passed (kept, inactive).
    s.json({"promo", "add", "SKU-A", "--factor", "1.5", "--until", "2026-01-20"});
    s.json({"promo", "add", "SKU-A", "--factor", "4", "--until", "2026-01-14"});
    s.serve();

    Terminal t1, t2;
    t1.enrol(s, "HH-01");
    t2.enrol(s, "HH-02");
    t1.at("2026-01-05T08:01:00Z", {"sync"});
    t2.at("2026-01-05T08:01:00Z", {"sync"});
    // HH-01 receives SKU-A and SKU-B and picks two lines; HH-02 receives SKU-C and picks its line.
    t1.at("2026-01-12T09:00:00Z", {"receive", "-"}, scan(kGtinA, 20) + "\n" + scan(kGtinB, 6) + "\n");
    t1.at("2026-01-12T10:00:00Z", {"pick", "SO-1", "1", "8"});
    t1.at("2026-01-12T10:05:00Z", {"pick", "SO-3", "1", "4"});
    t1.at("2026-01-12T10:10:00Z", {"sync"});
    t2.at("2026-01-13T09:00:00Z", {"sync"});
    t2.at("2026-01-13T09:01:00Z", {"receive", "-"}, scan(kGtinC, 5) + "\n");
    t2.at("2026-01-13T09:02:00Z", {"pick", "SO-4", "1", "2"});
    t2.at("2026-01-13T09:03:00Z", {"sync"});
    // HH-01 learns of HH-02's pick by this pull (a `picked` event of the settle, at its time).
    t1.at("2026-01-14T08:00:00Z", {"sync"});
    s.kill(SIGTERM);

    // By hand, T = 2026-01-15, window 28 days:
    //  SKU-A: 20 received (ASN-1 50 -> 30 open), SO-1 8 picked, SO-2 12 of 30 allocated: on hand
    //   12, P = 12 + 30 - 12 - 18 = 12; D = 8/28 (SO-2 was ordered before the window), U = 1.5,
    //   best supplier BETA (7 days beats 12): ROP = ceil(5 + 8/28 x 1.5 x 7) = 8; 12 > 8.
    //  SKU-B: 6 received, 4 picked: P = 2; D = 4/28, ACME 5 days: ROP = ceil(3 + 20/28) = 4;
    //   2 <= 4: suggest max(10, 4 + ceil(1) - 2) = 10.
    //  SKU-C: 5 received at HH-02, 2 picked: P = 3; no supplier, catalog 4 days:
    //   ROP = ceil(2 + 8/28) = 3; 3 <= 3: suggest max(0, 3 + ceil(0.5) - 3) = 1.
    const Json expected = Json::parse(R"([
      {"sku":"SKU-A","on_hand":12,"inbound":30,"allocated":12,"waiting":18,"projected":12,"daily_demand":"0.29",
       "reorder_point":8,"suggested_qty":0,"supplier":"BETA","lead_time_days":7},
      {"sku":"SKU-B","on_hand":2,"inbound":0,"allocated":0,"waiting":0,"projected":2,"daily_demand":"0.14",
       "reorder_point":4,"suggested_qty":10,"supplier":"ACME","lead_time_days":5},
      {"sku":"SKU-C","on_hand":3,"inbound":0,"allocated":0,"waiting":0,"projected":3,"daily_demand":"0.07",
       "reorder_point":3,"suggested_qty":1,"supplier":null,"lead_time_days":4}])");
    CHECK(s.json({"replenish", "--all"}) == expected);
    CHECK(s.json({"replenish"}) == Json(expected.begin() + 1, expected.end())); // only those at or below the point
    CHECK(terminalReplenishment(t1.db()) == expected);

    const Json movers = Json::parse(R"([{"rank":1,"sku":"SKU-A","units":8,"picks":1},{"rank":2,"sku":"SKU-B","units":4,"picks":1},
                                        {"rank":3,"sku":"SKU-C","units":2,"picks":1}])");
    CHECK(s.json({"report", "velocity"}) == movers);
    auto store = store::TerminalStore::open(t1.db());
    REQUIRE(store);
    const auto today = *ledger::parseDate(CliHarness::kToday);
    auto velocity = (*store)->velocity(today, 28);
    REQUIRE(velocity);
    Json terminalMovers = Json::array();
    for (const auto& v : *velocity) terminalMovers.push_back({{"rank", v.rank}, {"sku", v.sku}, {"units", v.units}, {"picks", v.picks}});
    CHECK(terminalMovers == movers);

    // One product's state, as the Stock card reads it.
    auto b = (*store)->reorderState("SKU-B", today, ledger::ReplenishmentPolicy{});
    REQUIRE(b);
    REQUIRE(*b);
    CHECK((*b)->reorder);
    CHECK((*b)->reorderPoint == 4);
    CHECK((*b)->suggestedQty == 10);
    CHECK(*(*b)->supplier == "ACME");
    auto none = (*store)->reorderState("NOPE", today, ledger::ReplenishmentPolicy{});
    REQUIRE(none);
    CHECK_FALSE(*none);
}
