// End to end: `backfill count`, `approve`, `reject`, `counts` and `tasks` on real database
// files (issue 10 item 4; docs/operations.md, Counts): within the threshold applied at once,
// recount, pending, approval and rejection, the basis (a move after it still counts: DESIGN.md
// P6), holds lifted and tasks closed, allocations released and made, the threshold setting,
// blindness for non-supervisors, roles, every refusal code with nothing written, and the
// whole path after a real `backfill short` with `import reasons`. After
// every step the derived rows are checked against the ledger (checkCounts below: the
// harness's checkLedger does not know `adjusted` events yet).
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <sqlite3.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace backfill::e2e;

namespace {

const std::string kApple = "0" + withCheckDigit("400000000001");
const std::string kPear = "0" + withCheckDigit("400000000002");
const char* kNow = "2026-01-15T10:00:00Z";

// DOCK receiving, A-01/A-02 storage, Q quarantine, OUT staging.
void setUp(const CliHarness& h)
{
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple + "\nPEAR,Pear," + kPear + "\n", 2);
    h.importOk("locations", "code,kind,sequence\nDOCK,receiving,1\nA-01,storage,10\nA-02,storage,20\nQ,quarantine,40\n"
                            "OUT,staging,5\n",
               5);
}

void receive(const CliHarness& h, const std::string& gtin, int n, const std::string& lot = "")
{
    h.receiveOk({"--location", "DOCK", "(01)" + gtin + "(30)" + std::to_string(n) + (lot.empty() ? "" : "(10)" + lot)});
}

// exec writes to the database file directly: what another engineer's command (short pick,
// import reasons) or a setting would write.
void exec(const CliHarness& h, const std::string& sql)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(h.db().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    const std::string text = message ? message : "";
    sqlite3_free(message);
    sqlite3_close(db);
    INFO(sql << ": " << text);
    REQUIRE(rc == SQLITE_OK);
}

// addReasons gives the terminal an adjustment reason DAMAGED and a short-pick reason NOTFOUND.
void addReasons(const CliHarness& h)
{
    exec(h, "INSERT INTO reasons(code, kind, description) VALUES('DAMAGED', 'adjust', 'Damaged'), "
            "('NOTFOUND', 'short', 'Not found')");
}

int64_t latestEvent(const CliHarness& h) { return std::stoll(h.query("SELECT COALESCE(MAX(id), 0) FROM events").at(0)); }

RunResult count(const CliHarness& h, const std::vector<std::string>& args)
{
    std::vector<std::string> all{"--now", kNow, "count"};
    all.insert(all.end(), args.begin(), args.end());
    return h.run(all);
}

// countOk counts at LOC and fails unless the count was recorded (exit 0); gives its JSON.
Json countOk(const CliHarness& h, const std::string& location, const std::string& sku, int64_t qty,
             const std::vector<std::string>& more = {})
{
    std::vector<std::string> args{"--location", location, "--sku", sku, "--qty", std::to_string(qty)};
    args.insert(args.end(), more.begin(), more.end());
    const auto r = count(h, args);
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    return r.json();
}

RunResult decide(const CliHarness& h, const std::vector<std::string>& args)
{
    std::vector<std::string> all{"--now", kNow};
    all.insert(all.end(), args.begin(), args.end());
    return h.run(all);
}

Json decideOk(const CliHarness& h, const std::vector<std::string>& args)
{
    const auto r = decide(h, args);
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    return r.json();
}

Json listOk(const CliHarness& h, const std::vector<std::string>& args)
{
    const auto r = h.run(args);
    INFO(r);
    REQUIRE(r.status == 0);
    return r.json();
}

// Row is the expected JSON of a count, its fields in the order of the output.
struct Row {
    Row(int64_t id, std::string state, std::optional<int64_t> variance, std::optional<int64_t> book, int64_t counted,
        std::string sku = "APPLE", std::string location = "DOCK", std::optional<std::string> lot = std::nullopt,
        int64_t basis = 0, int64_t attempt = 1, std::optional<int64_t> recountOf = std::nullopt,
        std::optional<int64_t> adjusted = std::nullopt, std::optional<std::string> reason = std::nullopt,
        std::optional<std::string> note = std::nullopt, std::string op = "cli",
        std::optional<std::string> decidedBy = std::nullopt)
        : id(id), state(std::move(state)), variance(variance), book(book), counted(counted), sku(std::move(sku)),
          location(std::move(location)), lot(std::move(lot)), basis(basis), attempt(attempt), recountOf(recountOf),
          adjusted(adjusted), reason(std::move(reason)), note(std::move(note)), op(std::move(op)),
          decidedBy(std::move(decidedBy))
    {
    }
    int64_t id;
    std::string state;
    std::optional<int64_t> variance;
    std::optional<int64_t> book;
    int64_t counted;
    std::string sku;
    std::string location;
    std::optional<std::string> lot;
    int64_t basis;
    int64_t attempt;
    std::optional<int64_t> recountOf;
    std::optional<int64_t> adjusted;
    std::optional<std::string> reason;
    std::optional<std::string> note;
    std::string op;
    std::optional<std::string> decidedBy;
};

