// sync/server's Applier in process over a real SQLite file: enrolment and sign-in, push
// semantics (dedupe, order, gaps, refused credentials), claims honoured or re-decided, a
// second SSCC flagged, imports' allocations, pull paging, and the exact log entries.

#include "server/ApplyHarness.h"
#include "server/ServerSchema.h"

using namespace applytest;

TEST_CASE("sessions expire: a session id is good for kSessionSeconds after its Hello, then unknown_session and nothing applied")
{
    Server s;
    int64_t now = 1'800'000'000;
    ApplierOptions options;
    options.now = [&] { return now; };
    Applier applier(*s.store, options);
    auto token = enrolDevice(*s.store, "HH-01");
    REQUIRE(token);
    const auto ack = std::get<protocol::HelloAck>(applier.hello({1, "HH-01", 0, *token}));
    const protocol::Session session{ack.sessionId};

    // Good to the second: a day after its Hello.
    now += kSessionSeconds;
    CHECK(std::holds_alternative<protocol::Changes>(applier.pull({session, 0, 2, 0})));

    // One second more: refused, with the code the link signs in again on, and a push under it
    // applies nothing.
    now += 1;
    const auto refused = std::get<protocol::Error>(applier.pull({session, 0, 2, 0}));
    CHECK(refused.code == "unknown_session");
    CHECK(refused.message == "the session expired (a session lasts 24 hours): send Hello again");
    const int64_t head = s.head();
    const auto pushed = applier.push({session, {op(1, 1, "receive", receipt("DOCK", 3, ""))}});
    CHECK(std::get<protocol::Error>(pushed).code == "unknown_session");
    CHECK(s.head() == head);
    CHECK(s.onHand("SKU-A", "DOCK") == 0);

    // A new Hello issues a session that works.
    const auto again = std::get<protocol::HelloAck>(applier.hello({1, "HH-01", 1, *token}));
    const auto applied = std::get<protocol::PushAck>(applier.push({protocol::Session{again.sessionId}, {op(1, 1, "receive", receipt("DOCK", 3, ""))}}));
    REQUIRE(applied.results.size() == 1);
    CHECK(applied.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-A", "DOCK") == 3);
}

TEST_CASE("enrolment and sign-in: a one-time token opens epoch 1 and becomes the device secret")
{
    Server s;
    auto token = enrolDevice(*s.store, "HH-01");
    REQUIRE(token);
    CHECK(token->size() == 64);
    CHECK(enrolDevice(*s.store, "HH 01").error().code == "bad_device_id");

    auto first = s.applier->hello({1, "HH-01", 0, *token});
    REQUIRE(std::holds_alternative<protocol::HelloAck>(first));
    const auto& ack = std::get<protocol::HelloAck>(first);
    CHECK(ack.epoch == 1);
    CHECK(ack.protocolVersion == 1);
    CHECK(ack.headCursor == s.head());
    CHECK(ack.sessionId.size() == 64);

    // The enrolment token is used up; as the device secret it signs in under epoch 1 only.
    CHECK(std::get<protocol::Error>(s.applier->hello({1, "HH-01", 0, *token})).code == "bad_credentials");
    CHECK(std::holds_alternative<protocol::HelloAck>(s.applier->hello({1, "HH-01", 1, *token})));
    CHECK(std::get<protocol::Error>(s.applier->hello({1, "HH-01", 1, std::string(64, 'a')})).code == "bad_credentials");
    CHECK(std::get<protocol::Error>(s.applier->hello({1, "HH-01", 2, *token})).code == "stale_epoch");
    CHECK(std::get<protocol::Error>(s.applier->hello({1, "HH-09", 0, *token})).code == "not_enrolled");

    // A session id authenticates a pull; an unknown one is refused.
    auto pulled = s.applier->pull({protocol::Session{ack.sessionId}, 0, 2, 0});
    REQUIRE(std::holds_alternative<protocol::Changes>(pulled));
    CHECK(std::get<protocol::Changes>(pulled).entries.size() == 2);
    CHECK(std::get<protocol::Error>(s.applier->pull({protocol::Session{std::string(64, 'f')}, 0, 2, 0})).code ==
          "unknown_session");

    // Enrolling again opens epoch 2: the old epoch's secret is refused from then on.
    auto again = enrolDevice(*s.store, "HH-01");
    REQUIRE(again);
    auto second = s.applier->hello({1, "HH-01", 0, *again});
    REQUIRE(std::holds_alternative<protocol::HelloAck>(second));
    CHECK(std::get<protocol::HelloAck>(second).epoch == 2);
    CHECK(std::get<protocol::Error>(s.applier->hello({1, "HH-01", 1, *token})).code == "stale_epoch");
    CHECK(std::get<protocol::Error>(s.applier->pull({protocol::Session{ack.sessionId}, 0, 2, 0})).code == "stale_epoch");

    // Revoked: refused until the device uses a new enrolment token; issuing one does not
    // bring the old secret back.
    REQUIRE(revokeDevice(*s.store, "HH-01"));
    CHECK(std::get<protocol::Error>(s.applier->hello({1, "HH-01", 2, *again})).code == "revoked");
    auto third = enrolDevice(*s.store, "HH-01");
    REQUIRE(third);
    CHECK(std::get<protocol::Error>(s.applier->hello({1, "HH-01", 2, *again})).code == "revoked");
    CHECK(std::get<protocol::Error>(s.applier->push({protocol::Credentials{"HH-01", 2, *again}, {}})).code == "revoked");
    auto back = s.applier->hello({1, "HH-01", 0, *third});
    REQUIRE(std::holds_alternative<protocol::HelloAck>(back));
    CHECK(std::get<protocol::HelloAck>(back).epoch == 3);
    CHECK(revokeDevice(*s.store, "HH-77").error().code == "unknown_device");
    CHECK(addDevice(*s.store, "HH-01").error().code == "device_exists");
}

TEST_CASE("sessions: a device keeps its latest 32; an older one is unknown_session, another device's stay")
{
    Server s;
    auto tokenA = enrolDevice(*s.store, "HH-01");
    auto tokenB = enrolDevice(*s.store, "HH-02");
    REQUIRE(tokenA);
    REQUIRE(tokenB);
    auto sessionOf = [&](const std::string& device, int64_t epoch, const std::string& token) {
        auto ack = s.applier->hello({1, device, epoch, token});
        REQUIRE(std::holds_alternative<protocol::HelloAck>(ack));
        return std::get<protocol::HelloAck>(ack).sessionId;
    };
    auto pulls = [&](const std::string& session) {
        auto pulled = s.applier->pull({protocol::Session{session}, 0, 1, 0});
        if (const auto* e = std::get_if<protocol::Error>(&pulled)) return e->code;
        return std::string("ok");
    };
    std::vector<std::string> a{sessionOf("HH-01", 0, *tokenA)};
    const std::string b = sessionOf("HH-02", 0, *tokenB);
    for (int i = 1; i < 32; ++i) a.push_back(sessionOf("HH-01", 1, *tokenA));
    // 32 sessions: all of them work.
    CHECK(pulls(a.front()) == "ok");
    CHECK(pulls(a.back()) == "ok");
    // The 33rd forgets the first (issued first), and only it.
    a.push_back(sessionOf("HH-01", 1, *tokenA));
    CHECK(pulls(a[0]) == "unknown_session");
    CHECK(pulls(a[1]) == "ok");
    CHECK(pulls(a.back()) == "ok");
    for (int i = 0; i < 10; ++i) a.push_back(sessionOf("HH-01", 1, *tokenA));
    CHECK(pulls(a[10]) == "unknown_session");
    CHECK(pulls(a[11]) == "ok");
    CHECK(pulls(b) == "ok"); // another device's session is not counted against HH-01's
}

TEST_CASE("receive: claims honoured in full, the log entry exact, a duplicate returns the stored result and changes nothing")
{
    Server s;
    auto hh = s.enrol("HH-01");
    const int64_t before = s.head();
    auto ack = s.push(hh, {op(1, 1, "receive", receipt("DOCK", 6, R"({"order_id":"SO-1","line":1,"qty":5},{"order_id":"SO-2","line":1,"qty":1})"))});
    REQUIRE(ack.results.size() == 1);
    const auto& r = ack.results[0];
    CHECK(r.status == OpStatus::Applied);
    CHECK(r.code == "");
    CHECK(r.globalSeq == before + 1);
    CHECK(ack.headCursor == before + 1);
    CHECK(ack.expectedSeq == 0);
    CHECK(r.result ==
          R"({"allocations":[{"order_id":"SO-1","line":1,"qty":5,"claimed":true},{"order_id":"SO-2","line":1,"qty":1,"claimed":true}],"releases":[],"corrections":[]})");
    CHECK(s.lastEntry() ==
          R"({"op_id":"00000000-0000-4000-8000-000000000001","device":"HH-01","device_seq":1,"location":"DOCK","lines":[{"sku":"SKU-A","qty":6,"lot":"","sscc":"","over_receipt":6}],"allocations":[{"order_id":"SO-1","line":1,"qty":5,"claimed":true},{"order_id":"SO-2","line":1,"qty":1,"claimed":true}],"releases":[]})");
    CHECK(s.store->entriesAfter(before, 10)->at(0).kind == "receive");
    CHECK(s.onHand("SKU-A", "DOCK") == 6);
    CHECK(s.line("SO-1").allocated == 5);
    CHECK(s.line("SO-2").allocated == 1);

    // The same op again (a lost reply, retried): the stored result, nothing applied twice.
    auto again = s.push(hh, {op(1, 1, "receive", receipt("DOCK", 6, ""))});
    REQUIRE(again.results.size() == 1);
    CHECK(again.results[0].status == OpStatus::Duplicate);
    CHECK(again.results[0].globalSeq == r.globalSeq);
    CHECK(again.results[0].result == r.result);
    CHECK(s.head() == before + 1);
    CHECK(s.onHand("SKU-A", "DOCK") == 6);
    CHECK(s.line("SO-1").allocated == 5);
}

TEST_CASE("push order: a gap answers expected_seq and stops; a reused seq is refused; bad credentials apply nothing")
{
    Server s;
    auto hh = s.enrol("HH-01");
    const int64_t before = s.head();
    auto ack = s.push(hh, {op(1, 1, "receive", receipt("DOCK", 1, "")), op(3, 3, "receive", receipt("DOCK", 1, "")),
                           op(4, 4, "receive", receipt("DOCK", 1, ""))});
    REQUIRE(ack.results.size() == 2);
    CHECK(ack.results[0].status == OpStatus::Applied);
    CHECK(ack.results[1].status == OpStatus::Rejected);
    CHECK(ack.results[1].code == "expected_seq");
    CHECK(ack.results[1].message == "expected device_seq 2, got 3: send the missing ops first");
    CHECK(ack.results[1].globalSeq == 0);
    CHECK(ack.expectedSeq == 2);
    CHECK(s.head() == before + 1);
    CHECK(*s.store->lastDeviceSeq("HH-01", 1) == 1);
    CHECK(s.onHand("SKU-A", "DOCK") == 1);

    // Another op_id under a device_seq already used: a restored or cloned database.
    auto reused = s.push(hh, {op(9, 1, "receive", receipt("DOCK", 1, ""))});
    REQUIRE(reused.results.size() == 1);
    CHECK(reused.results[0].code == "seq_reused");
    CHECK(s.onHand("SKU-A", "DOCK") == 1);

    // Wrong token, unknown device: an Error, and nothing of the push is applied.
    for (const auto& who : {protocol::Credentials{"HH-01", 1, std::string(64, '0')}, protocol::Credentials{"HH-77", 1, hh.token},
                            protocol::Credentials{"HH-01", 2, hh.token}}) {
        auto reply = s.applier->push({who, {op(2, 2, "receive", receipt("DOCK", 1, ""))}});
        REQUIRE(std::holds_alternative<protocol::Error>(reply));
        CHECK(std::get<protocol::Error>(reply).code == (who.deviceId == "HH-77" ? "not_enrolled" : who.epoch == 2 ? "stale_epoch" : "bad_credentials"));
    }
    CHECK(s.head() == before + 1);
    CHECK(!*s.store->appliedOp(uuid(2)));
    CHECK(s.onHand("SKU-A", "DOCK") == 1);
}

TEST_CASE("claims: honoured while the line needs them and free stock allows, else cut with a correction; the rest by the rule")
{
    Server s;
    auto a = s.enrol("HH-01");
    auto b = s.enrol("HH-02");
    // Offline, A received 5 and claimed SO-1 (priority 1, needs 5).
    CHECK(s.push(a, {op(1, 1, "receive", receipt("DOCK", 5, R"({"order_id":"SO-1","line":1,"qty":5})"))}).results[0].status ==
          OpStatus::Applied);
    // B claimed 2 for SO-2 on a receipt of 1 (it believed one more unit free): cut to 1.
    auto partial = s.push(b, {op(2, 1, "receive", receipt("DOCK", 1, R"({"order_id":"SO-2","line":1,"qty":2})"))});
    CHECK(partial.results[0].result ==
          R"({"allocations":[{"order_id":"SO-2","line":1,"qty":1,"claimed":true}],"releases":[],"corrections":[{"order_id":"SO-2","line":1,"sku":"SKU-A","old_qty":2,"new_qty":1,"message":"SO-2 line 1: 2 units of SKU-A were allocated here, the server allocated 1 (the server had only 1 free units): take 1 units back to stock"}]})");
    // B also received 5 and claimed SO-1, which A's claim filled first: cut to 0, naming A,
    // and the 5 units go by the rule (SO-2 needs 3; 2 stay free).
    const int64_t before = s.head();
    auto ack = s.push(b, {op(3, 2, "receive", receipt("DOCK", 5, R"({"order_id":"SO-1","line":1,"qty":5})"))});
    REQUIRE(ack.results.size() == 1);
    CHECK(ack.results[0].status == OpStatus::Applied);
    const std::string message =
        "SO-1 line 1 was filled by HH-01: 5 units of SKU-A were allocated here, the server allocated 0 (the line needed no "
        "more units): take 5 units back to stock";
    CHECK(ack.results[0].result ==
          R"({"allocations":[{"order_id":"SO-2","line":1,"qty":3,"claimed":false}],"releases":[],"corrections":[{"order_id":"SO-1","line":1,"sku":"SKU-A","old_qty":5,"new_qty":0,"filled_by":"HH-01","message":")" +
              message + R"("}]})");
    auto entries = *s.store->entriesAfter(before, 10);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].kind == "receive");
    CHECK(entries[1].kind == "correction");
    CHECK(entries[1].payload ==
          R"({"op_id":"00000000-0000-4000-8000-000000000003","device":"HH-02","device_seq":2,"order_id":"SO-1","line":1,"sku":"SKU-A","old_qty":5,"new_qty":0,"filled_by":"HH-01","message":")" +
              message + R"("})");
    CHECK(s.line("SO-1").allocated == 5);
    CHECK(s.line("SO-2").allocated == 4);
    CHECK(s.onHand("SKU-A", "DOCK") == 11);
    // Never more allocated than on hand or than ordered (P3).
    CHECK(s.line("SO-1").allocated + s.line("SO-2").allocated <= *s.store->allocatableOnHand("SKU-A"));
}

