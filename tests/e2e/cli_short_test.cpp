// End to end: `backfill import reasons` and `backfill short` on real database files (issue
// 10 item 3; docs/operations.md, Picking): the reasons file (assets/reasons.csv and file
// errors), the short-pick rule (missing = min(allocated, pickable at the location) - found,
// put on hold lot by lot, taken off the line, the allocation rule run at once, a count task,
// one `short` op), held units in stock and never picked, every refusal code with nothing
// written, and who may record a short pick.
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

std::string sourcePath(const std::string& relative)
{
    const char* source = std::getenv("BACKFILL_SOURCE");
    REQUIRE(source);
    return std::string(source) + "/" + relative;
}

// Locations: DOCK, lanes OUT-1/OUT-2, bins A-01 (10), A-02 (20), B-01 (30), quarantine Q; the
// reasons of assets/reasons.csv. APPLE: A-01 3 of L1 (2026-03-01) and 4 of L2 (2026-04-01),
// B-01 5 without a lot. SO-1 5 and SO-2 6 allocated (12 allocatable: 1 free); SO-3 waits for
// PEAR (none).
void setUp(const CliHarness& h)
{
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple + "\nPEAR,Pear," + kPear + "\n", 2);
    h.importOk("locations",
               "code,kind,sequence\nDOCK,receiving,1\nOUT-1,staging,5\nOUT-2,staging,6\nA-01,storage,10\nA-02,storage,20\n"
               "B-01,storage,30\nQ,quarantine,90\n",
               7);
    const auto r = h.run({"import", "reasons", sourcePath("assets/reasons.csv")});
    INFO(r);
    REQUIRE(r.status == 0);
    REQUIRE(h.count("reasons") >= 8);
    h.receiveOk({"--location", "A-01", "(01)" + kApple + "(30)3(10)L1(17)260301"});
    h.receiveOk({"--location", "A-01", "(01)" + kApple + "(30)4(10)L2(17)260401"});
    h.receiveOk({"--location", "B-01", "(01)" + kApple + "(30)5"});
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,5,2026-01-02\nSO-2,1,B,APPLE,6,2026-01-03\n"
               "SO-3,1,C,PEAR,1,2026-01-04\n",
               3);
}

RunResult shortPick(const CliHarness& h, const std::vector<std::string>& args)
{
    std::vector<std::string> all{"short"};
    all.insert(all.end(), args.begin(), args.end());
    return h.run(all);
}

Json heldJson(const std::optional<std::string>& lot, const std::optional<std::string>& expiry, int64_t qty)
{
    return Json{{"lot", lot ? Json(*lot) : Json(nullptr)}, {"expiry", expiry ? Json(*expiry) : Json(nullptr)}, {"qty", qty}};
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

// envRun runs the binary through env(1) with BACKFILL_PIN set (or unset) for one run, so the
// test's own environment never changes.
RunResult envRun(const CliHarness& h, const std::optional<std::string>& op, const std::optional<std::string>& pin,
                 const std::vector<std::string>& args)
{
    std::vector<std::string> all{"-u", "BACKFILL_PIN"};
    if (pin) all.push_back("BACKFILL_PIN=" + *pin);
    all.insert(all.end(), {std::getenv("BACKFILL_BIN"), "--db", h.db(), "--today", CliHarness::kToday});
    if (op) all.insert(all.end(), {"--operator", *op});
    all.insert(all.end(), args.begin(), args.end());
    return h.runProgram("/usr/bin/env", all);
}

} // namespace

TEST_CASE("import reasons: upsert by code, kinds in any case, file errors with line and column, nothing imported then")
{
    CliHarness h;
    h.importOk("reasons", "code,kind,description\nNOT_FOUND,short,Not there\nLOST,Adjust,\"Lost, not found\"\n", 2);
    CHECK(h.query("SELECT code, kind, description FROM reasons ORDER BY code") ==
          std::vector<std::string>{"LOST|adjust|Lost, not found", "NOT_FOUND|short|Not there"});
    // Upsert: a code's kind and description are replaced, codes not in the file stay.
    h.importOk("reasons", "code,kind,description\nNOT_FOUND,short,Nothing at the location\nDAMAGED,short,Damaged\n", 2);
    CHECK(h.query("SELECT code, kind, description FROM reasons ORDER BY code") ==
          std::vector<std::string>{"DAMAGED|short|Damaged", "LOST|adjust|Lost, not found", "NOT_FOUND|short|Nothing at the location"});
    // Imports write no outbox op, like the other master data.
    CHECK(h.count("outbox") == 0);

    const Snapshot before = h.snapshot();
    const auto r = h.importCsv("reasons", "code,kind,description\nX,sideways,Bad kind\nNOT_FOUND,short,\nX,short,Again\n");
    INFO(r);
    CHECK(r.status == 2);
    const std::string file = (h.dir() / "reasons.csv").string();
    CHECK(r.issues(file) == std::vector<Issue>{{"bad_kind", 2, "kind"}, {"required", 3, "description"}, {"duplicate_key", 4, "code"}});
    CHECK(h.importCsv("reasons", "code,kind\nA,short\n").codes() == std::vector<std::string>{"missing_column"});
    CHECK(h.snapshot() == before);
    // The shipped file imports as it is.
    const auto shipped = h.run({"import", "reasons", sourcePath("assets/reasons.csv")});
    INFO(shipped);
    CHECK(shipped.status == 0);
    CHECK(shipped.err.empty());
}