Json orNull(const std::optional<int64_t>& n) { return n ? Json(*n) : Json(nullptr); }
Json orNull(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

Json rowJson(const Row& r)
{
    return Json{{"count_id", r.id},
                {"state", r.state},
                {"variance", orNull(r.variance)},
                {"book_at_basis", orNull(r.book)},
                {"counted", r.counted},
                {"sku", r.sku},
                {"location", r.location},
                {"lot", orNull(r.lot)},
                {"basis", r.basis},
                {"attempt", r.attempt},
                {"recount_of", orNull(r.recountOf)},
                {"adjusted", orNull(r.adjusted)},
                {"reason", orNull(r.reason)},
                {"note", orNull(r.note)},
                {"operator", r.op},
                {"at", kNow},
                {"decided_by", orNull(r.decidedBy)},
                {"decided_at", r.decidedBy ? Json(kNow) : Json(nullptr)}};
}

// outcomeJson adds what applying did (nothing, for a count that is not applied).
Json outcomeJson(const Row& r, int64_t holdsCleared = 0, Json tasksDone = Json::array(), Json released = Json::array(),
                 Json allocated = Json::array())
{
    Json j = rowJson(r);
    j["holds_cleared"] = holdsCleared;
    j["tasks_done"] = tasksDone;
    j["released"] = released;
    j["allocated"] = allocated;
    return j;
}

Json releasedJson(const std::string& orderId, int64_t line, int64_t qty)
{
    return Json{{"order_id", orderId}, {"line", line}, {"qty", qty}};
}

std::pair<std::string, Json> lastOp(const CliHarness& h)
{
    const auto rows = h.query("SELECT kind, payload FROM outbox ORDER BY device_seq DESC LIMIT 1");
    REQUIRE(rows.size() == 1);
    const auto bar = rows[0].find('|');
    return {rows[0].substr(0, bar), Json::parse(rows[0].substr(bar + 1))};
}

// stockRows: the non-zero stock rows as "SKU|LOCATION|LOT|QTY|HELD".
std::vector<std::string> stockRows(const CliHarness& h)
{
    return h.query("SELECT p.sku, s.location, s.lot, s.qty, s.held FROM stock s JOIN products p ON p.id = s.product_id "
                   "WHERE s.qty <> 0 OR s.held <> 0 ORDER BY p.sku, s.location, s.lot");
}

// eventsOf: events of `kind` as "LOCATION|LOT|QTY|OPERATOR", in ledger order.
std::vector<std::string> eventsOf(const CliHarness& h, const std::string& kind)
{
    return h.query("SELECT location, lot, qty, operator FROM events WHERE kind = '" + kind + "' ORDER BY id");
}

// checkCounts: the derived rows equal the fold of the ledger (ledger/Replay.h): stock and
// holds per (product, location, lot), allocated and picked per line; no negative stock or
// hold beyond stock; allocations within the product's allocatable stock; device_seq
// gap-free; every event's op is in the outbox.
void checkCounts(const CliHarness& h)
{
    using Key = std::tuple<std::string, std::string, std::string>;
    std::map<Key, std::pair<int64_t, int64_t>> derived, stored;
    for (const auto& r : h.query("SELECT product_id, location, lot, qty, held FROM stock WHERE qty <> 0 OR held <> 0")) {
        std::vector<std::string> f;
        size_t start = 0;
        for (size_t bar; (bar = r.find('|', start)) != std::string::npos; start = bar + 1) f.push_back(r.substr(start, bar - start));
        f.push_back(r.substr(start));
        stored[{f[0], f[1], f[2]}] = {std::stoll(f[3]), std::stoll(f[4])};
    }
    for (const auto& r : h.query("SELECT product_id || '|' || location || '|' || lot, SUM(q), SUM(hq) FROM ("
                                 "SELECT product_id, location, lot, qty AS q, 0 AS hq FROM events WHERE kind IN ('received', 'adjusted') "
                                 "UNION ALL SELECT product_id, location, lot, -qty, 0 FROM events WHERE kind IN ('picked', 'moved') "
                                 "UNION ALL SELECT product_id, to_location, lot, qty, 0 FROM events WHERE kind = 'moved' "
                                 "UNION ALL SELECT product_id, location, lot, 0, qty FROM events WHERE kind = 'held') "
                                 "GROUP BY product_id, location, lot HAVING SUM(q) <> 0 OR SUM(hq) <> 0")) {
        std::vector<std::string> f;
        size_t start = 0;
        for (size_t bar; (bar = r.find('|', start)) != std::string::npos; start = bar + 1) f.push_back(r.substr(start, bar - start));
        f.push_back(r.substr(start));
        derived[{f[0], f[1], f[2]}] = {std::stoll(f[3]), std::stoll(f[4])};
    }
    CHECK(stored == derived);
    CHECK(h.query("SELECT COUNT(*) FROM stock WHERE qty < 0 OR held < 0 OR held > qty").at(0) == "0");
    CHECK(h.query("SELECT COUNT(*) FROM order_lines l WHERE l.allocated <> COALESCE((SELECT SUM(CASE kind WHEN 'allocated' "
                  "THEN qty WHEN 'deallocated' THEN -qty WHEN 'picked' THEN -qty END) FROM events e WHERE "
                  "e.order_line_id = l.id AND e.kind IN ('allocated', 'deallocated', 'picked')), 0) OR l.allocated < 0 "
                  "OR l.allocated + l.picked > l.qty")
              .at(0) == "0");
    // Allocated within the stock outside quarantine, less holds (nothing expires in these tests).
    CHECK(h.query("SELECT COUNT(*) FROM products p WHERE (SELECT COALESCE(SUM(allocated), 0) FROM order_lines l WHERE "
                  "l.product_id = p.id) > (SELECT COALESCE(SUM(s.qty - s.held), 0) FROM stock s WHERE s.product_id = p.id "
                  "AND s.location NOT IN (SELECT code FROM locations WHERE kind = 'quarantine'))")
              .at(0) == "0");
    CHECK(h.query("SELECT COUNT(*) = COALESCE(MAX(device_seq), 0) AND COALESCE(MIN(device_seq), 1) = 1 FROM outbox").at(0) == "1");
    CHECK(h.query("SELECT COUNT(*) FROM events WHERE op_id IS NOT NULL AND op_id NOT IN (SELECT op_id FROM outbox)").at(0) == "0");
}

// refusedAs runs a command that must be refused with `code` and exit `status`, nothing on
// stdout, and the database unchanged (every table's rows).
void refusedAs(const CliHarness& h, const std::vector<std::string>& args, const std::string& code, int status = 1)
{
    const auto before = h.snapshot();
    const auto r = decide(h, args);
    INFO(r);
    CHECK(r.status == status);
    CHECK(r.out.empty());
    CHECK(r.codes() == std::vector<std::string>{code});
    CHECK(h.snapshot() == before);
}

// runAs runs backfill signed in as `op` with `pin` in BACKFILL_PIN (through env(1), so the
// test's own environment is never changed).
RunResult runAs(const CliHarness& h, const std::optional<std::string>& op, const std::string& pin,
                const std::vector<std::string>& args)
{
    std::vector<std::string> all{"-u", "BACKFILL_PIN", "-u", "BACKFILL_NOW", "BACKFILL_PIN=" + pin, std::getenv("BACKFILL_BIN"),
                                 "--db", h.db(), "--today", CliHarness::kToday, "--now", kNow};
    if (op) all.insert(all.end(), {"--operator", *op});
    all.insert(all.end(), args.begin(), args.end());
    return h.runProgram("/usr/bin/env", all);
}

} // namespace

