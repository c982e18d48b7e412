// End to end: `backfill move` and `backfill putaway` on real database files (issue 10 item 2;
// docs/operations.md, Moves and put-away): what a scan moves, lots first-expiry-first, every
// refusal code with nothing written, quarantine holds (released lines in reverse allocation
// order) and releases (allocated lines by the rule), who may release, stdin, and put-away
// suggestions. The ledger is checked after every step (checkLedger).
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

using namespace backfill::e2e;

namespace {

const std::string kApple = "0" + withCheckDigit("400000000001");
const std::string kAppleCase = withCheckDigit("1400000000001"); // 6 apples
const std::string kPear = "0" + withCheckDigit("400000000002");
const std::string kPlum = "0" + withCheckDigit("400000000003");
const std::string kKiwi = "0" + withCheckDigit("400000000004");
const std::string kUnknownGtin = "0" + withCheckDigit("400000000099");
const std::string kPallet = withCheckDigit("34000000000000001");

// Receiving DOCK (1) and DOCK-2 (2); storage bins A-03 (10), A-04 (15), A-02 (20), A-01 (30)
// in sequence order; quarantine Q and Q2; staging lane OUT.
const char* kLocations = "code,kind,sequence\nDOCK,receiving,1\nDOCK-2,receiving,2\nA-01,storage,30\nA-02,storage,20\n"
                         "A-03,storage,10\nA-04,storage,15\nQ,quarantine,40\nQ2,quarantine,41\nOUT,staging,5\n";

void setUp(const CliHarness& h)
{
    h.importOk("catalog",
               "sku,description,gtin,case_gtin,case_qty\nAPPLE,Apple," + kApple + "," + kAppleCase + ",6\nPEAR,Pear," + kPear +
                   ",,\nPLUM,Plum," + kPlum + ",,\nKIWI,Kiwi," + kKiwi + ",,\n",
               4);
    h.importOk("locations", kLocations, 9);
}

RunResult move(const CliHarness& h, const std::vector<std::string>& args, const std::string& input = "")
{
    std::vector<std::string> all{"move"};
    all.insert(all.end(), args.begin(), args.end());
    return h.run(all, input);
}

// moveOk moves and fails the test unless every move was done; gives the JSON lines.
std::vector<Json> moveOk(const CliHarness& h, const std::vector<std::string>& args)
{
    const auto r = move(h, args);
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    return r.outLines();
}

void receive(const CliHarness& h, const std::string& scan, const std::string& location = "DOCK")
{
    h.receiveOk({"--location", location, scan});
}

Json lots(std::initializer_list<std::pair<std::optional<std::string>, int64_t>> list)
{
    Json out = Json::array();
    for (const auto& [lot, qty] : list) out.push_back({{"lot", lot ? Json(*lot) : Json(nullptr)}, {"qty", qty}});
    return out;
}

struct Moved {
    std::optional<std::string> scan;
    std::string from, to, sku;
    int64_t qty = 0;
    std::optional<std::string> lot;
    Json lots = Json::array();
    Json released = Json::array();
    Json allocated = Json::array();
};

Json movedJson(const Moved& m)
{
    return Json{{"scan", m.scan ? Json(*m.scan) : Json(nullptr)}, {"ok", true},   {"from", m.from},
                {"to", m.to},     {"sku", m.sku},  {"qty", m.qty}, {"lot", m.lot ? Json(*m.lot) : Json(nullptr)},
                {"lots", m.lots}, {"released", m.released}, {"allocated", m.allocated}};
}

Json releasedJson(const std::string& orderId, int64_t line, int64_t qty)
{
    return Json{{"order_id", orderId}, {"line", line}, {"qty", qty}};
}

// stockRows lists the non-zero stock rows as "SKU|LOCATION|LOT|QTY".
std::vector<std::string> stockRows(const CliHarness& h)
{
    return h.query("SELECT p.sku, s.location, s.lot, s.qty FROM stock s JOIN products p ON p.id = s.product_id "
                   "WHERE s.qty <> 0 ORDER BY p.sku, s.location, s.lot");
}

// lastOp is the newest outbox op as "KIND" and its payload.
std::pair<std::string, Json> lastOp(const CliHarness& h)
{
    const auto rows = h.query("SELECT kind, payload FROM outbox ORDER BY device_seq DESC LIMIT 1");
    REQUIRE(rows.size() == 1);
    const auto bar = rows[0].find('|');
    return {rows[0].substr(0, bar), Json::parse(rows[0].substr(bar + 1))};
}

} // namespace