TEST_CASE("short: the missing units go on hold at the location, the line waits for them, the rule runs, a count task")
{
    CliHarness h;
    setUp(h);
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 12, 11)}));
    const int64_t events = h.count("events");
    // At A-01 the book has 7 pickable units; SO-1 expects min(5, 7) = 5 and finds 2. The 3
    // missing are the last expected ones first-expiry-first: 2 of L2, 1 of L1. SO-1 gives them
    // back, then the rule hands it the 1 free unit (B-01).
    const auto r = shortPick(h, {"SO-1", "1", "--location", "A-01", "--found", "2", "--reason", "NOT_FOUND"});
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.json() == Json{{"ok", true},
                           {"order_id", "SO-1"},
                           {"line", 1},
                           {"sku", "APPLE"},
                           {"location", "A-01"},
                           {"reason", "NOT_FOUND"},
                           {"expected", 5},
                           {"found", 2},
                           {"missing", 3},
                           {"held", Json::array({heldJson("L1", "2026-03-01", 1), heldJson("L2", "2026-04-01", 2)})},
                           {"allocated", Json::array({allocJson("SO-1", 1, 1, "OUT-1")})},
                           {"count_task", 1}});
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 5, 3, 0, "partially_allocated"));
    CHECK(h.line("SO-2", 1) == lineJson("SO-2", 1, "APPLE", 6, 6, 0, "allocated"));
    // Held units are on hand, not free: 12 on hand, 9 allocated, 3 held.
    Json detail = stockJson("APPLE", 12, 9, 0, 3);
    detail["locations"] = Json::array({locationJson("A-01", "L1", "2026-03-01", 3, 1), locationJson("A-01", "L2", "2026-04-01", 4, 2),
                                       locationJson("B-01", std::nullopt, std::nullopt, 5)});
    CHECK(h.stockDetail("APPLE") == Json::array({detail}));
    // The ledger: held events per lot, the line's deallocation and the rule's allocation, all
    // under the one `short` op.
    CHECK(h.count("events") == events + 4);
    CHECK(h.query("SELECT e.kind, e.qty, e.location, e.lot, l.order_id FROM events e LEFT JOIN order_lines l ON l.id = "
                  "e.order_line_id WHERE e.id > " + std::to_string(events) + " ORDER BY e.id") ==
          std::vector<std::string>{"held|2|A-01|L2|SO-1", "held|1|A-01|L1|SO-1", "deallocated|3|||SO-1", "allocated|1|||SO-1"});
    CHECK(h.query("SELECT COUNT(DISTINCT op_id) FROM events WHERE id > " + std::to_string(events)) == std::vector<std::string>{"1"});
    CHECK(h.query("SELECT COUNT(*) FROM events e JOIN outbox o ON o.op_id = e.op_id WHERE o.kind = 'short'") ==
          std::vector<std::string>{"4"});
    // stock.held is the sum of the held events.
    CHECK(h.query("SELECT COUNT(*) FROM stock s WHERE held <> (SELECT COALESCE(SUM(qty), 0) FROM events e WHERE e.kind = 'held' "
                  "AND e.product_id = s.product_id AND e.location = s.location AND e.lot = s.lot)") == std::vector<std::string>{"0"});
    const auto op = h.query("SELECT device_seq, kind, payload FROM outbox ORDER BY device_seq DESC LIMIT 1");
    CHECK(op == std::vector<std::string>{
                    "4|short|" + Json{{"order_id", "SO-1"}, {"line", 1}, {"location", "A-01"}, {"sku", "APPLE"}, {"found", 2},
                                      {"expected", 5}, {"missing", 3}, {"reason", "NOT_FOUND"},
                                      {"held", Json::array({Json{{"lot", "L1"}, {"qty", 1}}, Json{{"lot", "L2"}, {"qty", 2}}})},
                                      {"claims", Json::array({Json{{"order_id", "SO-1"}, {"line", 1}, {"qty", 1}}})}}
                                     .dump()});
    CHECK(h.query("SELECT p.sku, t.location, t.reason, t.order_id, t.line, t.missing, t.created_by, t.done_at FROM count_tasks t "
                  "JOIN products p ON p.id = t.product_id") == std::vector<std::string>{"APPLE|A-01|NOT_FOUND|SO-1|1|3|cli|NULL"});

    // Held units are never picked: A-01 has 4 unheld (L1 2, L2 2); the found 2 are L1's.
    h.pickOk({"SO-1", "1", "2", "--location", "A-01"});
    CHECK(h.query("SELECT lot, qty FROM events WHERE kind = 'picked'") == std::vector<std::string>{"L1|2"});
    const auto refused = h.pick({"SO-2", "1", "3", "--location", "A-01"});
    CHECK(refused.json()["code"] == "no_stock");
    // The picklist places no unit on held stock: of A-01 only L2's 2 unheld units are
    // listed, SO-1's last unit and one for SO-2, whose other 5 come from B-01.
    const auto list = h.run({"picklist"});
    REQUIRE(list.status == 0);
    CHECK(list.json()[0]["lines"][0]["take"] ==
          Json::array({Json{{"location", "A-01"}, {"lot", "L2"}, {"expiry", "2026-04-01"}, {"qty", 1}}}));
    CHECK(list.json()[1]["lines"][0]["take"] ==
          Json::array({Json{{"location", "A-01"}, {"lot", "L2"}, {"expiry", "2026-04-01"}, {"qty", 1}},
                       Json{{"location", "B-01"}, {"lot", nullptr}, {"expiry", nullptr}, {"qty", 5}}}));
    checkLedger(h);
}

