// End to end: `backfill undo` on real database files (issue 10 item 5; docs/operations.md,
// Undo): a loose receipt (its inbound share found again, over-receipt untouched), an SSCC
// pallet (received again after the undo), an allocated receipt with staging moves (claims
// released, the allocation rule covering the lines from other free stock, excess allocations
// released), blocked after a pick or a move at the receipt's places, one step only
// (nothing_to_undo), another operator's receipt never undone, sign-in refusals; nothing
// written on any refusal (every table compared). The ledger is checked after every step.
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <sstream>
#include <optional>
#include <string>
#include <vector>

using namespace backfill::e2e;

namespace {

const std::string kApple = "0" + withCheckDigit("400000000001");
const std::string kAppleCase = withCheckDigit("1400000000001"); // 6 apples
const std::string kPear = "0" + withCheckDigit("400000000002");
const std::string kPlum = "0" + withCheckDigit("400000000003");
const std::string kPallet = withCheckDigit("34000000000000001");

const char* kLocations = "code,kind,sequence\nDOCK,receiving,1\nA-01,storage,10\nA-02,storage,20\nQ,quarantine,40\n"
                         "OUT,staging,5\n";

void setUp(const CliHarness& h)
{
    h.importOk("catalog",
               "sku,description,gtin,case_gtin,case_qty\nAPPLE,Apple," + kApple + "," + kAppleCase + ",6\nPEAR,Pear," + kPear +
                   ",,\nPLUM,Plum," + kPlum + ",,\n",
               3);
    h.importOk("locations", kLocations, 5);
}

RunResult undo(const CliHarness& h) { return h.run({"undo"}); }

// undoOk undoes and fails the test unless the undo was done; gives its JSON line.
Json undoOk(const CliHarness& h)
{
    const auto r = undo(h);
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    return r.json();
}

// refused runs `undo` and checks it was refused with `code` (exit 1, JSON on stdout) and that
// nothing at all was written.
void refused(const CliHarness& h, const std::string& code)
{
    const auto before = h.snapshot();
    const auto r = undo(h);
    INFO(r);
    CHECK(r.status == 1);
    CHECK(r.err.empty());
    const auto doc = r.json();
    CHECK(doc["ok"] == false);
    CHECK(doc["code"] == code);
    CHECK(h.snapshot() == before);
}

std::string lastOp(const CliHarness& h, const std::string& kind)
{
    return h.query("SELECT op_id FROM outbox WHERE kind = '" + kind + "' ORDER BY device_seq DESC LIMIT 1").at(0);
}

struct UndoneLine {
    std::string sku{};
    int64_t qty = 0;
    std::optional<std::string> lot{};
    std::optional<std::string> expiry{};
    std::optional<std::string> sscc{};
    std::string location = "DOCK";
    Json staged = Json::array();
    int64_t inbound = 0;
};

Json lineJson(const UndoneLine& l)
{
    const auto opt = [](const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); };
    return Json{{"sku", l.sku},       {"qty", l.qty},           {"lot", opt(l.lot)}, {"expiry", opt(l.expiry)},
                {"sscc", opt(l.sscc)}, {"location", l.location}, {"staged", l.staged}, {"inbound", l.inbound}};
}

// expectedUndo is the whole `undo` line for the receipt of op `undone` (scan `scan`), done by
// the last `undo` op of the database.
Json expectedUndo(const CliHarness& h, const std::string& undone, const std::string& scan, std::vector<UndoneLine> lines,
                  Json released = Json::array(), Json allocated = Json::array(), const std::string& op = "cli")
{
    Json jl = Json::array();
    for (const auto& l : lines) jl.push_back(lineJson(l));
    return Json{{"ok", true},
                {"op_id", lastOp(h, "undo")},
                {"undone_op_id", undone},
                {"operator", op},
                {"scan", scan},
                {"received_at", h.query("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch') FROM events WHERE op_id = '" +
                                        undone + "' LIMIT 1")
                                    .at(0)},
                {"lines", jl},
                {"released", released},
                {"allocated", allocated}};
}

Json rel(const std::string& orderId, int64_t line, int64_t qty) { return Json{{"order_id", orderId}, {"line", line}, {"qty", qty}}; }