TEST_CASE("move: a scan means what it means when receiving; one transaction, moved events and one op per move")
{
    CliHarness h;
    setUp(h);
    receive(h, "(01)" + kApple + "(30)30(10)L1");
    const std::string each = "(01)" + kApple;
    const std::string caseScan = "(01)" + kAppleCase;
    const std::string counted = "(01)" + kApple + "(30)3(10)L1";
    const std::string cases = "(01)" + kAppleCase + "(30)2";
    const auto out = moveOk(h, {"--from", "DOCK", "--to", "A-01", each, caseScan, counted, cases});
    CHECK(out == std::vector<Json>{
                     movedJson({each, "DOCK", "A-01", "APPLE", 1, std::nullopt, lots({{"L1", 1}})}),
                     movedJson({caseScan, "DOCK", "A-01", "APPLE", 6, std::nullopt, lots({{"L1", 6}})}),
                     movedJson({counted, "DOCK", "A-01", "APPLE", 3, "L1", lots({{"L1", 3}})}),
                     movedJson({cases, "DOCK", "A-01", "APPLE", 12, std::nullopt, lots({{"L1", 12}})}),
                 });
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|A-01|L1|22", "APPLE|DOCK|L1|8"});
    // One op per move (after the receipt's), each with its one moved event.
    CHECK(h.query("SELECT kind FROM outbox ORDER BY device_seq") ==
          std::vector<std::string>{"receive", "move", "move", "move", "move"});
    CHECK(h.query("SELECT e.qty, e.location, e.to_location, e.lot, e.operator FROM events e JOIN outbox o ON o.op_id = e.op_id "
                  "WHERE e.kind = 'moved' ORDER BY o.device_seq") ==
          std::vector<std::string>{"1|DOCK|A-01|L1|cli", "6|DOCK|A-01|L1|cli", "3|DOCK|A-01|L1|cli", "12|DOCK|A-01|L1|cli"});
    const auto [kind, payload] = lastOp(h);
    CHECK(kind == "move");
    CHECK(payload == Json{{"scan", cases}, {"from", "DOCK"}, {"to", "A-01"}, {"sku", "APPLE"}, {"qty", 12}, {"lot", ""},
                          {"lots", Json::array({{{"lot", "L1"}, {"qty", 12}}})}, {"released", Json::array()},
                          {"claims", Json::array()}});
    CHECK(h.stock() == Json::array({stockJson("APPLE", 30, 0), stockJson("KIWI", 0, 0), stockJson("PEAR", 0, 0),
                                    stockJson("PLUM", 0, 0)}));
    checkLedger(h);
}