TEST_CASE("count: within the threshold it is applied at once: counted and adjusted events, one count op")
{
    CliHarness h;
    setUp(h);
    receive(h, kApple, 10);
    const int64_t basis = latestEvent(h);

    // Exactly the book: applied, nothing to adjust.
    CHECK(countOk(h, "DOCK", "APPLE", 10) == outcomeJson({1, "applied", 0, 10, 10, "APPLE", "DOCK", std::nullopt, basis, 1,
                                                          std::nullopt, 0}));
    CHECK(eventsOf(h, "counted") == std::vector<std::string>{"DOCK||10|cli"});
    CHECK(eventsOf(h, "adjusted").empty());
    checkCounts(h);

    // 2 missing: within max(2 units, 5 % of 10): applied as an adjustment of -2.
    const int64_t basis2 = latestEvent(h);
    CHECK(countOk(h, "DOCK", "APPLE", 8) == outcomeJson({2, "applied", -2, 10, 8, "APPLE", "DOCK", std::nullopt, basis2, 1,
                                                         std::nullopt, -2}));
    CHECK(eventsOf(h, "adjusted") == std::vector<std::string>{"DOCK||-2|cli"});
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|DOCK||8|0"});
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 8, 0)}));
    // One op per count; the applied one carries what the server needs: counted - book at basis.
    CHECK(h.query("SELECT kind FROM outbox ORDER BY device_seq") == std::vector<std::string>{"receive", "count", "count"});
    const auto [kind, op] = lastOp(h);
    CHECK(kind == "count");
    CHECK(op == Json{{"count_id", 2},          {"state", "applied"}, {"sku", "APPLE"},     {"location", "DOCK"},
                     {"lot", ""},              {"counted", 8},       {"basis", basis2},    {"basis_op_id", op["basis_op_id"]},
                     {"book_at_basis", 10},
                     // The basis as the server knows it (P6): nothing pulled, not enrolled
                     // (epoch 0), its own ops up to the first count (device_seq 2).
                     {"basis_cursor", 0},      {"basis_epoch", 0},   {"basis_device_seq", 2},
                     {"variance", -2},     {"attempt", 1},       {"recount_of", nullptr},
                     {"adjusted", -2},         {"holds_cleared", 0}, {"tasks_done", Json::array()},
                     {"released", Json::array()}, {"claims", Json::array()}});
    // The basis event is the previous count's `counted` event: its op is named.
    CHECK(op["basis_op_id"] == h.query("SELECT op_id FROM events WHERE id = " + std::to_string(basis2)).at(0));
    // The counted and adjusted events belong to the count's op.
    CHECK(h.query("SELECT COUNT(*) FROM events WHERE kind IN ('counted', 'adjusted') AND op_id = (SELECT op_id FROM outbox "
                  "ORDER BY device_seq DESC LIMIT 1)")
              .at(0) == "2");
    CHECK(listOk(h, {"counts"}) ==
          Json::array({rowJson({1, "applied", 0, 10, 10, "APPLE", "DOCK", std::nullopt, basis, 1, std::nullopt, 0}),
                       rowJson({2, "applied", -2, 10, 8, "APPLE", "DOCK", std::nullopt, basis2, 1, std::nullopt, -2})}));
    checkCounts(h);

    // A count of a lot and of an empty place: the key is (product, location, lot).
    receive(h, kApple, 5, "L1");
    CHECK(countOk(h, "DOCK", "APPLE", 4, {"--lot", "L1"})["adjusted"] == -1);
    CHECK(countOk(h, "A-01", "APPLE", 0)["state"] == "applied");
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|DOCK||8|0", "APPLE|DOCK|L1|4|0"});
    checkCounts(h);
}

