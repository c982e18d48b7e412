// sync/server's Applier in process over a real SQLite file: enrolment and sign-in, push
// semantics (dedupe, order, gaps, refused credentials), claims honoured or re-decided, a
// second SSCC flagged, imports' allocations, pull paging, and the exact log entries.

#include "ledger/CheckDigit.h"
#include "protocol/Codec.h"
#include "server/Apply.h"
#include "server/Imports.h"
#include "server/Queries.h"
#include "server/SqliteServerStore.h"
#include "server/WriteQueue.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace backfill;
using namespace backfill::server;
using protocol::OpStatus;
namespace fs = std::filesystem;

namespace {

std::string uuid(int n)
{
    std::string tail = std::to_string(n);
    return "00000000-0000-4000-8000-" + std::string(12 - tail.size(), '0') + tail;
}

std::string sscc(int n)
{
    std::string body = std::to_string(n);
    body = std::string(17 - body.size(), '0') + body;
    return body + std::to_string(ledger::gs1CheckDigit(body));
}

// Server is a fresh database in its own folder with the test's master data imported:
// SKU-A waited for by SO-1/1 (5, priority 1) and SO-2/1 (4), SKU-B by nobody; locations
// DOCK (receiving), A-1 (storage), Q (quarantine); pallet sscc(1) announced with 6 SKU-A.
struct Server {
    fs::path dir;
    std::unique_ptr<SqliteServerStore> store;
    std::unique_ptr<Applier> applier;

    Server()
    {
        dir = fs::temp_directory_path() / ("backfilld_apply_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
        fs::remove_all(dir);
        fs::create_directories(dir);
        auto s = SqliteServerStore::open((dir / "server.db").string());
        REQUIRE(s);
        store = std::move(*s);
        ApplierOptions options;
        options.now = [] { return int64_t{1'800'000'000}; };
        applier = std::make_unique<Applier>(*store, options);
        REQUIRE(importLocations(*store, ledger::parseLocationsCsv("code,kind,sequence\nDOCK,receiving,1\nA-1,storage,2\nQ,quarantine,3\n"))
                    ->imported == 3);
        REQUIRE(importCatalog(*store, ledger::parseCatalogCsv("sku,description\nSKU-A,Widget\nSKU-B,Gadget\n"))->imported == 2);
        REQUIRE(importBackorders(*store, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,priority,ordered_at\n"
                                                                     "SO-1,1,Ann,SKU-A,5,1,2026-01-01\n"
                                                                     "SO-2,1,Bob,SKU-A,4,0,2026-01-02\n"))
                    ->imported == 2);
        REQUIRE(importInbound(*store, ledger::parseInboundCsv("inbound_id,supplier,sku,qty,eta,sscc\nASN-1,Acme,SKU-A,6,2026-02-01," +
                                                              sscc(1) + "\n"))
                    ->imported == 1);
    }
    ~Server()
    {
        applier.reset();
        store.reset();
        fs::remove_all(dir);
    }
    static int& counter()
    {
        static int n = 0;
        return n;
    }

    // enrol enrols `device` and signs it in; returns its credentials.
    protocol::Credentials enrol(const std::string& device)
    {
        auto token = enrolDevice(*store, device);
        REQUIRE(token);
        auto reply = applier->hello({protocol::kProtocolVersion, device, 0, *token});
        REQUIRE(std::holds_alternative<protocol::HelloAck>(reply));
        return {device, std::get<protocol::HelloAck>(reply).epoch, *token};
    }

    protocol::PushAck push(const protocol::Credentials& who, std::vector<protocol::Op> ops)
    {
        auto reply = applier->push({who, std::move(ops)});
        REQUIRE_MESSAGE(std::holds_alternative<protocol::PushAck>(reply), protocol::messageName(reply));
        return std::get<protocol::PushAck>(reply);
    }

    int64_t head() { return *store->headSeq(); }
    std::string lastEntry() { return store->entriesAfter(head() - 1, 1)->at(0).payload; }
    ledger::OrderLine line(const std::string& order) { return **store->orderLine(order, 1); }
    Qty onHand(const std::string& sku, const std::string& location)
    {
        Qty q = 0;
        const auto rows = store->stock(sku);
        for (const auto& r : *rows)
            if (r.location == location) q += r.qty;
        return q;
    }
};

protocol::Op op(int n, int64_t seq, std::string kind, std::string payload, int64_t epoch = 1)
{
    return {uuid(n), seq, epoch, std::move(kind), std::move(payload), 1'800'000'000};
}

std::string receipt(const std::string& location, Qty qty, const std::string& claims, const std::string& palletSscc = "")
{
    return R"({"scan":"x","location":")" + location + R"(","lines":[{"sku":"SKU-A","qty":)" + std::to_string(qty) +
           R"(,"lot":"","sscc":")" + palletSscc + R"(","claims":[)" + claims + "]}]}";
}

} // namespace

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
    // B also received 5 and claimed SO-1, which A's claim filled first: cut to 0, and the
    // 5 units go by the rule (SO-2 needs 3; 2 stay free).
    const int64_t before = s.head();
    auto ack = s.push(b, {op(3, 2, "receive", receipt("DOCK", 5, R"({"order_id":"SO-1","line":1,"qty":5})"))});
    REQUIRE(ack.results.size() == 1);
    CHECK(ack.results[0].status == OpStatus::Applied);
    const std::string message =
        "SO-1 line 1: 5 units of SKU-A were allocated here, the server allocated 0 (the line needed no more units): "
        "take 5 units back to stock";
    CHECK(ack.results[0].result ==
          R"({"allocations":[{"order_id":"SO-2","line":1,"qty":3,"claimed":false}],"releases":[],"corrections":[{"order_id":"SO-1","line":1,"sku":"SKU-A","old_qty":5,"new_qty":0,"message":")" +
              message + R"("}]})");
    auto entries = *s.store->entriesAfter(before, 10);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].kind == "receive");
    CHECK(entries[1].kind == "correction");
    CHECK(entries[1].payload ==
          R"({"op_id":"00000000-0000-4000-8000-000000000003","device":"HH-02","device_seq":2,"order_id":"SO-1","line":1,"sku":"SKU-A","old_qty":5,"new_qty":0,"message":")" +
              message + R"("})");
    CHECK(s.line("SO-1").allocated == 5);
    CHECK(s.line("SO-2").allocated == 4);
    CHECK(s.onHand("SKU-A", "DOCK") == 11);
    // Never more allocated than on hand or than ordered (P3).
    CHECK(s.line("SO-1").allocated + s.line("SO-2").allocated <= *s.store->allocatableOnHand("SKU-A"));
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
    // 3 units into quarantine: 6 allocatable for 9 allocated; SO-2 (served last) gives 3 back.
    auto moved = s.push(hh, {op(2, 2, "move", R"({"scan":"","from":"DOCK","to":"Q","sku":"SKU-A","qty":3,"lot":"","lots":[{"lot":"","qty":3}],"released":[],"claims":[]})")});
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
}