namespace {

// filledBy reads who filled order line `order`/1 ("" for none: the server's own or nobody).
std::string filledBy(Server& s, const std::string& order)
{
    auto by = s.store->filledBy(order, 1);
    REQUIRE(by);
    return by->value_or("");
}

// fillInTurns runs the pushes of "a cut claim names the device that filled its line": claims
// of HH-01 and HH-02 on lines the other (or the server's import) filled first. Returns
// HH-01's credentials.
protocol::Credentials fillInTurns(Server& s)
{
    auto a = s.enrol("HH-01");
    auto b = s.enrol("HH-02");
    // A fills 3 of SO-1's 5.
    s.push(a, {op(1, 1, "receive", receipt("DOCK", 3, R"({"order_id":"SO-1","line":1,"qty":3})"))});
    CHECK(filledBy(s, "SO-1") == "HH-01");
    CHECK(filledBy(s, "SO-2") == "");
    // B claims all 5 for SO-1: 2 granted, 3 cut, A named ("partly": some was granted). The
    // rule gives B's other 3 units to SO-2: B filled both lines last.
    auto partly = s.push(b, {op(2, 1, "receive", receipt("DOCK", 5, R"({"order_id":"SO-1","line":1,"qty":5})"))});
    CHECK(partly.results[0].result ==
          R"({"allocations":[{"order_id":"SO-1","line":1,"qty":2,"claimed":true},{"order_id":"SO-2","line":1,"qty":3,"claimed":false}],"releases":[],"corrections":[{"order_id":"SO-1","line":1,"sku":"SKU-A","old_qty":5,"new_qty":2,"filled_by":"HH-01","message":"SO-1 line 1 was partly filled by HH-01: 5 units of SKU-A were allocated here, the server allocated 2 (the line needed only 2 more): take 3 units back to stock"}]})");
    CHECK(filledBy(s, "SO-1") == "HH-02");
    CHECK(filledBy(s, "SO-2") == "HH-02");
    // A claims SO-1 again: full, B filled it last. The rule gives the unit to SO-2 (now A's).
    auto full = s.push(a, {op(3, 2, "receive", receipt("DOCK", 1, R"({"order_id":"SO-1","line":1,"qty":1})"))});
    CHECK(full.results[0].result ==
          R"({"allocations":[{"order_id":"SO-2","line":1,"qty":1,"claimed":false}],"releases":[],"corrections":[{"order_id":"SO-1","line":1,"sku":"SKU-A","old_qty":1,"new_qty":0,"filled_by":"HH-02","message":"SO-1 line 1 was filled by HH-02: 1 units of SKU-A were allocated here, the server allocated 0 (the line needed no more units): take 1 units back to stock"}]})");
    CHECK(filledBy(s, "SO-2") == "HH-01");
    CHECK(s.line("SO-1").allocated == 5);
    CHECK(s.line("SO-2").allocated == 4);
    // A claims SO-2, which its own op filled last: no device named (the operator's own
    // terminal), the message as before.
    auto own = s.push(a, {op(4, 3, "receive", receipt("DOCK", 1, R"({"order_id":"SO-2","line":1,"qty":1})"))});
    CHECK(own.results[0].result ==
          R"({"allocations":[],"releases":[],"corrections":[{"order_id":"SO-2","line":1,"sku":"SKU-A","old_qty":1,"new_qty":0,"message":"SO-2 line 1: 1 units of SKU-A were allocated here, the server allocated 0 (the line needed no more units): take 1 units back to stock"}]})");
    // An import's settle gives the free unit to the new SO-3: the server's own, nobody named.
    REQUIRE(importBackorders(*s.store, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,priority,ordered_at\n"
                                                                   "SO-3,1,Cid,SKU-A,2,0,2026-01-03\n"))
                ->imported == 1);
    CHECK(s.line("SO-3").allocated == 1);
    CHECK(filledBy(s, "SO-3") == "");
    auto server = s.push(b, {op(5, 2, "receive", receipt("DOCK", 1, R"({"order_id":"SO-3","line":1,"qty":2})"))});
    CHECK(server.results[0].result ==
          R"({"allocations":[{"order_id":"SO-3","line":1,"qty":1,"claimed":true}],"releases":[],"corrections":[{"order_id":"SO-3","line":1,"sku":"SKU-A","old_qty":2,"new_qty":1,"message":"SO-3 line 1: 2 units of SKU-A were allocated here, the server allocated 1 (the line needed only 1 more): take 1 units back to stock"}]})");
    CHECK(filledBy(s, "SO-3") == "HH-02");
    // Free units again, and an import's line takes one: the server filled SO-4 last.
    s.push(a, {op(6, 4, "receive", receipt("DOCK", 2, ""))});
    REQUIRE(importBackorders(*s.store, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,priority,ordered_at\n"
                                                                   "SO-4,1,Dee,SKU-A,1,0,2026-01-04\n"))
                ->imported == 1);
    CHECK(s.line("SO-4").allocated == 1);
    CHECK(filledBy(s, "SO-4") == "");
    return a;
}

} // namespace