TEST_CASE("count: beyond the threshold a recount is asked; a recount within applies, beyond waits for a supervisor")
{
    CliHarness h;
    setUp(h);
    addReasons(h);
    receive(h, kApple, 20);
    const int64_t basis = latestEvent(h);

    // 15 of 20: 5 > max(2, 1): recount; nothing changes in stock.
    CHECK(countOk(h, "DOCK", "APPLE", 15) ==
          outcomeJson({1, "recount", -5, 20, 15, "APPLE", "DOCK", std::nullopt, basis, 1}));
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|DOCK||20|0"});
    CHECK(eventsOf(h, "counted") == std::vector<std::string>{"DOCK||15|cli"});
    CHECK(eventsOf(h, "adjusted").empty());
    CHECK(lastOp(h).first == "count");
    CHECK(lastOp(h).second["state"] == "recount");
    CHECK(lastOp(h).second["adjusted"] == nullptr);
    checkCounts(h);

    // The recount finds 19: within: applied; the first count is recounted.
    const int64_t basis2 = latestEvent(h);
    CHECK(countOk(h, "DOCK", "APPLE", 19) ==
          outcomeJson({2, "applied", -1, 20, 19, "APPLE", "DOCK", std::nullopt, basis2, 2, 1, -1}));
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|DOCK||19|0"});
    CHECK(listOk(h, {"counts", "--state", "recounted"}) ==
          Json::array({rowJson({1, "recounted", -5, 20, 15, "APPLE", "DOCK", std::nullopt, basis, 1})}));
    CHECK(listOk(h, {"counts", "--state", "recount"}) == Json::array());
    checkCounts(h);

    // 10, then 11: still beyond: pending, stock unchanged.
    CHECK(countOk(h, "DOCK", "APPLE", 10)["state"] == "recount");
    const int64_t basis4 = latestEvent(h);
    CHECK(countOk(h, "DOCK", "APPLE", 11) ==
          outcomeJson({4, "pending", -8, 19, 11, "APPLE", "DOCK", std::nullopt, basis4, 2, 3}));
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|DOCK||19|0"});
    CHECK(lastOp(h).second["state"] == "pending");
    // While it waits, the key cannot be counted again.
    refusedAs(h, {"count", "--location", "DOCK", "--sku", "APPLE", "--qty", "19"}, "count_pending");
    // Other keys can.
    CHECK(countOk(h, "DOCK", "PEAR", 0)["state"] == "applied");
    CHECK(listOk(h, {"counts", "--state", "pending"}) ==
          Json::array({rowJson({4, "pending", -8, 19, 11, "APPLE", "DOCK", std::nullopt, basis4, 2, 3})}));
    checkCounts(h);

    // The supervisor approves with an adjust reason: -8 on top of the book.
    CHECK(decideOk(h, {"approve", "4", "--reason", "DAMAGED", "--note", "crushed box"}) ==
          outcomeJson({4, "applied", -8, 19, 11, "APPLE", "DOCK", std::nullopt, basis4, 2, 3, -8, "DAMAGED", "crushed box",
                       "cli", "cli"}));
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|DOCK||11|0"});
    const auto [kind, op] = lastOp(h);
    CHECK(kind == "count_approve");
    CHECK(op["count_id"] == 4);
    CHECK(op["count_op_id"] == h.query("SELECT op_id FROM counts WHERE id = 4").at(0));
    CHECK(op["counted"] == 11);
    CHECK(op["basis"] == basis4);
    CHECK(op["book_at_basis"] == 19);
    CHECK(op["variance"] == -8);
    CHECK(op["adjusted"] == -8);
    CHECK(op["reason"] == "DAMAGED");
    CHECK(op["note"] == "crushed box");
    // The adjustment is an event of the approval's op.
    CHECK(h.query("SELECT e.qty FROM events e JOIN outbox o ON o.op_id = e.op_id WHERE e.kind = 'adjusted' AND "
                  "o.kind = 'count_approve'") == std::vector<std::string>{"-8"});
    checkCounts(h);

    // Decided counts cannot be decided again.
    refusedAs(h, {"approve", "4", "--reason", "DAMAGED"}, "not_pending");
    refusedAs(h, {"reject", "4", "--note", "no"}, "not_pending");
    refusedAs(h, {"approve", "1", "--reason", "DAMAGED"}, "not_pending"); // recounted
    refusedAs(h, {"approve", "99", "--reason", "DAMAGED"}, "unknown_count");
    refusedAs(h, {"reject", "99", "--note", "no"}, "unknown_count");

    // Another pending count, rejected: the book stands.
    CHECK(countOk(h, "DOCK", "APPLE", 30)["state"] == "recount");
    CHECK(countOk(h, "DOCK", "APPLE", 31)["state"] == "pending");
    // An unknown reason, and a short-pick reason, are not adjustment reasons.
    refusedAs(h, {"approve", "7", "--reason", "NOPE"}, "unknown_reason");
    refusedAs(h, {"approve", "7", "--reason", "NOTFOUND"}, "unknown_reason");
    const auto rejected = decideOk(h, {"reject", "7", "--note", "scanner double count"});
    CHECK(rejected["state"] == "rejected");
    CHECK(rejected["note"] == "scanner double count");
    CHECK(rejected["decided_by"] == "cli");
    CHECK(rejected["adjusted"] == nullptr);
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|DOCK||11|0"});
    CHECK(lastOp(h).first == "count_reject");
    CHECK(lastOp(h).second == Json{{"count_id", 7},
                                   {"count_op_id", h.query("SELECT op_id FROM counts WHERE id = 7").at(0)},
                                   {"note", "scanner double count"}});
    // After a rejection the key is counted afresh (first attempt).
    CHECK(countOk(h, "DOCK", "APPLE", 11)["attempt"] == 1);
    // One op per action, kinds in order.
    CHECK(h.query("SELECT kind FROM outbox ORDER BY device_seq") ==
          std::vector<std::string>{"receive", "count", "count", "count", "count", "count", "count_approve", "count", "count",
                                   "count_reject", "count"});
    // counts: sorted by count_id, every state.
    std::vector<std::string> states;
    for (const auto& row : listOk(h, {"counts"})) states.push_back(row["state"].get<std::string>() + "#" + row["count_id"].dump());
    CHECK(states == std::vector<std::string>{"recounted#1", "applied#2", "recounted#3", "applied#4", "applied#5",
                                             "recounted#6", "rejected#7", "applied#8"});
    checkCounts(h);
}