TEST_CASE("move --sku --qty [--lot]: without a lot the earliest expiry goes first, no expiry last")
{
    CliHarness h;
    setUp(h);
    receive(h, "(01)" + kApple + "(30)5(10)LB(17)260630");
    receive(h, "(01)" + kApple + "(30)5(10)LA(17)260930");
    receive(h, "(01)" + kApple + "(30)5");
    // LB expires first although LA sorts first by name.
    CHECK(moveOk(h, {"--from", "DOCK", "--to", "A-02", "--sku", "APPLE", "--qty", "7"}) ==
          std::vector<Json>{movedJson({std::nullopt, "DOCK", "A-02", "APPLE", 7, std::nullopt, lots({{"LB", 5}, {"LA", 2}})})});
    CHECK(moveOk(h, {"--from", "DOCK", "--to", "A-02", "--sku", "APPLE", "--qty", "4"}) ==
          std::vector<Json>{movedJson({std::nullopt, "DOCK", "A-02", "APPLE", 4, std::nullopt, lots({{"LA", 3}, {std::nullopt, 1}})})});
    CHECK(moveOk(h, {"--from", "A-02", "--to", "A-03", "--sku", "APPLE", "--qty", "2", "--lot", "LA"}) ==
          std::vector<Json>{movedJson({std::nullopt, "A-02", "A-03", "APPLE", 2, "LA", lots({{"LA", 2}})})});
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|A-02||1", "APPLE|A-02|LA|3", "APPLE|A-02|LB|5", "APPLE|A-03|LA|2",
                                                   "APPLE|DOCK||4"});
    CHECK(lastOp(h).second == Json{{"scan", ""}, {"from", "A-02"}, {"to", "A-03"}, {"sku", "APPLE"}, {"qty", 2}, {"lot", "LA"},
                                   {"lots", Json::array({{{"lot", "LA"}, {"qty", 2}}})}, {"released", Json::array()},
                                   {"claims", Json::array()}});
    checkLedger(h);
}

TEST_CASE("move: every refusal answers its code and writes nothing")
{
    CliHarness h;
    setUp(h);
    receive(h, "(01)" + kApple + "(30)5(10)L1");
    struct Case {
        std::vector<std::string> args;
        std::string code;
        std::string inMessage;
    };
    const std::vector<Case> cases{
        {{"--from", "NOPE", "--to", "A-01", "(01)" + kApple}, "unknown_location", "'NOPE'"},
        {{"--from", "DOCK", "--to", "NOPE", "(01)" + kApple}, "unknown_location", "'NOPE'"},
        {{"--from", "DOCK", "--to", "A-01", "--sku", "APPLE", "--qty", "6"}, "insufficient_stock", "holds 5 of APPLE: cannot move 6"},
        {{"--from", "DOCK", "--to", "A-01", "(01)" + kApple + "(10)L2"}, "insufficient_stock", "holds 0 of APPLE lot L2"},
        {{"--from", "A-01", "--to", "A-02", "(01)" + kAppleCase}, "insufficient_stock", "'A-01' holds 0 of APPLE: cannot move 6"},
        {{"--from", "DOCK", "--to", "DOCK", "(01)" + kApple}, "same_location", "'DOCK'"},
        {{"--from", "DOCK", "--to", "A-01", "(01)" + kUnknownGtin}, "unknown_gtin", kUnknownGtin},
        {{"--from", "DOCK", "--to", "A-01", "--sku", "NOPE", "--qty", "1"}, "unknown_sku", "'NOPE'"},
        {{"--from", "DOCK", "--to", "A-01", "--sku", "APPLE", "--qty", "0"}, "bad_qty", "at least 1"},
        {{"--from", "DOCK", "--to", "A-01", "--sku", "APPLE", "--qty", "1000000001"}, "bad_qty", "a move of 1000000001 units: the most is 1000000000"},
        {{"--from", "DOCK", "--to", "A-01", "(00)" + kPallet}, "not_movable", "SSCC"},
        {{"--from", "DOCK", "--to", "A-01", "(02)" + kApple}, "missing_count", "(37)"},
        {{"--from", "DOCK", "--to", "A-01", "A-01"}, "not_gs1", ""},
    };
    for (const auto& c : cases) {
        INFO(c.code << " " << c.args[1] << " " << c.args.back());
        const auto before = h.snapshot();
        const auto r = move(h, c.args);
        INFO(r);
        CHECK(r.status == 1);
        const auto out = r.outLines();
        REQUIRE(out.size() == 1);
        CHECK(out[0]["ok"] == false);
        CHECK(out[0]["code"] == c.code);
        CHECK(out[0]["error"].get<std::string>().find(c.inMessage) != std::string::npos);
        CHECK(h.snapshot() == before);
        checkLedger(h);
    }
    // Bad usage is exit 3 with nothing written either.
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--from", "DOCK", "--to", "A-01"},
             {"--from", "DOCK", "--to", "A-01", "--sku", "APPLE", "--qty", "1", "(01)" + kApple},
             {"--from", "DOCK", "--to", "A-01", "--sku", "APPLE"},
             {"--from", "DOCK", "--to", "A-01", "--qty", "1", "(01)" + kApple},
             {"--to", "A-01", "(01)" + kApple}}) {
        const auto before = h.snapshot();
        const auto r = move(h, args);
        INFO(r);
        CHECK(r.status == 3);
        CHECK(r.out.empty());
        CHECK(r.codes() == std::vector<std::string>{"bad_usage"});
        CHECK(h.snapshot() == before);
    }
    // A refused scan does not stop the next one: only the good move is written.
    const auto r = move(h, {"--from", "DOCK", "--to", "A-01", "(01)" + kUnknownGtin, "(01)" + kApple});
    CHECK(r.status == 1);
    const auto out = r.outLines();
    REQUIRE(out.size() == 2);
    CHECK(out[0]["code"] == "unknown_gtin");
    CHECK(out[1] == movedJson({"(01)" + kApple, "DOCK", "A-01", "APPLE", 1, std::nullopt, lots({{"L1", 1}})}));
    CHECK(h.count("outbox") == 2);
    checkLedger(h);
}

