// The Applier and DESIGN.md P6 over a real SQLite file: a count ends as counted plus the
// movements at its key that its counter did not know; a basis the op cannot have known is
// refused; migration 5 fills the movements from the log as it stands.

#include "server/ApplyHarness.h"

using namespace applytest;

namespace {

std::string receiptOf(const std::string& sku, const std::string& location, Qty qty)
{
    return R"({"scan":"x","location":")" + location + R"(","lines":[{"sku":")" + sku + R"(","qty":)" + std::to_string(qty) +
           R"(,"lot":"","sscc":"","claims":[]}]})";
}

// countAt is a count op's payload at a basis (DESIGN.md P6): the server cursor the terminal
// had pulled and its last own op then (epoch 1).
std::string countAt(const std::string& sku, const std::string& location, Qty counted, Qty variance, int64_t cursor, int64_t ownSeq)
{
    return R"({"count_id":1,"state":"applied","sku":")" + sku + R"(","location":")" + location + R"(","lot":"","counted":)" +
           std::to_string(counted) + R"(,"variance":)" + std::to_string(variance) + R"(,"basis_cursor":)" + std::to_string(cursor) +
           R"(,"basis_epoch":1,"basis_device_seq":)" + std::to_string(ownSeq) + R"(,"claims":[]})";
}

} // namespace