TEST_CASE("count: the variance is taken at the basis and applied on top of the current book (P6)")
{
    CliHarness h;
    setUp(h);
    receive(h, kApple, 10);
    const int64_t basis = latestEvent(h);
    // The counter opened DOCK at `basis`; then 4 units moved to A-01 unseen by the counter.
    CHECK(h.run({"move", "--from", "DOCK", "--to", "A-01", "--sku", "APPLE", "--qty", "4"}).status == 0);
    // The counter saw 9 of the 10 the book had at the basis: -1, within; DOCK ends at 6 - 1.
    CHECK(countOk(h, "DOCK", "APPLE", 9, {"--basis", std::to_string(basis)}) ==
          outcomeJson({1, "applied", -1, 10, 9, "APPLE", "DOCK", std::nullopt, basis, 1, std::nullopt, -1}));
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|A-01||4|0", "APPLE|DOCK||5|0"});
    CHECK(lastOp(h).second["basis"] == basis);
    CHECK(lastOp(h).second["book_at_basis"] == 10);
    checkCounts(h);

    // At A-01 the book at that basis was 0: counting 4 there with the old basis is a
    // variance of +4 (a recount), although the book now is 4.
    CHECK(countOk(h, "A-01", "APPLE", 4, {"--basis", std::to_string(basis)})["state"] == "recount");
    // Without --basis the basis is now: book 4, nothing to adjust; it is the recount.
    const auto now = countOk(h, "A-01", "APPLE", 4);
    CHECK(now["state"] == "applied");
    CHECK(now["basis"] == latestEvent(h) - 1); // the events before this count's own
    CHECK(now["book_at_basis"] == 4);
    CHECK(now["adjusted"] == 0);

    // Pending with an old basis, approved after more moves: still counted - book at basis
    // on top of the book at approval. Basis: DOCK holds 5.
    const int64_t basis2 = latestEvent(h);
    CHECK(countOk(h, "DOCK", "APPLE", 15, {"--basis", std::to_string(basis2)})["state"] == "recount");
    CHECK(countOk(h, "DOCK", "APPLE", 15, {"--basis", std::to_string(basis2)})["state"] == "pending");
    CHECK(h.run({"move", "--from", "A-01", "--to", "DOCK", "--sku", "APPLE", "--qty", "2"}).status == 0);
    addReasons(h);
    const auto approved = decideOk(h, {"approve", "5", "--reason", "DAMAGED"});
    CHECK(approved["variance"] == 10);
    CHECK(approved["adjusted"] == 10);
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|A-01||2|0", "APPLE|DOCK||17|0"});

    // Counted + later movements below zero cannot be on a shelf: the location ends at 0,
    // the count keeps its variance for the server.
    const int64_t basis3 = latestEvent(h);
    CHECK(h.run({"move", "--from", "DOCK", "--to", "A-02", "--sku", "APPLE", "--qty", "16"}).status == 0);
    CHECK(countOk(h, "DOCK", "APPLE", 0, {"--basis", std::to_string(basis3)})["state"] == "recount");
    const auto last = countOk(h, "DOCK", "APPLE", 0, {"--basis", std::to_string(basis3)});
    CHECK(last["state"] == "pending");
    const auto clamped = decideOk(h, {"approve", last["count_id"].dump(), "--reason", "DAMAGED"});
    CHECK(clamped["variance"] == -17);
    CHECK(clamped["adjusted"] == -1);
    CHECK(lastOp(h).second["variance"] == -17);
    CHECK(lastOp(h).second["adjusted"] == -1);
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|A-01||2|0", "APPLE|A-02||16|0"});
    checkCounts(h);

    // A basis after the latest event, or below 0, is refused.
    refusedAs(h, {"count", "--location", "DOCK", "--sku", "APPLE", "--qty", "1", "--basis", std::to_string(latestEvent(h) + 1)},
              "bad_basis");
    refusedAs(h, {"count", "--location", "DOCK", "--sku", "APPLE", "--qty", "1", "--basis", "-1"}, "bad_basis");
}