TEST_CASE("move: into quarantine releases the lines served last; out of it the allocation rule runs")
{
    CliHarness h;
    setUp(h);
    receive(h, "(01)" + kApple + "(30)10");
    // Allocation order: SO-3 (priority 1), SO-1 (ordered first), SO-2. The import allocates
    // 2 + 3 + 4 of the 10 free units; 1 stays free.
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,priority,ordered_at\nSO-1,1,A,APPLE,3,0,2026-01-01\n"
               "SO-2,1,B,APPLE,4,0,2026-01-02\nSO-3,1,C,APPLE,2,1,2026-01-05\n",
               3);
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 10, 9)}));
    checkLedger(h);

    // The free unit into quarantine: every allocation is still covered.
    CHECK(moveOk(h, {"--from", "DOCK", "--to", "Q", "--sku", "APPLE", "--qty", "1"}) ==
          std::vector<Json>{movedJson({std::nullopt, "DOCK", "Q", "APPLE", 1, std::nullopt, lots({{std::nullopt, 1}})})});
    checkLedger(h);
    // 3 more: 6 left outside quarantine for 9 allocated: SO-2 (served last) gives 3 back.
    CHECK(moveOk(h, {"--from", "DOCK", "--to", "Q", "--sku", "APPLE", "--qty", "3"}) ==
          std::vector<Json>{movedJson({std::nullopt, "DOCK", "Q", "APPLE", 3, std::nullopt, lots({{std::nullopt, 3}}),
                                       Json::array({releasedJson("SO-2", 1, 3)})})});
    checkLedger(h);
    // 3 more: 3 left for 6 allocated: SO-2's last unit, then 2 of SO-1's.
    CHECK(moveOk(h, {"--from", "DOCK", "--to", "Q", "--sku", "APPLE", "--qty", "3"}) ==
          std::vector<Json>{movedJson({std::nullopt, "DOCK", "Q", "APPLE", 3, std::nullopt, lots({{std::nullopt, 3}}),
                                       Json::array({releasedJson("SO-2", 1, 1), releasedJson("SO-1", 1, 2)})})});
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 3, 1, 0, "partially_allocated"));
    CHECK(h.line("SO-2", 1) == lineJson("SO-2", 1, "APPLE", 4, 0, 0, "out_of_stock"));
    CHECK(h.line("SO-3", 1) == lineJson("SO-3", 1, "APPLE", 2, 2, 0, "allocated"));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 10, 3, 7)}));
    // The releases are deallocated events of the move's op.
    CHECK(h.query("SELECT l.order_id, e.qty FROM events e JOIN order_lines l ON l.id = e.order_line_id "
                  "WHERE e.kind = 'deallocated' AND e.op_id = (SELECT op_id FROM outbox ORDER BY device_seq DESC LIMIT 1) "
                  "ORDER BY e.id") == std::vector<std::string>{"SO-2|1", "SO-1|2"});
    CHECK(lastOp(h).second["released"] == Json::array({releasedJson("SO-2", 1, 1), releasedJson("SO-1", 1, 2)}));
    checkLedger(h);

    // Quarantine to quarantine changes nothing for the lines.
    CHECK(moveOk(h, {"--from", "Q", "--to", "Q2", "--sku", "APPLE", "--qty", "6"}) ==
          std::vector<Json>{movedJson({std::nullopt, "Q", "Q2", "APPLE", 6, std::nullopt, lots({{std::nullopt, 6}})})});
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 10, 3, 7)}));
    checkLedger(h);

    // A release of 5: the rule serves SO-1 (2 still missing), then SO-2 (3 of its 4).
    const Json allocated = Json::array({allocJson("SO-1", 1, 2, "OUT"), allocJson("SO-2", 1, 3, "OUT")});
    CHECK(moveOk(h, {"--from", "Q2", "--to", "A-01", "--sku", "APPLE", "--qty", "5"}) ==
          std::vector<Json>{movedJson({std::nullopt, "Q2", "A-01", "APPLE", 5, std::nullopt, lots({{std::nullopt, 5}}),
                                       Json::array(), allocated})});
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 3, 3, 0, "allocated"));
    CHECK(h.line("SO-2", 1) == lineJson("SO-2", 1, "APPLE", 4, 3, 0, "partially_allocated"));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 10, 8, 2)}));
    CHECK(lastOp(h).second["claims"] == Json::array({releasedJson("SO-1", 1, 2), releasedJson("SO-2", 1, 3)}));
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|A-01||5", "APPLE|DOCK||3", "APPLE|Q||1", "APPLE|Q2||1"});
    checkLedger(h);
}