TEST_CASE("short: found 0 and no free stock elsewhere: the line waits, nothing is allocated; a second short adds a task")
{
    CliHarness h;
    setUp(h);
    // SO-2 expects min(6, 5) = 5 at B-01 and finds none: 5 held, SO-2 keeps 1, and the rule
    // has 1 free unit: it goes back to SO-2 (the only waiting line).
    const auto r = shortPick(h, {"SO-2", "1", "--location", "B-01", "--found", "0", "--reason", "DAMAGED"});
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.json()["expected"] == 5);
    CHECK(r.json()["missing"] == 5);
    CHECK(r.json()["held"] == Json::array({heldJson(std::nullopt, std::nullopt, 5)}));
    CHECK(r.json()["allocated"] == Json::array({allocJson("SO-2", 1, 1, "OUT-2")}));
    CHECK(h.line("SO-2", 1) == lineJson("SO-2", 1, "APPLE", 6, 2, 0, "partially_allocated"));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 12, 7, 0, 5)}));
    // B-01 has nothing pickable left: a second short there is no_stock; at A-01 SO-2 expects 2.
    CHECK(shortPick(h, {"SO-2", "1", "--location", "B-01", "--found", "0", "--reason", "DAMAGED"}).json()["code"] == "no_stock");
    const auto again = shortPick(h, {"SO-2", "1", "--location", "A-01", "--found", "1", "--reason", "WRONG_ITEM"});
    INFO(again);
    REQUIRE(again.status == 0);
    CHECK(again.json()["expected"] == 2);
    CHECK(again.json()["missing"] == 1);
    CHECK(again.json()["held"] == Json::array({heldJson("L1", "2026-03-01", 1)})); // the expected 2 are L1's
    CHECK(again.json()["allocated"] == Json::array());
    CHECK(again.json()["count_task"] == 2);
    CHECK(h.count("count_tasks") == 2);
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 12, 6, 0, 6)}));
    CHECK(h.query("SELECT kind FROM outbox ORDER BY device_seq") ==
          std::vector<std::string>{"receive", "receive", "receive", "short", "short"});
    checkLedger(h);
}