TEST_CASE("a cut claim names the device that filled its line last: another terminal's, never its own or the server's")
{
    Server s;
    const auto a = fillInTurns(s);
    // Cut for want of free stock (the units went to other lines), or on a line the server
    // does not have: nobody is named, though HH-01 filled SO-5 last.
    REQUIRE(importBackorders(*s.store, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,priority,ordered_at\n"
                                                                   "SO-5,1,Eve,SKU-A,5,0,2026-01-05\n"))
                ->imported == 1);
    CHECK(s.line("SO-5").allocated == 1);
    s.push(a, {op(7, 5, "receive", receipt("DOCK", 1, R"({"order_id":"SO-5","line":1,"qty":1})"))});
    CHECK(filledBy(s, "SO-5") == "HH-01");
    auto c = s.enrol("HH-03");
    auto shortOf = s.push(c, {op(8, 1, "receive", receipt("DOCK", 1, R"({"order_id":"SO-5","line":1,"qty":3},{"order_id":"SO-9","line":1,"qty":1})"))});
    CHECK(shortOf.results[0].result ==
          R"({"allocations":[{"order_id":"SO-5","line":1,"qty":1,"claimed":true}],"releases":[],"corrections":[{"order_id":"SO-5","line":1,"sku":"SKU-A","old_qty":3,"new_qty":1,"message":"SO-5 line 1: 3 units of SKU-A were allocated here, the server allocated 1 (the server had only 1 free units): take 2 units back to stock"},{"order_id":"SO-9","line":1,"sku":"SKU-A","old_qty":1,"new_qty":0,"message":"SO-9 line 1: 1 units of SKU-A were allocated here, the server allocated 0 (the line waits for nothing at the server): take 1 units back to stock"}]})");
    CHECK(filledBy(s, "SO-5") == "HH-03");
}