// onHand is APPLE's (or `sku`'s) on-hand figure from `stock --sku`.
int64_t onHand(const CliHarness& h, const std::string& sku) { return h.stockOf(sku).at(0).at("on_hand").get<int64_t>(); }
int64_t allocated(const CliHarness& h, const std::string& sku) { return h.stockOf(sku).at(0).at("allocated").get<int64_t>(); }

// Users: boss (supervisor), rita and ria (receivers), pete (picker); PIN 1234 + n.
void addUsers(const CliHarness& h)
{
    REQUIRE(h.run({"user", "add", "boss", "--role", "supervisor", "--pin", "12340"}).status == 0);
    for (const auto* u : {"rita receiver 12341", "ria receiver 12342", "pete picker 12343"}) {
        std::istringstream in(u);
        std::string name, role, pin;
        in >> name >> role >> pin;
        const auto r = h.runProgram("/usr/bin/env", {"-u", "BACKFILL_PIN", "BACKFILL_PIN=12340", std::getenv("BACKFILL_BIN"), "--db",
                                                     h.db(), "--today", CliHarness::kToday, "--operator", "boss", "user", "add",
                                                     name, "--role", role, "--pin", pin});
        INFO(r);
        REQUIRE(r.status == 0);
    }
}

std::string pinOf(const std::string& user)
{
    return user == "boss" ? "12340" : user == "rita" ? "12341" : user == "ria" ? "12342" : "12343";
}

// as runs `backfill --operator USER ARGS...` with the user's PIN in BACKFILL_PIN (through
// env(1), so the test's own environment is never changed).
RunResult as(const CliHarness& h, const std::string& user, const std::vector<std::string>& args)
{
    std::vector<std::string> all{"-u", "BACKFILL_PIN", "BACKFILL_PIN=" + pinOf(user), std::getenv("BACKFILL_BIN"), "--db", h.db(),
                                 "--today", CliHarness::kToday, "--operator", user};
    all.insert(all.end(), args.begin(), args.end());
    return h.runProgram("/usr/bin/env", all);
}

RunResult okAs(const CliHarness& h, const std::string& user, const std::vector<std::string>& args)
{
    auto r = as(h, user, args);
    INFO(r);
    REQUIRE(r.status == 0);
    return r;
}

} // namespace