TEST_CASE("P6: a count ends as counted + the movements at its key its counter did not know")
{
    Server s;
    auto hh1 = s.enrol("HH-01");
    auto hh2 = s.enrol("HH-02");
    // HH-01 receives 9 SKU-B at DOCK and pulls: its cursor C knows them.
    s.push(hh1, {op(1, 1, "receive", receiptOf("SKU-B", "DOCK", 9))});
    const int64_t cursor = s.head();
    // HH-02 receives 4 more there, which HH-01 has not pulled when it counts 7.
    s.push(hh2, {op(2, 1, "receive", receiptOf("SKU-B", "DOCK", 4))});
    CHECK(s.onHand("SKU-B", "DOCK") == 13);
    auto counted = s.push(hh1, {op(3, 2, "count", countAt("SKU-B", "DOCK", 7, -2, cursor, 1))});
    REQUIRE(counted.results.size() == 1);
    // Book at the basis 13 - 4 = 9; counted - book = -2 on top of 13: 11 = 7 counted + 4 unknown.
    CHECK(s.onHand("SKU-B", "DOCK") == 11);
    CHECK(counted.results[0].status == OpStatus::Flagged);
    CHECK(counted.results[0].code == "stale_count");
    CHECK(counted.results[0].message ==
          "the count of SKU-B at DOCK (7 counted) did not know 1 movements there since log seq " + std::to_string(cursor) +
              " (net +4): applied as 7 +4 = 11; recount if goods moved while counting");
    const auto exceptions = *s.store->exceptions();
    REQUIRE(exceptions.size() == 1);
    CHECK(exceptions[0].code == "stale_count");
    CHECK(s.lastEntry() == R"({"op_id":"00000000-0000-4000-8000-000000000003","device":"HH-01","device_seq":2,"count_id":1,"state":"applied","sku":"SKU-B","location":"DOCK","lot":"","counted":7,"variance":-2,"basis_cursor":)" +
                               std::to_string(cursor) + R"(,"basis_epoch":1,"basis_device_seq":1,"book_at_basis":9,"unknown":4,"adjusted":-2,"holds_cleared":0,"exception":1,"allocations":[],"releases":[]})");

    // A movement its terminal had pulled is known, even when its own book had not shown it:
    // HH-01 pulls (cursor 2) and counts 11 while its view still said 7 (variance +4). The
    // server applies 11 - 11 = 0, not +4 on top (15).
    const int64_t cursor2 = s.head();
    auto known = s.push(hh1, {op(4, 3, "count", countAt("SKU-B", "DOCK", 11, 4, cursor2, 2))});
    CHECK(known.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-B", "DOCK") == 11);

    // Its own ops are known up to its basis_device_seq, pulled or not: HH-01 receives 3 (seq 4,
    // not pulled) and counts 14 knowing it: 14. Counting again from a basis before that
    // receipt (basis_device_seq 3: the counter began before it), 14 counted + 3 = 17, not
    // flagged (only its own op was unknown).
    s.push(hh1, {op(5, 4, "receive", receiptOf("SKU-B", "DOCK", 3))});
    CHECK(s.onHand("SKU-B", "DOCK") == 14);
    auto own = s.push(hh1, {op(6, 5, "count", countAt("SKU-B", "DOCK", 14, 0, cursor2, 4))});
    CHECK(own.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-B", "DOCK") == 14);
    auto before = s.push(hh1, {op(7, 6, "count", countAt("SKU-B", "DOCK", 14, 0, cursor2, 3))});
    CHECK(before.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-B", "DOCK") == 17);

    // Unknown movements take a count below zero: it ends at 0. HH-02 moves 5 to A-1 unknown to
    // HH-01, which counts 2 from its last basis: 2 - 5 < 0, so 0 (adjusted -12 from 12).
    s.push(hh2, {op(8, 2, "move", R"({"scan":"x","from":"DOCK","to":"A-1","sku":"SKU-B","lots":[{"lot":"","qty":5}],"claims":[]})")});
    CHECK(s.onHand("SKU-B", "DOCK") == 12);
    const int64_t cursor3 = s.head() - 1; // before the move
    auto low = s.push(hh1, {op(9, 7, "count", countAt("SKU-B", "DOCK", 2, -15, cursor3, 6))});
    CHECK(low.results[0].code == "stale_count");
    CHECK(s.onHand("SKU-B", "DOCK") == 0);
    CHECK(s.onHand("SKU-B", "A-1") == 5); // another key: untouched

    // A pending count changes nothing; its approval is applied at the count's basis.
    s.push(hh2, {op(10, 3, "receive", receiptOf("SKU-B", "A-1", 2))}); // A-1: 7
    const int64_t cursor4 = s.head();
    s.push(hh1, {op(11, 8, "count", R"({"count_id":2,"state":"pending","sku":"SKU-B","location":"A-1","lot":"","counted":1,"variance":-6,"basis_cursor":)" +
                                        std::to_string(cursor4) + R"(,"basis_epoch":1,"basis_device_seq":7,"claims":[]})")});
    CHECK(s.onHand("SKU-B", "A-1") == 7);
    s.push(hh2, {op(12, 4, "receive", receiptOf("SKU-B", "A-1", 10))}); // after the count: 17
    auto approved = s.push(hh1, {op(13, 9, "count_approve", R"({"count_id":2,"count_op_id":")" + uuid(11) +
                                                                R"(","sku":"SKU-B","location":"A-1","lot":"","counted":1,"variance":-6,"reason":"LOST","basis_cursor":)" +
                                                                std::to_string(cursor4) + R"(,"basis_epoch":1,"basis_device_seq":7,"claims":[]})")});
    CHECK(approved.results[0].code == "stale_count");
    CHECK(s.onHand("SKU-B", "A-1") == 11); // 1 counted + 10 received after its basis
}

TEST_CASE("P6: a basis the op cannot have known is refused; a count without a basis keeps the terminal's variance")
{
    Server s;
    auto hh = s.enrol("HH-01");
    s.push(hh, {op(1, 1, "receive", receiptOf("SKU-B", "DOCK", 5))});
    auto bad = s.push(hh, {op(2, 2, "count", countAt("SKU-B", "DOCK", 3, -2, s.head(), 2))});
    CHECK(bad.results[0].status == OpStatus::Rejected);
    CHECK(bad.results[0].code == "bad_payload");
    CHECK(bad.results[0].message == "count: basis_device_seq: epoch 1 seq 2 is not before this op (epoch 1 seq 2)");
    auto half = s.push(hh, {op(3, 3, "count", R"({"count_id":1,"state":"applied","sku":"SKU-B","location":"DOCK","lot":"","counted":3,"variance":-2,"basis_cursor":1,"claims":[]})")});
    CHECK(half.results[0].code == "bad_payload");
    CHECK(half.results[0].message == "count: basis_epoch: missing or not a whole number");
    CHECK(s.onHand("SKU-B", "DOCK") == 5);
    // An outbox older than the rule: the variance on top of the book now.
    auto old = s.push(hh, {op(4, 4, "count", R"({"count_id":1,"state":"applied","sku":"SKU-B","location":"DOCK","lot":"","counted":3,"variance":-1,"claims":[]})")});
    CHECK(old.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-B", "DOCK") == 4);
}

TEST_CASE("P6: migration 5 fills movements from the log as it stands")
{
    Server s;
    auto hh = s.enrol("HH-01");
    s.push(hh, {op(1, 1, "receive", receiptOf("SKU-B", "DOCK", 5)),
                op(2, 2, "move", R"({"scan":"x","from":"DOCK","to":"A-1","sku":"SKU-B","lots":[{"lot":"","qty":2}],"claims":[]})"),
                op(3, 3, "count", countAt("SKU-B", "A-1", 1, -1, 0, 2))});
    auto rows = [&] {
        std::vector<std::string> out;
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open_v2((s.dir / "server.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
        sqlite3_stmt* q = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, "SELECT seq || ' ' || sku || ' ' || location || ' ' || lot || ' ' || qty || ' ' || device_id || ' ' || epoch || ' ' || device_seq FROM movements ORDER BY rowid", -1, &q, nullptr) == SQLITE_OK);
        while (sqlite3_step(q) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
        sqlite3_finalize(q);
        sqlite3_close(db);
        return out;
    };
    const int64_t r = s.head() - 2; // receive, move, count
    const std::vector<std::string> expected{
        std::to_string(r) + " SKU-B DOCK  5 HH-01 1 1",     std::to_string(r + 1) + " SKU-B DOCK  -2 HH-01 1 2",
        std::to_string(r + 1) + " SKU-B A-1  2 HH-01 1 2", std::to_string(r + 2) + " SKU-B A-1  -1 HH-01 1 3"};
    CHECK(rows() == expected);
    // Back to schema 4 without the table (nor migration 6's and 7's columns): opening runs migration 5,
    // which reads the log.
    s.applier.reset();
    s.store.reset();
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((s.dir / "server.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "ALTER TABLE sessions DROP COLUMN issued_at; DROP TABLE order_stages; DROP TABLE lots; DROP TABLE movements; ALTER TABLE order_lines DROP COLUMN filled_by; DROP INDEX locations_gln; "
                             "ALTER TABLE locations DROP COLUMN gln; ALTER TABLE locations DROP COLUMN gln_ext; PRAGMA user_version = 4;", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    auto reopened = SqliteServerStore::open((s.dir / "server.db").string());
    REQUIRE(reopened);
    s.store = std::move(*reopened);
    auto rebuilt = rows();
    std::sort(rebuilt.begin(), rebuilt.end());
    auto sorted = expected;
    std::sort(sorted.begin(), sorted.end());
    CHECK(rebuilt == sorted);
}