TEST_CASE("count: lifts the holds it counted, closes the location's tasks, and the allocation rule runs")
{
    CliHarness h;
    setUp(h);
    receive(h, kApple, 10);
    // A short pick (written here by hand, as `backfill short` would) left 2 units on hold at
    // DOCK and a count task; the 8 allocatable units went to SO-1 (priority) and SO-2.
    exec(h, "INSERT INTO events(kind, product_id, qty, location, lot, operator, device, at) VALUES('held', 1, 2, 'DOCK', "
            "'', 'pete', 'local', 0); UPDATE stock SET held = 2 WHERE product_id = 1 AND location = 'DOCK';"
            "INSERT INTO count_tasks(product_id, location, reason, order_id, line, missing, created_by, created_at) "
            "VALUES(1, 'DOCK', 'NOTFOUND', 'SO-0', 1, 2, 'pete', 1768471200), (2, 'DOCK', 'NOTFOUND', NULL, NULL, 1, 'pete', "
            "1768471200), (1, 'A-01', 'NOTFOUND', NULL, NULL, 3, 'pete', 1768471200)");
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,priority,ordered_at\nSO-1,1,A,APPLE,6,1,2026-01-01\n"
               "SO-2,1,B,APPLE,4,0,2026-01-02\n",
               2);
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 6, 6, 0, "allocated"));
    CHECK(h.line("SO-2", 1) == lineJson("SO-2", 1, "APPLE", 4, 2, 0, "partially_allocated"));
    const Json open = listOk(h, {"tasks"});
    CHECK(open == Json::array({Json{{"task_id", 1}, {"state", "open"}, {"sku", "APPLE"}, {"location", "DOCK"},
                                    {"reason", "NOTFOUND"}, {"order_id", "SO-0"}, {"line", 1}, {"missing", 2},
                                    {"created_by", "pete"}, {"created_at", "2026-01-15T10:00:00Z"}, {"done_at", nullptr}},
                               Json{{"task_id", 2}, {"state", "open"}, {"sku", "PEAR"}, {"location", "DOCK"},
                                    {"reason", "NOTFOUND"}, {"order_id", nullptr}, {"line", nullptr}, {"missing", 1},
                                    {"created_by", "pete"}, {"created_at", "2026-01-15T10:00:00Z"}, {"done_at", nullptr}},
                               Json{{"task_id", 3}, {"state", "open"}, {"sku", "APPLE"}, {"location", "A-01"},
                                    {"reason", "NOTFOUND"}, {"order_id", nullptr}, {"line", nullptr}, {"missing", 3},
                                    {"created_by", "pete"}, {"created_at", "2026-01-15T10:00:00Z"}, {"done_at", nullptr}}}));
    checkCounts(h);

    // A recount-state count lifts nothing: the hold waits for a final count.
    CHECK(countOk(h, "DOCK", "APPLE", 4)["state"] == "recount");
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|DOCK||10|2"});
    CHECK(listOk(h, {"tasks"}).size() == 3);

    // The counter finds all 10: the hold is lifted (a held event of -2), the DOCK task of
    // APPLE is done (not PEAR's, not A-01's), and the 2 units go to SO-2.
    const int64_t basis = latestEvent(h);
    CHECK(countOk(h, "DOCK", "APPLE", 10) ==
          outcomeJson({2, "applied", 0, 10, 10, "APPLE", "DOCK", std::nullopt, basis, 2, 1, 0}, 2, Json::array({1}),
                      Json::array(), Json::array({allocJson("SO-2", 1, 2, "OUT")})));
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|DOCK||10|0"});
    CHECK(eventsOf(h, "held") == std::vector<std::string>{"DOCK||2|pete", "DOCK||-2|cli"});
    CHECK(h.line("SO-2", 1) == lineJson("SO-2", 1, "APPLE", 4, 4, 0, "allocated"));
    CHECK(lastOp(h).second["holds_cleared"] == 2);
    CHECK(lastOp(h).second["tasks_done"] == Json::array({1}));
    CHECK(lastOp(h).second["claims"] == Json::array({releasedJson("SO-2", 1, 2)}));
    const Json after = listOk(h, {"tasks"});
    REQUIRE(after.size() == 2);
    CHECK(after[0]["task_id"] == 2);
    CHECK(after[1]["task_id"] == 3);
    const Json all = listOk(h, {"tasks", "--all"});
    REQUIRE(all.size() == 3);
    CHECK(all[0]["state"] == "done");
    CHECK(all[0]["done_at"] == kNow);
    checkCounts(h);

    // A lower count releases the allocations the rest no longer covers, lines served last
    // first: 8 left for 10 allocated: SO-2 gives 2 back.
    const int64_t basis3 = latestEvent(h);
    CHECK(countOk(h, "DOCK", "APPLE", 8) ==
          outcomeJson({3, "applied", -2, 10, 8, "APPLE", "DOCK", std::nullopt, basis3, 1, std::nullopt, -2}, 0,
                      Json::array(), Json::array({releasedJson("SO-2", 1, 2)})));
    CHECK(h.line("SO-2", 1) == lineJson("SO-2", 1, "APPLE", 4, 2, 0, "partially_allocated"));
    CHECK(lastOp(h).second["released"] == Json::array({releasedJson("SO-2", 1, 2)}));
    CHECK(h.query("SELECT l.order_id, e.qty FROM events e JOIN order_lines l ON l.id = e.order_line_id WHERE e.kind = "
                  "'deallocated' AND e.op_id = (SELECT op_id FROM outbox ORDER BY device_seq DESC LIMIT 1)") ==
          std::vector<std::string>{"SO-2|2"});
    checkCounts(h);

    // A higher count, approved: the allocation rule serves SO-2 again; one unit stays free.
    addReasons(h);
    CHECK(countOk(h, "DOCK", "APPLE", 11)["state"] == "recount");
    CHECK(countOk(h, "DOCK", "APPLE", 11)["state"] == "pending");
    const auto approved = decideOk(h, {"approve", "5", "--reason", "DAMAGED"});
    CHECK(approved["adjusted"] == 3);
    CHECK(approved["allocated"] == Json::array({allocJson("SO-2", 1, 2, "OUT")}));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 11, 10)}));
    checkCounts(h);

    // A count of one lot lifts that lot's hold only; the task waits while another lot is held.
    receive(h, kPear, 3, "P1");
    receive(h, kPear, 3, "P2");
    exec(h, "INSERT INTO events(kind, product_id, qty, location, lot, operator, device, at) VALUES('held', 2, 1, 'DOCK', "
            "'P1', 'pete', 'local', 0), ('held', 2, 1, 'DOCK', 'P2', 'pete', 'local', 0); UPDATE stock SET held = 1 "
            "WHERE product_id = 2 AND location = 'DOCK'");
    CHECK(countOk(h, "DOCK", "PEAR", 3, {"--lot", "P1"})["tasks_done"] == Json::array());
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|DOCK||11|0", "PEAR|DOCK|P1|3|0", "PEAR|DOCK|P2|3|1"});
    const auto second = countOk(h, "DOCK", "PEAR", 2, {"--lot", "P2"});
    CHECK(second["holds_cleared"] == 1);
    CHECK(second["tasks_done"] == Json::array({2}));
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|DOCK||11|0", "PEAR|DOCK|P1|3|0", "PEAR|DOCK|P2|2|0"});
    checkCounts(h);
}