TEST_CASE("migration 6 fills order_lines.filled_by from the log as it stands")
{
    Server s;
    fillInTurns(s);
    auto rows = [&] {
        std::vector<std::string> out;
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open_v2((s.dir / "server.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
        sqlite3_stmt* q = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, "SELECT order_id || '/' || line || ' ' || coalesce(filled_by, 'NULL') FROM order_lines ORDER BY order_id, line",
                                   -1, &q, nullptr) == SQLITE_OK);
        while (sqlite3_step(q) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
        sqlite3_finalize(q);
        sqlite3_close(db);
        return out;
    };
    const std::vector<std::string> expected{"SO-1/1 HH-02", "SO-2/1 HH-01", "SO-3/1 HH-02", "SO-4/1 NULL"};
    CHECK(rows() == expected);
    // Back to schema 5 without the column (nor migration 7's): opening runs migration 6, which reads the log.
    s.applier.reset();
    s.store.reset();
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((s.dir / "server.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "ALTER TABLE sessions DROP COLUMN issued_at; DROP TABLE order_stages; DROP TABLE lots; ALTER TABLE order_lines DROP COLUMN filled_by; DROP INDEX locations_gln; ALTER TABLE locations DROP COLUMN gln; "
                             "ALTER TABLE locations DROP COLUMN gln_ext; PRAGMA user_version = 5;", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    auto reopened = SqliteServerStore::open((s.dir / "server.db").string());
    REQUIRE(reopened);
    s.store = std::move(*reopened);
    CHECK(rows() == expected);
    CHECK(*s.store->filledBy("SO-1", 1) == std::optional<std::string>("HH-02"));
    CHECK(*s.store->filledBy("SO-4", 1) == std::nullopt);
    CHECK(*s.store->filledBy("SO-9", 1) == std::nullopt);
}

TEST_CASE("a second receipt of one SSCC is flagged: applied once, no stock effect, an exception, its claims cut")
{
    Server s;
    auto a = s.enrol("HH-01");
    auto b = s.enrol("HH-02");
    const std::string pallet = sscc(1);
    auto first = s.push(a, {op(1, 1, "receive", receipt("DOCK", 6, R"({"order_id":"SO-1","line":1,"qty":5},{"order_id":"SO-2","line":1,"qty":1})", pallet))});
    CHECK(first.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-A", "DOCK") == 6);
    auto second = s.push(b, {op(2, 1, "receive", receipt("DOCK", 6, R"({"order_id":"SO-2","line":1,"qty":4})", pallet))});
    REQUIRE(second.results.size() == 1);
    const auto& r = second.results[0];
    CHECK(r.status == OpStatus::Flagged);
    CHECK(r.code == "sscc_received");
    CHECK(r.message == "pallet SSCC " + pallet + " was already received: this receipt has no stock effect; put the pallet aside for a person");
    CHECK(r.globalSeq > first.results[0].globalSeq);
    CHECK(s.onHand("SKU-A", "DOCK") == 6);
    CHECK(s.line("SO-2").allocated == 1);
    auto exceptions = *s.store->exceptions();
    REQUIRE(exceptions.size() == 1);
    CHECK(exceptions[0].code == "sscc_received");
    CHECK(exceptions[0].deviceId == "HH-02");
    CHECK(exceptions[0].opId == uuid(2));
    auto entries = *s.store->entriesAfter(first.results[0].globalSeq, 10);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].payload ==
          R"({"op_id":"00000000-0000-4000-8000-000000000002","device":"HH-02","device_seq":1,"location":"DOCK","exception":1,"lines":[],"allocations":[],"releases":[]})");
    CHECK(entries[1].kind == "correction");
    // Sent again, the flagged op is a duplicate with its stored result.
    auto dup = s.push(b, {op(2, 1, "receive", receipt("DOCK", 6, "", pallet))});
    CHECK(dup.results[0].status == OpStatus::Duplicate);
    CHECK(dup.results[0].code == "sscc_received");
    CHECK(dup.results[0].result == r.result);
    CHECK(s.store->exceptions()->size() == 1);
}

TEST_CASE("move and pick: stock moves, quarantine releases last served first, a pick takes the allocation, shortfalls flagged")
{
    Server s;
    auto hh = s.enrol("HH-01");
    s.push(hh, {op(1, 1, "receive", receipt("DOCK", 9, R"({"order_id":"SO-1","line":1,"qty":5},{"order_id":"SO-2","line":1,"qty":4})"))});
    // 3 units into quarantine: 6 allocatable for 9 allocated; SO-2 (served last) gives 3 back,
    // as the terminal's book did (releases that differ: apply_releases_test).
    auto moved = s.push(hh, {op(2, 2, "move", R"({"scan":"","from":"DOCK","to":"Q","sku":"SKU-A","qty":3,"lot":"","lots":[{"lot":"","qty":3}],"released":[{"order_id":"SO-2","line":1,"qty":3}],"claims":[]})")});
    CHECK(moved.results[0].status == OpStatus::Applied);
    CHECK(moved.results[0].result ==
          R"({"allocations":[],"releases":[{"order_id":"SO-2","line":1,"qty":3}],"corrections":[]})");
    CHECK(s.onHand("SKU-A", "DOCK") == 6);
    CHECK(s.onHand("SKU-A", "Q") == 3);
    CHECK(s.line("SO-2").allocated == 1);

    auto picked = s.push(hh, {op(3, 3, "pick", R"({"order_id":"SO-1","line":1,"qty":5,"location":"DOCK","lot":"","lots":[{"lot":"","qty":5}]})")});
    CHECK(picked.results[0].status == OpStatus::Applied);
    CHECK(s.line("SO-1").allocated == 0);
    CHECK(s.line("SO-1").picked == 5);
    CHECK(s.onHand("SKU-A", "DOCK") == 1);
    CHECK(s.lastEntry() ==
          R"({"op_id":"00000000-0000-4000-8000-000000000003","device":"HH-01","device_seq":3,"order_id":"SO-1","line":1,"sku":"SKU-A","qty":5,"location":"DOCK","lots":[{"lot":"","qty":5}],"deallocated":5,"allocations":[],"releases":[]})");

    // More than the book holds: applied (a fact), flagged, and SO-2's allocation gives way.
    auto over = s.push(hh, {op(4, 4, "pick", R"({"order_id":"SO-2","line":1,"qty":3,"location":"DOCK","lot":"","lots":[{"lot":"","qty":3}]})")});
    CHECK(over.results[0].status == OpStatus::Flagged);
    CHECK(over.results[0].code == "negative_stock");
    CHECK(over.results[0].message == "3 units of SKU-A left DOCK where the server's book held 1: count the location");
    CHECK(s.onHand("SKU-A", "DOCK") == -2);
    CHECK(s.line("SO-2").picked == 3);
    CHECK(s.line("SO-2").allocated == 0);
}

TEST_CASE("short and counts: missing units held and deallocated, a count's variance on top of the book clears the hold")
{
    Server s;
    auto hh = s.enrol("HH-01");
    s.push(hh, {op(1, 1, "receive", receipt("DOCK", 9, R"({"order_id":"SO-1","line":1,"qty":5},{"order_id":"SO-2","line":1,"qty":4})"))});
    auto shorted = s.push(hh, {op(2, 2, "short", R"({"order_id":"SO-1","line":1,"location":"DOCK","sku":"SKU-A","found":3,"expected":5,"missing":2,"reason":"NOT_FOUND","held":[{"lot":"","qty":2}],"claims":[]})")});
    REQUIRE(shorted.results.size() == 1);
    CHECK(shorted.results[0].status == OpStatus::Applied);
    CHECK(s.line("SO-1").allocated == 3);
    CHECK(*s.store->allocatableOnHand("SKU-A") == 7);
    CHECK(s.lastEntry() ==
          R"({"op_id":"00000000-0000-4000-8000-000000000002","device":"HH-01","device_seq":2,"order_id":"SO-1","line":1,"sku":"SKU-A","location":"DOCK","missing":2,"reason":"NOT_FOUND","held":[{"lot":"","qty":2}],"deallocated":2,"allocations":[],"releases":[]})");

    // Another terminal moved 1 unit in meanwhile; the count (7 counted, 9 in the book at its
    // basis) applies -2 on top of the server's book: 10 - 2 = 8 (P6), and the hold is settled.
    s.push(hh, {op(3, 3, "receive", receipt("DOCK", 1, ""))});
    CHECK(s.line("SO-1").allocated == 4); // the rule gave the new unit to the shorted line
    auto pending = s.push(hh, {op(4, 4, "count", R"({"count_id":1,"state":"pending","sku":"SKU-A","location":"DOCK","lot":"","counted":7,"variance":-2,"claims":[]})")});
    CHECK(pending.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-A", "DOCK") == 10);
    auto approved = s.push(hh, {op(5, 5, "count_approve", R"({"count_id":1,"count_op_id":"00000000-0000-4000-8000-000000000004","sku":"SKU-A","location":"DOCK","lot":"","counted":7,"variance":-2,"reason":"LOST","claims":[]})")});
    CHECK(approved.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-A", "DOCK") == 8);
    CHECK(*s.store->allocatableOnHand("SKU-A") == 8);
    CHECK(s.line("SO-1").allocated == 4);
    CHECK(s.line("SO-2").allocated == 4);
    CHECK(s.lastEntry() ==
          R"({"op_id":"00000000-0000-4000-8000-000000000005","device":"HH-01","device_seq":5,"count_id":1,"state":"applied","sku":"SKU-A","location":"DOCK","lot":"","counted":7,"variance":-2,"count_op_id":"00000000-0000-4000-8000-000000000004","reason":"LOST","adjusted":-2,"holds_cleared":2,"allocations":[],"releases":[]})");
    auto dropped = s.push(hh, {op(6, 6, "count_reject", R"({"count_id":2,"count_op_id":"00000000-0000-4000-8000-000000000009","note":"miscount"})")});
    CHECK(dropped.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-A", "DOCK") == 8);
    // A count below what the book holds now never takes the location below 0.
    s.push(hh, {op(7, 7, "count", R"({"count_id":3,"state":"applied","sku":"SKU-A","location":"DOCK","lot":"","counted":0,"variance":-20,"claims":[]})")});
    CHECK(s.onHand("SKU-A", "DOCK") == 0);
    CHECK(s.line("SO-1").allocated + s.line("SO-2").allocated == 0); // released, last served first
}

TEST_CASE("refusals: bad payloads are recorded as rejected, kinds not applied yet stop the push unrecorded")
{
    Server s;
    auto hh = s.enrol("HH-01");
    const int64_t head = *s.store->headSeq();
    auto ack = s.push(hh, {op(1, 1, "receive", R"({"location":"DOCK","lines":[{"sku":"SKU-A","qty":0}]})"),
                           op(2, 2, "receive", R"({"location":"DOCK","lines":[{"sku":"SKU-Z","qty":1}]})"),
                           op(3, 3, "receive", R"({"location":"NOWHERE","lines":[{"sku":"SKU-A","qty":1}]})"),
                           op(4, 4, "pick", "not json"), op(5, 5, "teleport", R"({"op_id":"x"})"),
                           op(6, 6, "receive", receipt("DOCK", 1, ""))});
    REQUIRE(ack.results.size() == 5);
    CHECK(ack.results[0].code == "bad_payload");
    CHECK(ack.results[0].message == "receive: lines[0].qty: 0, must be at least 1");
    CHECK(ack.results[1].code == "unknown_sku");
    CHECK(ack.results[2].code == "unknown_location");
    CHECK(ack.results[3].code == "bad_payload");
    CHECK(ack.results[4].status == OpStatus::Rejected);
    CHECK(ack.results[4].code == "unknown_op");
    for (const auto& r : ack.results) CHECK(r.status == OpStatus::Rejected);
    CHECK(*s.store->lastDeviceSeq("HH-01", 1) == 4); // the unknown op waits in the terminal's outbox
    CHECK(!*s.store->appliedOp(uuid(5)));
    CHECK(s.onHand("SKU-A", "DOCK") == 0);
    // Receipts refuse before writing and run without a savepoint (Ops.h,
    // refusesBeforeWriting): the refused ones wrote no entry; the push stopped before op 6.
    CHECK(refusesBeforeWriting("receive"));
    CHECK(!refusesBeforeWriting("count"));
    CHECK(*s.store->headSeq() == head);
    // A receipt nobody waits for (SKU-B): its result is exactly the empty one (written as
    // text, Ops.cpp finishText).
    auto plain = s.push(hh, {op(6, 5, "receive", R"({"location":"DOCK","lines":[{"sku":"SKU-B","qty":2}]})")});
    REQUIRE(plain.results.size() == 1);
    CHECK(plain.results[0].status == OpStatus::Applied);
    CHECK(plain.results[0].result == R"({"allocations":[],"releases":[],"corrections":[]})");
    CHECK(*s.store->headSeq() == head + 1);
    CHECK(s.onHand("SKU-B", "DOCK") == 2);
}

TEST_CASE("what a push remembers of products and locations does not hide an import between two pushes")
{
    Server s;
    auto hh = s.enrol("HH-01");
    const std::string newSku = R"({"location":"DOCK","lines":[{"sku":"SKU-N","qty":1}]})";
    const std::string newPlace = R"({"location":"B-9","lines":[{"sku":"SKU-B","qty":1}]})";
    // Refused ops are recorded, each with its own message (the second location's from the
    // slice's memo, MasterMemo; the store remembers only products it found: its reads are
    // not observable here, its answers are).
    auto first = s.push(hh, {op(1, 1, "receive", newSku), op(2, 2, "receive", newPlace), op(3, 3, "receive", newSku),
                             op(4, 4, "receive", newPlace)});
    REQUIRE(first.results.size() == 4);
    for (int i : {0, 2}) CHECK(first.results[i].message == "receive: sku 'SKU-N' is not in the server's catalog");
    for (int i : {1, 3}) CHECK(first.results[i].message == "receive: location 'B-9' is not in the server's locations");
    REQUIRE(importCatalog(*s.store, ledger::parseCatalogCsv("sku,description\nSKU-N,New\n"))->imported == 1);
    REQUIRE(importLocations(*s.store, ledger::parseLocationsCsv("code,kind,sequence\nB-9,storage,9\n"))->imported == 1);
    auto second = s.push(hh, {op(5, 5, "receive", newSku), op(6, 6, "receive", newPlace)});
    REQUIRE(second.results.size() == 2);
    for (const auto& r : second.results) CHECK(r.status == OpStatus::Applied);
    CHECK(s.onHand("SKU-N", "DOCK") == 1);
    CHECK(s.onHand("SKU-B", "B-9") == 1);
}

TEST_CASE("the store remembers products it found, and forgets them when a transaction or savepoint rolls back")
{
    Server s;
    const ledger::Product made{"SKU-R", "Rolled back", std::nullopt, std::nullopt, 0, 0, 0};
    for (bool inSavepoint : {false, true}) {
        CAPTURE(inSavepoint);
        auto saveAndFind = [&]() -> ledger::Result<void> {
            REQUIRE(s.store->saveProduct(made));
            CHECK(*s.store->hasProduct("SKU-R")); // found, and remembered
            return ledger::fail("test_abort", "rolled back on purpose");
        };
        auto done = s.store->transact("a failing import", [&]() -> ledger::Result<void> {
            if (!inSavepoint) return saveAndFind();
            auto kept = s.store->savepoint([&]() -> ledger::Result<bool> {
                if (auto r = saveAndFind(); !r) return ledger::unexpected(r.error());
                return true;
            });
            REQUIRE(!kept);
            CHECK(kept.error().code == "test_abort");
            CHECK(!*s.store->hasProduct("SKU-R")); // rolled back to the savepoint: gone
            return {};
        });
        if (!inSavepoint) {
            REQUIRE(!done);
            CHECK(done.error().code == "test_abort");
        }
        CHECK(!*s.store->hasProduct("SKU-R"));
    }
    // Committed, it stays found, from memory: deleted behind the store's back (no process of
    // ours deletes a product), it is still found; a connection that never found it reads the
    // file and does not find it.
    REQUIRE(s.store->transact("an import", [&]() -> ledger::Result<void> { return s.store->saveProduct(made); }));
    CHECK(*s.store->hasProduct("SKU-R"));
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2((s.dir / "server.db").c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    CHECK(sqlite3_exec(raw, "DELETE FROM products WHERE sku = 'SKU-R'", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    CHECK(*s.store->hasProduct("SKU-R"));
    auto fresh = SqliteServerStore::open((s.dir / "server.db").string());
    REQUIRE(fresh);
    CHECK(!*(*fresh)->hasProduct("SKU-R"));
    CHECK(*s.store->hasProduct("SKU-A"));
    CHECK(!*s.store->hasProduct("SKU-NONE"));
}

TEST_CASE("what the writer remembers of products no order or inbound line waits for does not hide an import, on another connection or its own")
{
    Server s;
    auto hh = s.enrol("HH-01");
    auto gadgets = [](Qty qty, const std::string& pallet) {
        return R"({"scan":"x","location":"DOCK","lines":[{"sku":"SKU-B","qty":)" + std::to_string(qty) + R"(,"lot":"","sscc":")" + pallet +
               R"(","claims":[]}]})";
    };
    // Nothing waits for SKU-B and none is expected: the second receipt is answered from memory
    // (not observable here: the memory's own behaviour is product_memory_test's).
    auto first = s.push(hh, {op(1, 1, "receive", gadgets(1, "")), op(2, 2, "receive", gadgets(1, ""))});
    REQUIRE(first.results.size() == 2);
    CHECK(first.results[1].result == R"({"allocations":[],"releases":[],"corrections":[]})");
    CHECK(s.lastEntry().find(R"("over_receipt":1)") != std::string::npos);

    // `backfilld import backorders` in another process: another connection commits a line for
    // SKU-B (and allocates it the 2 free units).
    auto other = SqliteServerStore::open((s.dir / "server.db").string());
    REQUIRE(other);
    REQUIRE(importBackorders(**other, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,priority,ordered_at\n"
                                                                 "SO-9,1,Cy,SKU-B,5,0,2026-01-03\n"))
                ->imported == 1);
    CHECK(s.line("SO-9").allocated == 2);
    auto second = s.push(hh, {op(3, 3, "receive", gadgets(1, ""))});
    REQUIRE(second.results.size() == 1);
    CHECK(second.results[0].result == R"({"allocations":[{"order_id":"SO-9","line":1,"qty":1,"claimed":false}],"releases":[],"corrections":[]})");
    CHECK(s.line("SO-9").allocated == 3);

    // An ASN imported on the writer's own connection: the next pallet of SKU-B is expected.
    REQUIRE(importInbound(*s.store, ledger::parseInboundCsv("inbound_id,supplier,sku,qty,eta,sscc\nASN-9,Acme,SKU-B,2,2026-02-01," +
                                                            sscc(9) + "\n"))
                ->imported == 1);
    s.push(hh, {op(4, 4, "receive", gadgets(2, sscc(9)))});
    CHECK(s.lastEntry() ==
          R"({"op_id":"00000000-0000-4000-8000-000000000004","device":"HH-01","device_seq":4,"location":"DOCK","lines":[{"sku":"SKU-B","qty":2,"lot":"","sscc":")" +
              sscc(9) + R"(","over_receipt":0}],"allocations":[{"order_id":"SO-9","line":1,"qty":2,"claimed":false}],"releases":[]})");
    CHECK(s.line("SO-9").allocated == 5);
}