TEST_CASE("undo: a loose receipt is taken back by reversing events; its inbound share is found again, over-receipt "
          "is not given to inbound; undo is one step")
{
    CliHarness h;
    setUp(h);
    refused(h, "nothing_to_undo"); // no receipt at all yet
    h.importOk("inbound", "inbound_id,supplier,sku,qty,eta,sscc\nPO-1,Acme,APPLE,5,2026-02-01,\nPO-2,Acme,APPLE,3,2026-02-05,\n", 2);
    const std::string caseScan = "(01)" + kAppleCase;
    h.receiveOk({caseScan});                    // 6: PO-1 5, PO-2 1
    const std::string first = lastOp(h, "receive");
    h.receiveOk({caseScan});                    // 6: PO-2 2, 4 over-receipt
    const std::string second = lastOp(h, "receive");
    CHECK(h.query("SELECT received FROM inbound_lines ORDER BY id") == std::vector<std::string>{"5", "3"});
    const int64_t eventsBefore = h.count("events");

    {
        const Json got = undoOk(h); // before expectedUndo, which reads its op
        CHECK(got == expectedUndo(h, second, caseScan, {{.sku = "APPLE", .qty = 6, .inbound = 2}}));
    }
    // The inbound is as after the first receipt: the over-receipt never counted against it.
    CHECK(h.query("SELECT received FROM inbound_lines ORDER BY id") == std::vector<std::string>{"5", "1"});
    CHECK(onHand(h, "APPLE") == 6);
    CHECK(h.query("SELECT qty FROM stock WHERE location = 'DOCK'") == std::vector<std::string>{"6"});
    // Nothing deleted: one more event, the minus receipt, with the undo's op.
    CHECK(h.count("events") == eventsBefore + 1);
    CHECK(h.query("SELECT kind, qty, location, lot, sscc, operator, op_id = '" + lastOp(h, "undo") +
                  "' FROM events ORDER BY id DESC LIMIT 1") == std::vector<std::string>{"received|-6|DOCK|||cli|1"});
    const auto payload = Json::parse(h.query("SELECT payload FROM outbox ORDER BY device_seq DESC LIMIT 1").at(0));
    CHECK(payload == Json{{"undoes", second},
                          {"scan", caseScan},
                          {"lines", Json::array({{{"sku", "APPLE"}, {"qty", 6}, {"lot", ""}, {"sscc", ""}, {"location", "DOCK"}}})},
                          {"released", Json::array()},
                          {"claims", Json::array()}});
    CHECK(h.query("SELECT MIN(device_seq), MAX(device_seq), COUNT(*), SUM(kind = 'undo') FROM outbox") ==
          std::vector<std::string>{"1|3|3|1"});
    checkLedger(h);

    // History lists the undo as the newest action, with the receipt's scan.
    const auto history = h.run({"history", "--limit", "1"}).json();
    CHECK(history[0]["kind"] == "undo");
    CHECK(history[0]["qty"] == -6);
    CHECK(history[0]["scan"] == caseScan);

    // One step only: the last receipt is undone, the one before stays.
    refused(h, "nothing_to_undo");
    // A new receipt is the last one again; the replay counts the undone one out: 2 units of
    // PO-2 were open, so 2 of these 3 are its share.
    const std::string threeScan = "(01)" + kApple + "(30)3";
    h.receiveOk({threeScan});
    CHECK(h.query("SELECT received FROM inbound_lines ORDER BY id") == std::vector<std::string>{"5", "3"});
    {
        const Json got = undoOk(h); // before expectedUndo, which reads its op
        CHECK(got == expectedUndo(h, lastOp(h, "receive"), threeScan, {{.sku = "APPLE", .qty = 3, .inbound = 2}}));
    }
    CHECK(h.query("SELECT received FROM inbound_lines ORDER BY id") == std::vector<std::string>{"5", "1"});
    CHECK(onHand(h, "APPLE") == 6);
    static_cast<void>(first);
    checkLedger(h);
}

TEST_CASE("undo: a lot with expiry is taken back at its lot; a receipt into quarantine too")
{
    CliHarness h;
    setUp(h);
    const std::string lotScan = "(01)" + kApple + "(30)4(10)L7(17)270301";
    h.receiveOk({"--location", "Q", lotScan});
    {
        const Json got = undoOk(h); // before expectedUndo, which reads its op
        CHECK(got == expectedUndo(h, lastOp(h, "receive"), lotScan,
                                        {{.sku = "APPLE", .qty = 4, .lot = "L7", .expiry = "2027-03-01", .location = "Q"}}));
    }
    CHECK(h.query("SELECT location, lot, qty FROM stock") == std::vector<std::string>{"Q|L7|0"});
    CHECK(h.query("SELECT expiry FROM events ORDER BY id DESC LIMIT 1") == h.query("SELECT expiry FROM events LIMIT 1"));
    CHECK(onHand(h, "APPLE") == 0);
    checkLedger(h);
}

TEST_CASE("undo: an SSCC pallet gives back its inbound lines and its SSCC, and can be received again")
{
    CliHarness h;
    setUp(h);
    h.importOk("inbound",
               "inbound_id,supplier,sku,qty,eta,sscc\nASN-1,Acme,PEAR,4,2026-02-10," + kPallet + "\nASN-1,Acme,PLUM,3,2026-02-10," +
                   kPallet + "\n",
               2);
    const std::string scan = "(00)" + kPallet;
    h.receiveOk({scan});
    CHECK(h.query("SELECT received FROM inbound_lines ORDER BY id") == std::vector<std::string>{"4", "3"});
    CHECK(h.count("received_ssccs") == 1);
    const auto before = h.count("events");

    {
        const Json got = undoOk(h); // before expectedUndo, which reads its op
        CHECK(got == expectedUndo(h, lastOp(h, "receive"), scan,
                                        {{.sku = "PEAR", .qty = 4, .sscc = kPallet, .inbound = 4},
                                         {.sku = "PLUM", .qty = 3, .sscc = kPallet, .inbound = 3}}));
    }
    CHECK(h.count("events") == before + 2);
    CHECK(h.query("SELECT received FROM inbound_lines ORDER BY id") == std::vector<std::string>{"0", "0"});
    CHECK(h.count("received_ssccs") == 0);
    CHECK(onHand(h, "PEAR") == 0);
    CHECK(onHand(h, "PLUM") == 0);
    checkLedger(h);

    // The pallet is received again as if for the first time.
    const auto again = h.receiveOk({scan}).outLines();
    REQUIRE(again.size() == 2);
    CHECK(again[0]["sscc"] == kPallet);
    CHECK(h.query("SELECT received FROM inbound_lines ORDER BY id") == std::vector<std::string>{"4", "3"});
    CHECK(onHand(h, "PEAR") == 4);
    checkLedger(h);
}