namespace {

// runAs runs `backfill move ...` signed in as `op` with `pin` in BACKFILL_PIN (through env(1),
// so the test's own environment is never changed).
RunResult runAs(const CliHarness& h, const std::optional<std::string>& op, const std::string& pin,
                const std::vector<std::string>& args)
{
    std::vector<std::string> all{"-u", "BACKFILL_PIN", "-u", "BACKFILL_NOW", "BACKFILL_PIN=" + pin, std::getenv("BACKFILL_BIN"),
                                 "--db", h.db(), "--today", CliHarness::kToday};
    if (op) all.insert(all.end(), {"--operator", *op});
    all.insert(all.end(), args.begin(), args.end());
    return h.runProgram("/usr/bin/env", all);
}

} // namespace

TEST_CASE("move: receivers and pickers move; only a supervisor releases from quarantine")
{
    CliHarness h;
    setUp(h);
    receive(h, "(01)" + kApple + "(30)6");
    for (const auto& [name, role, pin, by] :
         std::vector<std::tuple<std::string, std::string, std::string, std::optional<std::string>>>{
             {"boss", "supervisor", "246810", std::nullopt}, {"rita", "receiver", "1111", "boss"}, {"pete", "picker", "2222", "boss"}}) {
        const auto r = runAs(h, by, "246810", {"user", "add", name, "--role", role, "--pin", pin});
        INFO(r);
        REQUIRE(r.status == 0);
    }
    const std::vector<std::string> toQ{"move", "--from", "DOCK", "--to", "Q", "--sku", "APPLE", "--qty", "2"};
    const std::vector<std::string> release{"move", "--from", "Q", "--to", "A-01", "--sku", "APPLE", "--qty", "1"};
    {
        const auto before = h.snapshot();
        const auto r = runAs(h, std::nullopt, "", toQ);
        CHECK(r.status == 5);
        CHECK(r.codes() == std::vector<std::string>{"auth_required"});
        CHECK(h.snapshot() == before);
    }
    CHECK(runAs(h, "rita", "1111", toQ).status == 0);
    CHECK(runAs(h, "pete", "2222", {"move", "--from", "DOCK", "--to", "Q2", "--sku", "APPLE", "--qty", "1"}).status == 0);
    // Quarantine to quarantine is a move, not a release.
    CHECK(runAs(h, "rita", "1111", {"move", "--from", "Q2", "--to", "Q", "--sku", "APPLE", "--qty", "1"}).status == 0);
    for (const auto& [who, pin] : std::vector<std::pair<std::string, std::string>>{{"rita", "1111"}, {"pete", "2222"}}) {
        const auto before = h.snapshot();
        const auto r = runAs(h, who, pin, release);
        INFO(r);
        CHECK(r.status == 5);
        CHECK(r.out.empty());
        CHECK(r.codes() == std::vector<std::string>{"forbidden"});
        CHECK(h.snapshot() == before);
    }
    const auto r = runAs(h, "boss", "246810", release);
    INFO(r);
    CHECK(r.status == 0);
    CHECK(h.query("SELECT e.operator, e.location, e.to_location, e.qty FROM events e WHERE e.kind = 'moved' ORDER BY e.id") ==
          std::vector<std::string>{"rita|DOCK|Q|2", "pete|DOCK|Q2|1", "rita|Q2|Q|1", "boss|Q|A-01|1"});
    checkLedger(h);
}