TEST_CASE("undo: the server reverses its own receipt (stock, its allocations, inbound, SSCC); a second undo is already_undone")
{
    Server s;
    auto hh = s.enrol("HH-01");
    auto other = s.enrol("HH-02");
    // Claimed SO-1 5 of 6; the server gave the sixth unit to SO-2 by the rule (the terminal's
    // view may differ: the server reverses what it applied, not what the terminal believed).
    s.push(hh, {op(1, 1, "receive", receipt("DOCK", 6, R"({"order_id":"SO-1","line":1,"qty":5})"))});
    CHECK(s.line("SO-1").allocated == 5);
    CHECK(s.line("SO-2").allocated == 1);
    const int64_t before = s.head();
    // The terminal covered SO-2 again from free stock it believed it had: a claim the server
    // cannot grant (nothing is free once the receipt is gone), so it is cut with a correction.
    auto ack = s.push(hh, {op(2, 2, "undo", undo(1, R"({"order_id":"SO-2","line":1,"qty":1})"))});
    REQUIRE(ack.results.size() == 1);
    CHECK(ack.results[0].status == OpStatus::Applied);
    CHECK(ack.results[0].globalSeq == before + 1);
    const std::string message = "SO-2 line 1: 1 units of SKU-A were allocated here, the server allocated 0 (the server had no free "
                                "units left for it): take 1 units back to stock";
    CHECK(ack.results[0].result ==
          R"({"allocations":[],"releases":[],"corrections":[{"order_id":"SO-2","line":1,"sku":"SKU-A","old_qty":1,"new_qty":0,"message":")" +
              message + R"("}]})");
    auto entries = *s.store->entriesAfter(before, 10);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].kind == "undo");
    CHECK(entries[0].payload ==
          R"({"op_id":"00000000-0000-4000-8000-000000000002","device":"HH-01","device_seq":2,"undoes":"00000000-0000-4000-8000-000000000001","location":"DOCK","lines":[{"sku":"SKU-A","qty":6,"lot":"","sscc":"","inbound":0}],"deallocated":[{"order_id":"SO-1","line":1,"qty":5},{"order_id":"SO-2","line":1,"qty":1}],"allocations":[],"releases":[]})");
    CHECK(entries[1].kind == "correction");
    CHECK(s.onHand("SKU-A", "DOCK") == 0);
    CHECK(s.line("SO-1").allocated == 0);
    CHECK(s.line("SO-2").allocated == 0);

    // Undone once: a second undo of it is refused and recorded (sending it again cannot help).
    auto again = s.push(hh, {op(3, 3, "undo", undo(1))});
    CHECK(again.results[0].status == OpStatus::Rejected);
    CHECK(again.results[0].code == "already_undone");
    CHECK(again.results[0].message == "undo: the receipt of 6 SKU-A at DOCK (op 00000000-0000-4000-8000-000000000001) was undone already (log seq " +
                                          std::to_string(before + 1) + ")");
    // Unknown, another device's, or a receipt the server rejected: unknown_receipt.
    s.push(other, {op(10, 1, "receive", receipt("A-1", 2, "")), op(11, 2, "receive", R"({"location":"DOCK","lines":[{"sku":"SKU-Z","qty":1}]})")});
    auto unknown = s.push(hh, {op(4, 4, "undo", undo(99)), op(5, 5, "undo", undo(10))});
    REQUIRE(unknown.results.size() == 2);
    CHECK(unknown.results[0].code == "unknown_receipt");
    CHECK(unknown.results[0].message == "undo: op 00000000-0000-4000-8000-000000000099 is not a receipt of device HH-01 at this server: nothing to undo");
    CHECK(unknown.results[1].code == "unknown_receipt");
    auto rejectedReceipt = s.push(other, {op(12, 3, "undo", undo(11))});
    CHECK(rejectedReceipt.results[0].code == "unknown_receipt");
    CHECK(rejectedReceipt.results[0].message ==
          "undo: the receipt 00000000-0000-4000-8000-000000000011 was rejected here (unknown_sku): the server applied nothing to undo");
    CHECK(*s.store->lastDeviceSeq("HH-01", 1) == 5);
    CHECK(s.onHand("SKU-A", "A-1") == 2);
    const auto bad = s.push(hh, {op(6, 6, "undo", R"({"scan":"x"})")});
    CHECK(bad.results[0].code == "bad_payload");
    CHECK(bad.results[0].message == "undo: undoes: missing");
}