std::string undo(int receiptOp, const std::string& claims = "")
{
    return R"({"undoes":")" + uuid(receiptOp) + R"(","scan":"x","lines":[],"released":[],"claims":[)" + claims + "]}";
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
    // Back to schema 4 without the table: opening runs migration 5, which reads the log.
    s.applier.reset();
    s.store.reset();
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((s.dir / "server.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "DROP TABLE movements; PRAGMA user_version = 4;", nullptr, nullptr, nullptr) == SQLITE_OK);
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

TEST_CASE("several server threads, each on a connection of its own, push at once: every op applied once, log seqs gap-free")
{
    // backfilld serve answers on several workers, each with its own SqliteServerStore on the
    // same file; every write must take its turn without a db_busy reaching a terminal.
    Server s;
    constexpr int kThreads = 6, kPushes = 15, kOpsPerPush = 4;
    std::vector<std::string> tokens;
    for (int t = 0; t < kThreads; ++t) tokens.push_back(*enrolDevice(*s.store, "HH-" + std::to_string(t)));
    const int64_t headBefore = s.head();
    std::atomic<int> errors{0};
    std::vector<std::string> errorCodes(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            auto mine = SqliteServerStore::open((s.dir / "server.db").string());
            if (!mine) {
                ++errors;
                return;
            }
            Applier applier(**mine);
            const std::string device = "HH-" + std::to_string(t);
            auto hello = applier.hello({protocol::kProtocolVersion, device, 0, tokens[static_cast<size_t>(t)]});
            if (!std::holds_alternative<protocol::HelloAck>(hello)) {
                errorCodes[static_cast<size_t>(t)] = std::get<protocol::Error>(hello).code;
                ++errors;
                return;
            }
            const protocol::Session session{std::get<protocol::HelloAck>(hello).sessionId};
            int64_t seq = 0;
            for (int p = 0; p < kPushes; ++p) {
                protocol::Push push{session, {}};
                for (int k = 0; k < kOpsPerPush; ++k) {
                    ++seq;
                    push.ops.push_back(op(100000 * (t + 1) + static_cast<int>(seq), seq, "receive", receipt("DOCK", 1, "")));
                }
                auto reply = applier.push(push);
                const auto* ack = std::get_if<protocol::PushAck>(&reply);
                if (!ack) {
                    errorCodes[static_cast<size_t>(t)] = std::get<protocol::Error>(reply).code;
                    ++errors;
                    return;
                }
                for (const auto& r : ack->results)
                    if (r.status != OpStatus::Applied) ++errors;
                if (ack->results.size() != static_cast<size_t>(kOpsPerPush)) ++errors;
            }
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& code : errorCodes) CHECK(code == "");
    CHECK(errors == 0);
    constexpr int kOps = kThreads * kPushes * kOpsPerPush;
    CHECK(s.onHand("SKU-A", "DOCK") == kOps);
    // Every receipt wrote one entry, and the seqs after the head are 1..kOps apart, each once.
    const auto entries = s.store->entriesAfter(headBefore, 10 * kOps);
    REQUIRE(entries);
    int receipts = 0;
    for (size_t i = 0; i < entries->size(); ++i) {
        CHECK((*entries)[i].seq == headBefore + static_cast<int64_t>(i) + 1);
        receipts += (*entries)[i].kind == "receive";
    }
    CHECK(receipts == kOps);
}

TEST_CASE("write queue: the requests waiting share one commit; a long request goes on next round; a failed step fails its round")
{
    Server s;
    auto writer = SqliteServerStore::open((s.dir / "server.db").string());
    REQUIRE(writer);
    WriteQueue queue(std::move(*writer));
    const int64_t head = s.head();
    auto append = [](ServerStore& store, const std::string& what) -> Result<bool> {
        auto seq = store.appendLog("test", R"({"what":")" + what + R"("})");
        if (!seq) return ledger::unexpected(seq.error());
        return false;
    };

    // Round 1 holds request A inside its step until B, C and D wait; they then share round 2.
    std::atomic<bool> release{false}, inRound{false};
    std::thread a([&] {
        CHECK(queue.run([&](ServerStore& store) -> Result<bool> {
            inRound = true;
            while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            return append(store, "A");
        }));
    });
    while (!inRound) std::this_thread::sleep_for(std::chrono::milliseconds(1)); // A is in its round
    int bSteps = 0;
    std::vector<std::thread> others;
    others.emplace_back([&] {
        // B writes in two steps: the second goes into round 3.
        CHECK(queue.run([&](ServerStore& store) -> Result<bool> {
            ++bSteps;
            auto r = append(store, "B" + std::to_string(bSteps));
            if (!r) return r;
            return bSteps < 2;
        }));
    });
    while (queue.waiting() < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    others.emplace_back([&] { CHECK(queue.run([&](ServerStore& store) { return append(store, "C"); })); });
    while (queue.waiting() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    release = true;
    a.join();
    for (auto& t : others) t.join();
    CHECK(queue.rounds() == 3);
    CHECK(queue.steps() == 4);
    std::vector<std::string> order;
    const auto entries = s.store->entriesAfter(head, 10);
    REQUIRE(entries);
    for (const auto& e : *entries) order.push_back(e.payload);
    CHECK(order == std::vector<std::string>{R"({"what":"A"})", R"({"what":"B1"})", R"({"what":"C"})", R"({"what":"B2"})"});

    // A step that fails rolls its whole round back: the other request of the round gets the
    // error too and nothing of the round stays.
    release = false;
    inRound = false;
    std::thread hold([&] {
        CHECK(queue.run([&](ServerStore& store) -> Result<bool> {
            inRound = true;
            while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            return append(store, "D");
        }));
    });
    while (!inRound) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    Result<void> good, bad;
    std::thread e([&] { good = queue.run([&](ServerStore& store) { return append(store, "E"); }); });
    while (queue.waiting() < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::thread f([&] { bad = queue.run([](ServerStore&) -> Result<bool> { return ledger::fail("db_full", "the disk is full"); }); });
    while (queue.waiting() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    release = true;
    hold.join();
    e.join();
    f.join();
    REQUIRE_FALSE(good);
    CHECK(good.error().code == "db_full");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == "db_full");
    CHECK(s.head() == head + 5); // D only
    CHECK(s.lastEntry() == R"({"what":"D"})");
}