TEST_CASE("move -: one scan per line from stdin, blank lines skipped, a refused line does not stop the rest")
{
    CliHarness h;
    setUp(h);
    receive(h, "(01)" + kApple + "(30)10(10)L1");
    const auto r = move(h, {"--from", "DOCK", "--to", "A-02", "-"},
                        "(01)" + kApple + "\r\n\n  \n(01)" + kUnknownGtin + "\n" + std::string(5000, '1') + "\n(01)" + kApple +
                            "(30)4\n(01)" + kAppleCase);
    INFO(r);
    CHECK(r.status == 1);
    auto out = r.outLines();
    REQUIRE(out.size() == 5);
    // A line over 4096 bytes is refused as too_long (StdinLines), the rest goes on.
    CHECK(out[2]["code"] == "too_long");
    CHECK(out[2]["scan"] == std::string(64, '1') + "...");
    out.erase(out.begin() + 2);
    CHECK(out[0] == movedJson({"(01)" + kApple, "DOCK", "A-02", "APPLE", 1, std::nullopt, lots({{"L1", 1}})}));
    CHECK(out[1]["code"] == "unknown_gtin");
    CHECK(out[1]["scan"] == "(01)" + kUnknownGtin);
    CHECK(out[2] == movedJson({"(01)" + kApple + "(30)4", "DOCK", "A-02", "APPLE", 4, std::nullopt, lots({{"L1", 4}})}));
    // 5 left at DOCK: a case of 6 is too much.
    CHECK(out[3]["code"] == "insufficient_stock");
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|A-02|L1|5", "APPLE|DOCK|L1|5"});
    CHECK(h.count("outbox") == 3);
    checkLedger(h);
}

TEST_CASE("putaway: read only, never creates the database")
{
    CliHarness h;
    const auto r = h.run({"putaway"});
    CHECK(r.status == 3);
    CHECK(r.codes() == std::vector<std::string>{"no_database"});
    CHECK_FALSE(std::filesystem::exists(h.db()));
}