TEST_CASE("undo of a pallet: its inbound lines wait again and the SSCC may be received again")
{
    Server s;
    auto hh = s.enrol("HH-01");
    auto other = s.enrol("HH-02");
    const std::string pallet = sscc(1);
    s.push(hh, {op(1, 1, "receive", receipt("DOCK", 6, R"({"order_id":"SO-1","line":1,"qty":5})", pallet))});
    CHECK(*s.store->ssccReceived(pallet));
    CHECK(s.store->inboundSupply("SKU-A")->empty());
    auto ack = s.push(hh, {op(2, 2, "undo", undo(1))});
    CHECK(ack.results[0].status == OpStatus::Applied);
    CHECK(s.lastEntry() ==
          R"({"op_id":"00000000-0000-4000-8000-000000000002","device":"HH-01","device_seq":2,"undoes":"00000000-0000-4000-8000-000000000001","location":"DOCK","lines":[{"sku":"SKU-A","qty":6,"lot":"","sscc":")" +
              pallet + R"(","inbound":6}],"deallocated":[{"order_id":"SO-1","line":1,"qty":5},{"order_id":"SO-2","line":1,"qty":1}],"allocations":[],"releases":[]})");
    CHECK(!*s.store->ssccReceived(pallet));
    const auto supply = *s.store->inboundSupply("SKU-A");
    REQUIRE(supply.size() == 1);
    CHECK(supply[0].open == 6);
    // Received again on another terminal: applied, not an exception.
    auto again = s.push(other, {op(3, 1, "receive", receipt("DOCK", 6, "", pallet))});
    CHECK(again.results[0].status == OpStatus::Applied);
    CHECK(s.store->exceptions()->empty());
    CHECK(s.onHand("SKU-A", "DOCK") == 6);
}