TEST_CASE("undo: an allocated receipt brings the staged units back, releases its claims, and the lines wait again")
{
    CliHarness h;
    setUp(h);
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,priority,ordered_at\nSO-1,1,A,APPLE,4,1,2026-01-01\nSO-2,1,B,APPLE,10,0,2026-01-02\n",
               2);
    const std::string scan = "(01)" + kAppleCase;
    h.receiveOk({scan}); // SO-1 4, SO-2 2, all carried to OUT (one move per allocation)
    CHECK(h.query("SELECT location, qty FROM stock ORDER BY location") == std::vector<std::string>{"OUT|6"});

    {
        const Json got = undoOk(h); // before expectedUndo, which reads its op
        CHECK(got == expectedUndo(h, lastOp(h, "receive"), scan,
                                        {{.sku = "APPLE", .qty = 6, .staged = Json::array({{{"stage", "OUT"}, {"qty", 6}}})}},
                                        Json::array({rel("SO-1", 1, 4), rel("SO-2", 1, 2)})));
    }
    CHECK(h.query("SELECT location, qty FROM stock ORDER BY location") == std::vector<std::string>{"DOCK|0", "OUT|0"});
    CHECK(h.line("SO-1", 1)["allocated"] == 0);
    CHECK(h.line("SO-2", 1)["allocated"] == 0);
    CHECK(h.line("SO-1", 1)["state"] == "out_of_stock");
    // The reversal: deallocations, the move back from the lane, the minus receipt.
    const std::string undoOp = lastOp(h, "undo");
    CHECK(h.query("SELECT kind, qty, location, to_location FROM events WHERE op_id = '" + undoOp + "' ORDER BY id") ==
          std::vector<std::string>{"deallocated|4||", "deallocated|2||", "moved|4|OUT|DOCK", "moved|2|OUT|DOCK",
                                   "received|-6|DOCK|"});
    checkLedger(h);
}

TEST_CASE("undo: lines that wait again are covered at once by other free stock")
{
    CliHarness h;
    setUp(h);
    h.importOk("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\nSO-2,1,B,APPLE,6,1,2026-01-02\n", 1);
    addUsers(h);
    const std::string scan = "(01)" + kAppleCase;
    okAs(h, "rita", {"receive", scan}); // all 6 to SO-2, carried to OUT
    const std::string ritas = lastOp(h, "receive");
    okAs(h, "ria", {"receive", scan});  // 6 free at DOCK
    const auto r = okAs(h, "rita", {"undo"});
    CHECK(r.json() == expectedUndo(h, ritas, scan,
                                   {{.sku = "APPLE", .qty = 6, .staged = Json::array({{{"stage", "OUT"}, {"qty", 6}}})}},
                                   Json::array({rel("SO-2", 1, 6)}), Json::array({allocJson("SO-2", 1, 6, "OUT")}), "rita"));
    // The line is covered again by ria's units, which stay at the dock until picked.
    CHECK(h.line("SO-2", 1)["allocated"] == 6);
    CHECK(h.query("SELECT location, qty FROM stock ORDER BY location") == std::vector<std::string>{"DOCK|6", "OUT|0"});
    checkLedger(h);
}