TEST_CASE("count: the threshold comes from setting count_threshold; default max(2 units, 5 % of the book)")
{
    CliHarness h;
    setUp(h);
    receive(h, kApple, 100);
    // 5 of 100 is 5 %: within; then 6 of 95 is beyond 4.75.
    CHECK(countOk(h, "DOCK", "APPLE", 95)["state"] == "applied");
    CHECK(countOk(h, "DOCK", "APPLE", 89)["state"] == "recount");
    CHECK(countOk(h, "DOCK", "APPLE", 95)["state"] == "applied"); // the recount, exact
    // Units only: 10.
    exec(h, "INSERT INTO settings(key, value) VALUES('count_threshold', '10')");
    CHECK(countOk(h, "DOCK", "APPLE", 85)["state"] == "applied");
    CHECK(countOk(h, "DOCK", "APPLE", 74)["state"] == "recount");
    CHECK(countOk(h, "DOCK", "APPLE", 85)["state"] == "applied");
    // Percent only: 20 % of 85 = 17.
    exec(h, "UPDATE settings SET value = '20%' WHERE key = 'count_threshold'");
    CHECK(countOk(h, "DOCK", "APPLE", 68)["state"] == "applied");
    CHECK(countOk(h, "DOCK", "APPLE", 54)["state"] == "recount"); // 14 > 13.6
    CHECK(countOk(h, "DOCK", "APPLE", 68)["state"] == "applied");
    // The larger of the two: "0,0%" means every variance asks for a recount.
    exec(h, "UPDATE settings SET value = '0,0%' WHERE key = 'count_threshold'");
    CHECK(countOk(h, "DOCK", "APPLE", 67)["state"] == "recount");
    CHECK(countOk(h, "DOCK", "APPLE", 67)["state"] == "pending");
    checkCounts(h);
    // A malformed setting refuses the count, nothing written.
    for (const char* bad : {"", "x", "5%%", "2,", ",2", "-1", "2;5%"}) {
        exec(h, std::string("UPDATE settings SET value = '") + bad + "' WHERE key = 'count_threshold'");
        refusedAs(h, {"count", "--location", "DOCK", "--sku", "PEAR", "--qty", "1"}, "bad_setting");
    }
}

TEST_CASE("count: refusals write nothing")
{
    CliHarness h;
    setUp(h);
    receive(h, kApple, 10);
    refusedAs(h, {"count", "--location", "DOCK", "--sku", "NOPE", "--qty", "1"}, "unknown_sku");
    refusedAs(h, {"count", "--location", "NOWHERE", "--sku", "APPLE", "--qty", "1"}, "unknown_location");
    refusedAs(h, {"count", "--location", "DOCK", "--sku", "APPLE", "--qty", "-1"}, "bad_qty");
    refusedAs(h, {"count", "--location", "DOCK", "--sku", "APPLE", "--qty", "1000000001"}, "bad_qty");
    refusedAs(h, {"count", "--location", "DOCK", "--sku", "APPLE", "--qty", "x"}, "bad_usage", 3);
    refusedAs(h, {"count", "--location", "DOCK", "--sku", "APPLE"}, "bad_usage", 3);
    refusedAs(h, {"approve", "1"}, "bad_usage", 3);
    refusedAs(h, {"reject", "1"}, "bad_usage", 3);
    refusedAs(h, {"reject", "1", "--note", " "}, "bad_usage", 3);
    refusedAs(h, {"counts", "--state", "open"}, "bad_usage", 3);
    // Reading lists needs a database: never created by a typo.
    const auto r = h.runRaw({"--db", (h.dir() / "none.db").string(), "counts"});
    CHECK(r.status == 3);
    CHECK(r.codes() == std::vector<std::string>{"no_database"});
    CHECK(!std::filesystem::exists(h.dir() / "none.db"));
}

TEST_CASE("count: pickers and supervisors count; only a supervisor approves; the book is hidden from others")
{
    CliHarness h;
    setUp(h);
    addReasons(h);
    receive(h, kApple, 20);
    for (const auto& [name, role, pin, by] :
         std::vector<std::tuple<std::string, std::string, std::string, std::optional<std::string>>>{
             {"boss", "supervisor", "246810", std::nullopt}, {"rita", "receiver", "1111", "boss"}, {"pete", "picker", "2222", "boss"}}) {
        const auto r = runAs(h, by, "246810", {"user", "add", name, "--role", role, "--pin", pin});
        INFO(r);
        REQUIRE(r.status == 0);
    }
    const std::vector<std::string> count15{"count", "--location", "DOCK", "--sku", "APPLE", "--qty", "15"};
    const auto refused = [&](const std::optional<std::string>& who, const std::string& pin, const std::vector<std::string>& args,
                             const std::string& code) {
        const auto before = h.snapshot();
        const auto r = runAs(h, who, pin, args);
        INFO(r);
        CHECK(r.status == 5);
        CHECK(r.out.empty());
        CHECK(r.codes() == std::vector<std::string>{code});
        CHECK(h.snapshot() == before);
    };
    refused(std::nullopt, "", count15, "auth_required");
    refused("rita", "1111", count15, "forbidden");

    // A picker's recount: variance and book are not shown.
    const int64_t basis = latestEvent(h);
    auto r = runAs(h, "pete", "2222", count15);
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.json() == outcomeJson({1, "recount", std::nullopt, std::nullopt, 15, "APPLE", "DOCK", std::nullopt, basis, 1,
                                   std::nullopt, std::nullopt, std::nullopt, std::nullopt, "pete"}));
    CHECK(eventsOf(h, "counted") == std::vector<std::string>{"DOCK||15|pete"});
    // Still beyond: pending, still hidden.
    r = runAs(h, "pete", "2222", count15);
    REQUIRE(r.status == 0);
    CHECK(r.json()["state"] == "pending");
    CHECK(r.json()["variance"] == nullptr);
    CHECK(r.json()["book_at_basis"] == nullptr);
    // The lists: hidden without sign-in and for the picker, shown to the supervisor.
    CHECK(listOk(h, {"counts"})[1]["variance"] == nullptr);
    r = runAs(h, "pete", "2222", {"counts"});
    REQUIRE(r.status == 0);
    CHECK(r.json()[0]["variance"] == nullptr);
    CHECK(r.json()[0]["book_at_basis"] == nullptr);
    CHECK(r.json()[1]["state"] == "pending");
    CHECK(r.json()[1]["variance"] == nullptr);
    r = runAs(h, "boss", "246810", {"counts", "--state", "pending"});
    REQUIRE(r.status == 0);
    CHECK(r.json()[0]["variance"] == -5);
    CHECK(r.json()[0]["book_at_basis"] == 20);
    refused("rita", "1111", {"counts"}, "forbidden");

    // Only a supervisor decides.
    refused("pete", "2222", {"approve", "2", "--reason", "DAMAGED"}, "forbidden");
    refused("pete", "2222", {"reject", "2", "--note", "no"}, "forbidden");
    refused(std::nullopt, "", {"approve", "2", "--reason", "DAMAGED"}, "auth_required");
    r = runAs(h, "boss", "246810", {"approve", "2", "--reason", "DAMAGED"});
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.json()["decided_by"] == "boss");
    CHECK(r.json()["adjusted"] == -5);
    CHECK(eventsOf(h, "adjusted") == std::vector<std::string>{"DOCK||-5|boss"});
    // Applied: the counter may see it now (the book is what was counted).
    CHECK(listOk(h, {"counts", "--state", "applied"})[0]["variance"] == -5);

    // A supervisor's own count shows its variance at once; applied counts show it to anyone.
    r = runAs(h, "boss", "246810", {"count", "--location", "DOCK", "--sku", "APPLE", "--qty", "10"});
    REQUIRE(r.status == 0);
    CHECK(r.json()["state"] == "recount");
    CHECK(r.json()["variance"] == -5);
    r = runAs(h, "pete", "2222", {"count", "--location", "DOCK", "--sku", "APPLE", "--qty", "14"});
    REQUIRE(r.status == 0);
    CHECK(r.json()["state"] == "applied");
    CHECK(r.json()["variance"] == -1);
    // Count tasks: `missing` hints at the book, blind like a count.
    exec(h, "INSERT INTO count_tasks(product_id, location, reason, missing, created_by, created_at) VALUES(1, 'A-01', "
            "'NOTFOUND', 3, 'pete', 0)");
    CHECK(listOk(h, {"tasks"})[0]["missing"] == nullptr);
    r = runAs(h, "boss", "246810", {"tasks"});
    REQUIRE(r.status == 0);
    CHECK(r.json()[0]["missing"] == 3);
    checkCounts(h);
}