TEST_CASE("undo_blocked: units picked or moved at the receipt's location since, at the server, or no longer unheld there")
{
    Server s;
    auto hh = s.enrol("HH-01");
    auto other = s.enrol("HH-02");
    s.push(hh, {op(1, 1, "receive", receipt("DOCK", 4, ""))});
    // Another terminal picked 1 at DOCK meanwhile (the first terminal did not know).
    auto picked = s.push(other, {op(2, 1, "pick", R"({"order_id":"SO-1","line":1,"qty":1,"location":"DOCK","lots":[{"lot":"","qty":1}]})")});
    REQUIRE(picked.results[0].status == OpStatus::Applied);
    const int64_t pickSeq = picked.results[0].globalSeq;
    const int64_t before = s.head();
    auto ack = s.push(hh, {op(3, 2, "undo", undo(1))});
    CHECK(ack.results[0].status == OpStatus::Rejected);
    CHECK(ack.results[0].code == "undo_blocked");
    CHECK(ack.results[0].message == "undo: cannot undo the receipt of 4 SKU-A at DOCK (op 00000000-0000-4000-8000-000000000001): SKU-A was picked at DOCK since at the server (log seq " +
                                        std::to_string(pickSeq) + ", device HH-02); correct it with a count");
    CHECK(s.head() == before);
    CHECK(s.onHand("SKU-A", "DOCK") == 3);
    CHECK(*s.store->lastDeviceSeq("HH-01", 1) == 2); // recorded

    // A receipt elsewhere is not blocked by a move out of DOCK.
    s.push(hh, {op(4, 3, "receive", receipt("A-1", 2, ""))});
    s.push(other, {op(5, 2, "move", R"({"from":"DOCK","to":"Q","sku":"SKU-A","lots":[{"lot":"","qty":1}],"claims":[]})")});
    auto free = s.push(hh, {op(6, 4, "undo", undo(4))});
    CHECK(free.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-A", "A-1") == 0);
}

TEST_CASE("user ops from a terminal are refused and recorded: the server is the master for users")
{
    Server s;
    auto hh = s.enrol("HH-01");
    auto ack = s.push(hh, {op(1, 1, "user_add", R"({"name":"rita","role":"receiver","by":"cli"})"),
                           op(2, 2, "user_remove", R"({"name":"rita","by":"cli"})")});
    REQUIRE(ack.results.size() == 2);
    CHECK(ack.results[0].status == OpStatus::Rejected);
    CHECK(ack.results[0].code == "enrolled");
    CHECK(ack.results[0].message ==
          "users are managed at the server (`backfilld user add|remove`): the terminal's change of user 'rita' was not applied");
    CHECK(ack.results[1].code == "enrolled");
    CHECK(*s.store->lastDeviceSeq("HH-01", 1) == 2);
    CHECK(s.store->users()->empty());
}

TEST_CASE("pull: entries after the cursor, at most max_entries, next cursor and more")
{
    Server s;
    auto hh = s.enrol("HH-01");
    const int64_t head = s.head();
    REQUIRE(head == 3 + 2 + 2 + 1); // locations, products, order lines, inbound (nothing to allocate)
    auto first = std::get<protocol::Changes>(s.applier->pull({hh, 0, 4, 0}));
    CHECK(first.entries.size() == 4);
    CHECK(first.entries[0].seq == 1);
    CHECK(first.entries[0].kind == "location");
    CHECK(first.entries[0].payload == R"({"code":"DOCK","kind":"receiving","sequence":1})");
    CHECK(first.nextCursor == 4);
    CHECK(first.more);
    auto rest = std::get<protocol::Changes>(s.applier->pull({hh, 4, 1000, 0}));
    CHECK(rest.entries.size() == static_cast<size_t>(head - 4));
    CHECK(rest.nextCursor == head);
    CHECK(!rest.more);
    auto none = std::get<protocol::Changes>(s.applier->pull({hh, head, 10, 0}));
    CHECK(none.entries.empty());
    CHECK(none.nextCursor == head);
    CHECK(!none.more);
}

TEST_CASE("long-poll pull: waits while nothing is after the cursor, answers when the log grows or the server stops")
{
    Server s;
    auto hh = s.enrol("HH-01");
    const int64_t head = s.head();
    int waits = 0;
    ApplierOptions options;
    options.waitForChange = [&](std::chrono::milliseconds most) {
        CHECK(most.count() <= 250);
        if (++waits == 3) REQUIRE(s.store->transact("a writer", [&]() -> Result<void> {
            auto seq = s.store->appendLog("reason", R"({"code":"X"})");
            if (!seq) return ledger::unexpected(seq.error());
            return {};
        }));
        return true;
    };
    Applier waiting(*s.store, options);
    auto changes = std::get<protocol::Changes>(waiting.pull({hh, head, 10, 30000}));
    CHECK(waits == 3);
    REQUIRE(changes.entries.size() == 1);
    CHECK(changes.entries[0].seq == head + 1);
    CHECK(changes.nextCursor == head + 1);

    // Stopping: answered at once with nothing; without wait_ms, never waits.
    int calls = 0;
    options.waitForChange = [&](std::chrono::milliseconds) { return ++calls, false; };
    Applier stopping(*s.store, options);
    auto none = std::get<protocol::Changes>(stopping.pull({hh, head + 1, 10, 30000}));
    CHECK(none.entries.empty());
    CHECK(calls == 1);
    std::get<protocol::Changes>(stopping.pull({hh, head + 1, 10, 0}));
    CHECK(calls == 1);
}

TEST_CASE("imports: backorders allocate free stock by the rule and a cancel releases, each an allocation entry")
{
    Server s;
    auto hh = s.enrol("HH-01");
    s.push(hh, {op(1, 1, "receive", receipt("DOCK", 3, ""))}); // no claims: the rule gives SO-1 3
    CHECK(s.line("SO-1").allocated == 3);
    const int64_t before = s.head();
    auto report = importBackorders(*s.store, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,priority,ordered_at\n"
                                                                        "SO-1,1,Ann,SKU-A,0,1,2026-01-01\n"));
    REQUIRE(report);
    CHECK(report->imported == 1);
    auto entries = *s.store->entriesAfter(before, 10);
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].kind == "allocation");
    CHECK(entries[0].payload ==
          R"({"sku":"SKU-A","cause":"import","allocations":[],"releases":[{"order_id":"SO-1","line":1,"qty":3}]})");
    CHECK(entries[1].kind == "order_line");
    CHECK(entries[2].payload ==
          R"({"sku":"SKU-A","cause":"import","allocations":[{"order_id":"SO-2","line":1,"qty":3,"claimed":false}],"releases":[]})");
    CHECK(s.line("SO-2").allocated == 3);

    auto bad = importBackorders(*s.store, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,ordered_at\nSO-3,1,Cy,SKU-Q,1,2026-01-01\n"));
    REQUIRE(bad);
    REQUIRE(bad->errors.size() == 1);
    CHECK(bad->errors[0].format("b.csv") == "b.csv:2: column sku: unknown sku 'SKU-Q'");
    CHECK(s.head() == before + 3);
}