TEST_CASE("undo: allocations made since on the receipt's free units are released from the lines served last")
{
    CliHarness h;
    setUp(h);
    h.receiveOk({"(01)" + kAppleCase}); // 6 free
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,priority,ordered_at\nSO-3,1,C,APPLE,4,0,2026-01-01\nSO-4,1,D,APPLE,1,0,2026-01-03\n",
               2); // allocated at import from the receipt's free units
    CHECK(allocated(h, "APPLE") == 5);
    {
        const Json got = undoOk(h); // before expectedUndo, which reads its op
        CHECK(got == expectedUndo(h, lastOp(h, "receive"), "(01)" + kAppleCase, {{.sku = "APPLE", .qty = 6}},
                                        Json::array({rel("SO-4", 1, 1), rel("SO-3", 1, 4)})));
    }
    CHECK(allocated(h, "APPLE") == 0);
    CHECK(onHand(h, "APPLE") == 0);
    checkLedger(h);
}

TEST_CASE("undo: an operator undoes only their own last receipt; sign-in refusals write nothing")
{
    CliHarness h;
    setUp(h);
    addUsers(h);
    okAs(h, "rita", {"receive", "(01)" + kApple + "(30)2"});
    const std::string ritas = lastOp(h, "receive");
    {
        const auto before = h.snapshot();
        const auto r = as(h, "ria", {"undo"});
        INFO(r);
        CHECK(r.status == 1);
        CHECK(r.json()["code"] == "nothing_to_undo");
        CHECK(h.snapshot() == before);
    }
    okAs(h, "ria", {"receive", "(01)" + kPear + "(30)3"});
    // rita's last receipt is the apples, though ria received after her.
    const auto r = okAs(h, "rita", {"undo"});
    CHECK(r.json() == expectedUndo(h, ritas, "(01)" + kApple + "(30)2", {{.sku = "APPLE", .qty = 2}}, Json::array(),
                                   Json::array(), "rita"));
    CHECK(onHand(h, "APPLE") == 0);
    CHECK(onHand(h, "PEAR") == 3);
    CHECK(h.query("SELECT operator FROM events WHERE qty < 0") == std::vector<std::string>{"rita"});
    // The supervisor has received nothing: nothing to undo (not ria's pears).
    CHECK(as(h, "boss", {"undo"}).json()["code"] == "nothing_to_undo");

    const auto before = h.snapshot();
    const auto picker = as(h, "pete", {"undo"});
    CHECK(picker.status == 5);
    CHECK(picker.codes() == std::vector<std::string>{"forbidden"});
    CHECK(picker.out.empty());
    const auto anonymous = undo(h);
    CHECK(anonymous.status == 5);
    CHECK(anonymous.codes() == std::vector<std::string>{"auth_required"});
    CHECK(h.snapshot() == before);
    checkLedger(h);
}

TEST_CASE("undo: blocked when a unit of the receipt's product was picked or moved at its places since; nothing written")
{
    CliHarness h;
    setUp(h);
    h.importOk("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\nSO-1,1,A,APPLE,4,0,2026-01-01\n", 1);
    h.receiveOk({"(01)" + kAppleCase}); // SO-1 4 to OUT, 2 free at DOCK
    h.pickOk({"SO-1", "1", "1"});       // from OUT
    refused(h, "undo_blocked");
    checkLedger(h);

    // A move out of the receiving location blocks too.
    h.receiveOk({"(01)" + kPear + "(30)5"});
    CHECK(h.run({"move", "--from", "DOCK", "--to", "A-01", "--sku", "PEAR", "--qty", "1"}).status == 0);
    refused(h, "undo_blocked");

    // A move of the product elsewhere, or into the receipt's location, does not.
    h.receiveOk({"--location", "A-01", "(01)" + kPlum + "(30)5"});
    h.receiveOk({"(01)" + kPlum + "(30)2"});
    CHECK(h.run({"move", "--from", "A-01", "--to", "A-02", "--sku", "PLUM", "--qty", "1"}).status == 0);
    CHECK(h.run({"move", "--from", "A-01", "--to", "DOCK", "--sku", "PLUM", "--qty", "3"}).status == 0);
    const auto doc = undoOk(h);
    CHECK(doc["lines"] == Json::array({lineJson({.sku = "PLUM", .qty = 2})}));
    CHECK(h.query("SELECT location, qty FROM stock WHERE product_id = (SELECT id FROM products WHERE sku = 'PLUM') "
                  "ORDER BY location") == std::vector<std::string>{"A-01|1", "A-02|1", "DOCK|3"});
    CHECK(onHand(h, "PLUM") == 5);
    checkLedger(h);
}