TEST_CASE("putaway: unallocated units at receiving locations, a bin holding the product, else the first empty bin, else null")
{
    CliHarness h;
    setUp(h);
    CHECK(h.run({"putaway"}).json() == Json::array());
    // APPLE sits in A-01 (4) and A-02 (4): a tie, A-02 comes first by sequence.
    receive(h, "(01)" + kApple + "(30)8");
    moveOk(h, {"--from", "DOCK", "--to", "A-01", "--sku", "APPLE", "--qty", "4"});
    moveOk(h, {"--from", "DOCK", "--to", "A-02", "--sku", "APPLE", "--qty", "4"});
    // PEAR: 5 in A-01, 2 in A-02: the bin with most, although later by sequence.
    receive(h, "(01)" + kPear + "(30)7");
    moveOk(h, {"--from", "DOCK", "--to", "A-01", "--sku", "PEAR", "--qty", "5"});
    moveOk(h, {"--from", "DOCK", "--to", "A-02", "--sku", "PEAR", "--qty", "2"});
    // Waiting: APPLE (no lot, and lots L1 and L9 with an expiry) at DOCK, PEAR at DOCK-2, PLUM
    // and KIWI (in no bin) at DOCK; quarantine and staging stock are not waiting.
    receive(h, "(01)" + kApple + "(30)2(10)L9(17)260600");
    receive(h, "(01)" + kApple + "(30)3(10)L1");
    receive(h, "(01)" + kApple + "(30)1");
    receive(h, "(01)" + kPear + "(30)2", "DOCK-2");
    receive(h, "(01)" + kPlum + "(30)6");
    receive(h, "(01)" + kKiwi + "(30)1");
    receive(h, "(01)" + kKiwi + "(30)9", "Q");
    // PLUM: 2 allocated at import stay where they are; 4 are waiting.
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,PLUM,2,2026-01-01\n", 1);
    checkLedger(h);
    const auto row = [](const std::string& sku, std::optional<std::string> lot, std::optional<std::string> expiry,
                        const std::string& from, int64_t qty, std::optional<std::string> suggest, int64_t holds) {
        return Json{{"sku", sku},   {"lot", lot ? Json(*lot) : Json(nullptr)}, {"expiry", expiry ? Json(*expiry) : Json(nullptr)},
                    {"from", from}, {"qty", qty}, {"suggest", suggest ? Json(*suggest) : Json(nullptr)}, {"suggest_holds", holds}};
    };
    // Empty bins by sequence: A-03 (10), then A-04 (15); KIWI sorts before PLUM, so gets A-03.
    const Json expected = Json::array({
        row("APPLE", std::nullopt, std::nullopt, "DOCK", 1, "A-02", 4),
        row("APPLE", "L1", std::nullopt, "DOCK", 3, "A-02", 4),
        row("APPLE", "L9", "2026-06-30", "DOCK", 2, "A-02", 4),
        row("KIWI", std::nullopt, std::nullopt, "DOCK", 1, "A-03", 0),
        row("PLUM", std::nullopt, std::nullopt, "DOCK", 4, "A-04", 0),
        row("PEAR", std::nullopt, std::nullopt, "DOCK-2", 2, "A-01", 5),
    });
    const auto before = h.snapshot();
    const auto r = h.run({"putaway"});
    INFO(r);
    CHECK(r.status == 0);
    CHECK(r.json() == expected);
    CHECK(h.snapshot() == before);

    // Every bin taken: a product in none of them gets null.
    h.importOk("catalog", "sku,description,gtin\nFIG,Fig," + withCheckDigit("04000000000" + std::string("05")) + "\n", 1);
    receive(h, "(01)" + withCheckDigit("04000000000" + std::string("05")) + "(30)1");
    moveOk(h, {"--from", "DOCK", "--to", "A-03", "--sku", "KIWI", "--qty", "1"});
    moveOk(h, {"--from", "DOCK", "--to", "A-04", "--sku", "PLUM", "--qty", "4"});
    const auto all = h.run({"putaway"}).json();
    CHECK(all == Json::array({
                     row("APPLE", std::nullopt, std::nullopt, "DOCK", 1, "A-02", 4),
                     row("APPLE", "L1", std::nullopt, "DOCK", 3, "A-02", 4),
                     row("APPLE", "L9", "2026-06-30", "DOCK", 2, "A-02", 4),
                     row("FIG", std::nullopt, std::nullopt, "DOCK", 1, std::nullopt, 0),
                     row("PEAR", std::nullopt, std::nullopt, "DOCK-2", 2, "A-01", 5),
                 }));
    checkLedger(h);
}