TEST_CASE("backorders: states and projected ETAs from the server's lines and open inbound (ledger::projectEtas)")
{
    Server s;
    auto rows = *backorders(*s.store);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].line.orderId == "SO-1");
    CHECK(rows[0].state == ledger::LineState::Backordered); // the pallet's 6 cover SO-1's 5 (priority 1)
    CHECK(ledger::formatDate(*rows[0].eta) == "2026-02-01");
    CHECK(rows[1].state == ledger::LineState::OutOfStock); // 1 left of it for SO-2's 4
    CHECK(!rows[1].eta);
    auto hh = s.enrol("HH-01");
    s.push(hh, {op(1, 1, "receive", receipt("DOCK", 3, ""))}); // loose: the rule gives SO-1 3
    rows = *backorders(*s.store);
    CHECK(rows[0].state == ledger::LineState::PartiallyAllocated);
    CHECK(ledger::formatDate(*rows[0].eta) == "2026-02-01");
    CHECK(rows[1].state == ledger::LineState::Backordered); // 2 + 4 of the pallet's 6
}

TEST_CASE("garbage bytes get an Error with code bad_message and change nothing")
{
    Server s;
    const int64_t before = s.head();
    auto reply = protocol::decode(s.applier->handle("\xff\xfe garbage \x01"));
    REQUIRE(reply);
    REQUIRE(std::holds_alternative<protocol::Error>(*reply));
    CHECK(std::get<protocol::Error>(*reply).code == "bad_message");
    auto asReply = protocol::decode(s.applier->handle(protocol::encode(protocol::Changes{})));
    CHECK(std::get<protocol::Error>(*asReply).code == "unexpected_message");
    CHECK(s.head() == before);
}

TEST_CASE("the file is ours: another application's database is refused untouched")
{
    Server s;
    const auto other = s.dir / "terminal.db";
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(other.string().c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "PRAGMA application_id=1111904324; CREATE TABLE settings(key TEXT);", nullptr, nullptr, nullptr) ==
                SQLITE_OK);
        sqlite3_close(db);
    }
    const auto size = fs::file_size(other);
    auto refused = SqliteServerStore::open(other.string());
    REQUIRE(!refused);
    CHECK(refused.error().code == "not_backfilld_db");
    CHECK(fs::file_size(other) == size);
    CHECK(!fs::exists(other.string() + "-wal"));
}

TEST_CASE("quantities above ledger::kMaxUnits in an op are refused as bad_payload and change nothing")
{
    // A receipt of 9223372036854775807 units was applied: the next receipt's 5 units were lost
    // when the stock cell saturated in SQLite.
    Server s;
    auto hh = s.enrol("HH-01");
    const int64_t head = s.head();
    auto line = [](const std::string& qty, const std::string& claims = "") {
        return R"({"scan":"x","location":"DOCK","lines":[{"sku":"SKU-B","qty":)" + qty + R"(,"lot":"","sscc":"","claims":[)" + claims + "]}]}";
    };
    const std::vector<std::pair<std::string, std::string>> cases{
        {line("9223372036854775807"), "receive: lines[0].qty: 9223372036854775807, must be at most 1000000000"},
        {line("1000000001"), "receive: lines[0].qty: 1000000001, must be at most 1000000000"},
        {line("1", R"({"order_id":"SO-1","line":1,"qty":1000000001})"),
         "receive: lines[0].claims[0].qty: 1000000001, must be at most 1000000000"},
    };
    int n = 1;
    for (const auto& [payload, message] : cases) {
        CAPTURE(message);
        auto ack = s.push(hh, {op(n, n, "receive", payload)});
        REQUIRE(ack.results.size() == 1);
        CHECK(ack.results[0].status == OpStatus::Rejected);
        CHECK(ack.results[0].code == "bad_payload");
        CHECK(ack.results[0].message == message);
        ++n;
    }
    const std::string count = R"({"count_id":1,"state":"applied","sku":"SKU-B","location":"DOCK","lot":"","counted":1000000001,"variance":1000000001,"claims":[]})";
    auto counted = s.push(hh, {op(n, n, "count", count)});
    CHECK(counted.results.at(0).message == "count: counted: 1000000001, must be at most 1000000000");
    CHECK(s.head() == head);
    CHECK(s.onHand("SKU-B", "DOCK") == 0);
    // The bound itself is a quantity like any other.
    auto most = s.push(hh, {op(n + 1, n + 1, "receive", line("1000000000"))});
    CHECK(most.results.at(0).status == OpStatus::Applied);
    CHECK(s.onHand("SKU-B", "DOCK") == 1'000'000'000);
}

TEST_CASE("a receipt allocating to 3,000 lines: its entry reaches every terminal's pull, its result a duplicate's reply")
{
    // The entry names the 3,000 lines (~170 KB). Bounded at 64 KiB like an op's payload, it
    // could not be sent: every Pull failed at it for good ("the server could not encode its
    // reply"), and the terminal's resend of the op got the same failure.
    Server s;
    auto hh = s.enrol("HH-01");
    std::string csv = "order_id,line,customer,sku,qty,priority,ordered_at\n";
    for (int i = 0; i < 3000; ++i) csv += "BIG-" + std::to_string(i) + ",1,Cust,SKU-B,1,0,2026-01-01\n";
    REQUIRE(importBackorders(*s.store, ledger::parseBackordersCsv(csv))->imported == 3000);
    const int64_t before = s.head();
    const protocol::Op receipt = op(1, 1, "receive", R"({"scan":"x","location":"DOCK","lines":[{"sku":"SKU-B","qty":3000,"lot":"","sscc":"","claims":[]}]})");
    auto first = s.push(hh, {receipt});
    REQUIRE(first.results.size() == 1);
    CHECK(first.results[0].status == OpStatus::Applied);
    // The result says how many, the log has them: 500 such results fit in one PushAck.
    CHECK(first.results[0].result == R"({"in_log":{"allocations":3000,"releases":0,"corrections":0}})");
    CHECK(s.line("BIG-2999").allocated == 1);

    const auto pulled = protocol::decode(s.applier->handle(protocol::encode(protocol::Pull{hh, before, 100, 0})));
    REQUIRE(pulled);
    REQUIRE_MESSAGE(std::holds_alternative<protocol::Changes>(*pulled), protocol::messageName(*pulled));
    const auto& changes = std::get<protocol::Changes>(*pulled);
    REQUIRE(changes.entries.size() == 1);
    CHECK(changes.entries[0].kind == "receive");
    CHECK(changes.entries[0].payload.size() > protocol::kMaxPayloadBytes);

    const auto again = protocol::decode(s.applier->handle(protocol::encode(protocol::Push{hh, {receipt}})));
    REQUIRE(again);
    REQUIRE_MESSAGE(std::holds_alternative<protocol::PushAck>(*again), protocol::messageName(*again));
    CHECK(std::get<protocol::PushAck>(*again).results.at(0).status == OpStatus::Duplicate);
    CHECK(std::get<protocol::PushAck>(*again).results.at(0).result == first.results[0].result);
}

TEST_CASE("the store never writes a log entry that no Changes reply could carry")
{
    Server s;
    const int64_t head = s.head();
    const std::string tooBig = "{\"x\":\"" + std::string(protocol::kMaxEntryBytes, 'x') + "\"}";
    auto done = s.store->transact("a test", [&]() -> ledger::Result<void> {
        auto seq = s.store->appendLog("allocation", tooBig);
        if (!seq) return ledger::unexpected(seq.error());
        return {};
    });
    REQUIRE_FALSE(done);
    CHECK(done.error().code == "entry_too_large");
    CHECK(done.error().message == "allocation: the log entry would be " + std::to_string(tooBig.size()) + " bytes, at most " +
                                      std::to_string(protocol::kMaxEntryBytes));
    CHECK(s.head() == head);
}