TEST_CASE("short: refusals write nothing (unknown_line, unknown_location, quarantined, unknown_reason, bad_qty, not_allocated, no_stock, not_short)")
{
    CliHarness h;
    setUp(h);
    h.receiveOk({"--location", "Q", "(01)" + kApple + "(30)1"});
    const Snapshot before = h.snapshot();
    struct Case {
        std::vector<std::string> args;
        std::string code;
    };
    const std::vector<Case> cases{
        {{"SO-9", "1", "--location", "A-01", "--found", "0", "--reason", "NOT_FOUND"}, "unknown_line"},
        {{"SO-1", "2", "--location", "A-01", "--found", "0", "--reason", "NOT_FOUND"}, "unknown_line"},
        {{"SO-1", "1", "--location", "NOWHERE", "--found", "0", "--reason", "NOT_FOUND"}, "unknown_location"},
        {{"SO-1", "1", "--location", "Q", "--found", "0", "--reason", "NOT_FOUND"}, "quarantined"},
        {{"SO-1", "1", "--location", "A-01", "--found", "0", "--reason", "NOPE"}, "unknown_reason"},
        {{"SO-1", "1", "--location", "A-01", "--found", "0", "--reason", "not_found"}, "unknown_reason"}, // codes are exact
        {{"SO-1", "1", "--location", "A-01", "--found", "0", "--reason", "COUNT_ERROR"}, "unknown_reason"}, // kind adjust
        {{"SO-1", "1", "--location", "A-01", "--found", "-1", "--reason", "NOT_FOUND"}, "bad_qty"},
        {{"SO-3", "1", "--location", "A-01", "--found", "0", "--reason", "NOT_FOUND"}, "not_allocated"},
        {{"SO-1", "1", "--location", "A-02", "--found", "0", "--reason", "NOT_FOUND"}, "no_stock"},
        {{"SO-1", "1", "--location", "A-01", "--found", "5", "--reason", "NOT_FOUND"}, "not_short"},
        {{"SO-1", "1", "--location", "A-01", "--found", "9", "--reason", "NOT_FOUND"}, "not_short"},
    };
    for (const auto& c : cases) {
        const auto r = shortPick(h, c.args);
        INFO(r);
        CHECK(r.status == 1);
        CHECK(r.json()["ok"] == false);
        CHECK(r.json()["code"] == c.code);
        CHECK(h.snapshot() == before);
    }
    // Bad usage (exit 3): a required option missing, a count that is not a number.
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"short", "SO-1", "1", "--location", "A-01", "--found", "0"},
             {"short", "SO-1", "1", "--location", "A-01", "--reason", "NOT_FOUND"},
             {"short", "SO-1", "1", "--found", "x", "--location", "A-01", "--reason", "NOT_FOUND"}}) {
        const auto r = h.run(args);
        INFO(r);
        CHECK(r.status == 3);
        CHECK(r.codes() == std::vector<std::string>{"bad_usage"});
    }
    CHECK(h.snapshot() == before);
    // A terminal without the reasons imported knows no code at all.
    CliHarness bare;
    bare.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple + "\n", 1);
    bare.importOk("locations", "code,kind,sequence\nA-01,storage,10\n", 1);
    bare.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,1,2026-01-02\n", 1);
    CHECK(shortPick(bare, {"SO-1", "1", "--location", "A-01", "--found", "0", "--reason", "NOT_FOUND"}).json()["code"] ==
          "unknown_reason");
    checkLedger(h);
}

TEST_CASE("short: pickers and supervisors may, receivers may not; events carry the operator")
{
    CliHarness h;
    setUp(h);
    for (const auto& [name, role] : std::vector<std::pair<std::string, std::string>>{
             {"boss", "supervisor"}, {"pia", "picker"}, {"rex", "receiver"}}) {
        const auto r = envRun(h, name == "boss" ? std::nullopt : std::optional<std::string>("boss"),
                              name == "boss" ? std::nullopt : std::optional<std::string>("1111"),
                              {"user", "add", name, "--role", role, "--pin", name == "boss" ? "1111" : "2222"});
        INFO(r);
        REQUIRE(r.status == 0);
    }
    const std::vector<std::string> args{"short", "SO-1", "1", "--location", "A-01", "--found", "4", "--reason", "NOT_FOUND"};
    const Snapshot before = h.snapshot();
    const auto noOperator = envRun(h, std::nullopt, std::nullopt, args);
    CHECK(noOperator.status == 5);
    CHECK(noOperator.codes() == std::vector<std::string>{"auth_required"});
    const auto receiver = envRun(h, "rex", "2222", args);
    CHECK(receiver.status == 5);
    CHECK(receiver.codes() == std::vector<std::string>{"forbidden"});
    CHECK(h.snapshot() == before);
    const auto picker = envRun(h, "pia", "2222", args);
    INFO(picker);
    REQUIRE(picker.status == 0);
    CHECK(picker.json()["missing"] == 1);
    CHECK(h.query("SELECT DISTINCT operator FROM events WHERE kind = 'held'") == std::vector<std::string>{"pia"});
    CHECK(h.query("SELECT created_by FROM count_tasks") == std::vector<std::string>{"pia"});
    const auto boss = envRun(h, "boss", "1111", {"short", "SO-2", "1", "--location", "B-01", "--found", "4", "--reason", "DAMAGED"});
    INFO(boss);
    CHECK(boss.status == 0);
    // Reading the picklist needs no sign-in.
    CHECK(envRun(h, std::nullopt, std::nullopt, {"picklist"}).status == 0);
    checkLedger(h);
}