TEST_CASE("count: after a real short pick (backfill short) the count settles its hold and task; approve with an imported reason")
{
    CliHarness h;
    setUp(h);
    h.importOk("reasons", "code,kind,description\nNOT_FOUND,short,Not there\nFOUND,adjust,Units the book did not show\n", 2);
    receive(h, kApple, 10);
    CHECK(h.run({"move", "--from", "DOCK", "--to", "A-01", "--sku", "APPLE", "--qty", "10"}).status == 0);
    h.importOk("backorders",
               "order_id,line,customer,sku,qty,priority,ordered_at\nSO-1,1,A,APPLE,6,1,2026-01-01\n"
               "SO-2,1,B,APPLE,4,0,2026-01-02\n",
               2);
    // The picker finds 4 of SO-1's 6 at A-01: 2 go on hold, SO-1 waits for 2, a count task.
    const auto shortPick = h.run({"short", "SO-1", "1", "--location", "A-01", "--found", "4", "--reason", "NOT_FOUND"});
    INFO(shortPick);
    REQUIRE(shortPick.status == 0);
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|A-01||10|2"});
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 6, 4, 0, "partially_allocated"));
    const Json tasks = listOk(h, {"tasks"});
    REQUIRE(tasks.size() == 1);
    CHECK(tasks[0]["task_id"] == 1);
    CHECK(tasks[0]["location"] == "A-01");
    CHECK(tasks[0]["reason"] == "NOT_FOUND");
    CHECK(tasks[0]["order_id"] == "SO-1");
    CHECK(tasks[0]["missing"] == 2);
    checkCounts(h);

    // The count finds 8: the 2 are really gone. The hold is settled, the task done, and the
    // 8 units still cover the 8 allocated: nothing released.
    const int64_t basis = latestEvent(h);
    CHECK(countOk(h, "A-01", "APPLE", 8) == outcomeJson({1, "applied", -2, 10, 8, "APPLE", "A-01", std::nullopt, basis, 1,
                                                         std::nullopt, -2},
                                                        2, Json::array({1})));
    CHECK(stockRows(h) == std::vector<std::string>{"APPLE|A-01||8|0"});
    CHECK(listOk(h, {"tasks"}) == Json::array());
    CHECK(listOk(h, {"tasks", "--all"})[0]["state"] == "done");
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 8, 8)}));
    checkCounts(h);

    // Two counts of 12 wait for a supervisor; a short-pick reason cannot approve them, the
    // imported adjustment reason can, and SO-1 gets the 2 it waited for.
    CHECK(countOk(h, "A-01", "APPLE", 12)["state"] == "recount");
    CHECK(countOk(h, "A-01", "APPLE", 12)["state"] == "pending");
    refusedAs(h, {"approve", "3", "--reason", "NOT_FOUND"}, "unknown_reason");
    const auto approved = decideOk(h, {"approve", "3", "--reason", "FOUND"});
    CHECK(approved["reason"] == "FOUND");
    CHECK(approved["adjusted"] == 4);
    CHECK(approved["allocated"] == Json::array({allocJson("SO-1", 1, 2, "OUT")}));
    CHECK(h.line("SO-1", 1) == lineJson("SO-1", 1, "APPLE", 6, 6, 0, "allocated"));
    CHECK(h.stockOf("APPLE") == Json::array({stockJson("APPLE", 12, 10)}));
    CHECK(h.query("SELECT kind FROM outbox ORDER BY device_seq") ==
          std::vector<std::string>{"receive", "move", "short", "count", "count", "count", "count_approve"});
    checkCounts(h);
}
