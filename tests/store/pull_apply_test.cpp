// Pulled changes applied by several processes on one terminal database (the UI's sync worker
// and a `backfill sync` beside it): both pull from the same cursor, and each entry must be
// folded into the terminal's copy of the server's state once. Before, the second process
// folded the same entries again (two `backfill sync` at once doubled the terminal's view of
// 13 of 62 demo products: 54 on hand where the server had 27). And the view is settled to
// the server's state only while no op waits, decided under the write lock: a receipt another
// process recorded after the sync looked was taken out of the view until the next sync.
#include "link/Link.h"
#include "store/TerminalStore.h"

#include "store/StoreTestSupport.h"

#include <doctest/doctest.h>

#include <string>

using namespace backfill;
using backfill::test::PlainDb;
using backfill::test::TempDb;

namespace {

// receiveEntry is the server's log entry of a receipt of `qty` x SKU-A at DOCK by HH-02.
protocol::LogEntry receiveEntry(int64_t seq, int64_t deviceSeq, int64_t qty)
{
    const std::string q = std::to_string(qty);
    return {seq, "receive",
            R"({"op_id":"op-)" + std::to_string(deviceSeq) + R"(","device":"HH-02","device_seq":)" + std::to_string(deviceSeq) +
                R"(,"location":"DOCK","lines":[{"sku":"SKU-A","qty":)" + q + R"(,"lot":"","sscc":"","over_receipt":)" + q +
                R"(}],"allocations":[],"releases":[]})"};
}

// The identity the pulls are made for; the stores are enrolled as it (enrol).
const link::Identity kHH01{"tcp://127.0.0.1:7001", "HH-01", 1, "secret", "", ""};

void enrol(store::TerminalStore& store, const link::Identity& as = kHH01) { REQUIRE(store.saveEnrolment(as)); }

protocol::Changes changes(std::vector<protocol::LogEntry> entries, int64_t next)
{
    protocol::Changes c;
    c.entries = std::move(entries);
    c.nextCursor = next;
    return c;
}

// masterData is the server's first entries: DOCK (1) and SKU-A with its GTIN (2).
std::vector<protocol::LogEntry> masterData()
{
    return {{1, "location", R"({"code":"DOCK","kind":"receiving","sequence":1})"},
            {2, "product", R"({"sku":"SKU-A","description":"Widget","gtin":"04000000000011"})"}};
}

// receiveThree records a receipt of 3 x SKU-A at DOCK on `store`, as the touch UI would.
void receiveThree(store::TerminalStore& store, const std::string& device)
{
    ledger::ReceiptRequest r;
    r.scan = "(01)04000000000011(30)3";
    r.gtin = "04000000000011";
    r.count = 3;
    r.location = "DOCK";
    REQUIRE(store.receive(r, {"ann", device, 1795000001, {}}));
}

} // namespace

TEST_CASE("pulled changes: two processes applying the same pull fold each entry once, and the cursor never moves back")
{
    TempDb f("pull", "twice");
    auto a = store::TerminalStore::open(f.path.string());
    REQUIRE(a);
    auto b = store::TerminalStore::open(f.path.string()); // the other process's connection
    REQUIRE(b);
    enrol(**a);
    auto entries = masterData();
    entries.push_back(receiveEntry(3, 1, 5));
    const auto first = changes(entries, 3);
    PlainDb plain(f.path);
    const std::string onHand = "SELECT COALESCE(SUM(qty), 0) FROM server_stock";

    // Both pulled from cursor 0; A applies first, then B the very same entries.
    auto byA = (*a)->applyChanges(first, kHH01);
    REQUIRE(byA);
    CHECK(byA->entries == 3);
    auto byB = (*b)->applyChanges(first, kHH01);
    REQUIRE(byB);
    CHECK(byB->entries == 0);
    CHECK(plain.integer(onHand) == 5);
    CHECK(*(*b)->syncCursor() == 3);

    // A pull that overlaps: entry 3 is in, entry 4 is new.
    auto overlap = (*b)->applyChanges(changes({receiveEntry(3, 1, 5), receiveEntry(4, 2, 7)}, 4), kHH01);
    REQUIRE(overlap);
    CHECK(overlap->entries == 1);
    CHECK(plain.integer(onHand) == 12);
    CHECK(*(*a)->syncCursor() == 4);

    // A stale pull (asked from cursor 2, answered up to 3) neither folds nor moves the cursor back.
    auto stale = (*a)->applyChanges(changes({receiveEntry(3, 1, 5)}, 3), kHH01);
    REQUIRE(stale);
    CHECK(stale->entries == 0);
    CHECK(plain.integer(onHand) == 12);
    CHECK(*(*a)->syncCursor() == 4);
    CHECK(plain.integer("SELECT MAX(cursor) FROM sync_marks") == 4);
}

TEST_CASE("settling the view: a receipt another process recorded after the sync looked is kept in the view")
{
    TempDb f("pull", "settle");
    auto a = store::TerminalStore::open(f.path.string()); // the sync
    REQUIRE(a);
    auto b = store::TerminalStore::open(f.path.string()); // the touch UI receiving
    REQUIRE(b);
    enrol(**a);
    auto entries = masterData();
    entries.push_back(receiveEntry(3, 1, 5));
    REQUIRE((*a)->applyChanges(changes(entries, 3), kHH01));
    REQUIRE((*a)->settleView(1795000000));
    auto onHand = [&] {
        auto rows = (*a)->stock(std::string("SKU-A"));
        REQUIRE(rows);
        REQUIRE(rows->size() == 1);
        return (*rows)[0].onHand;
    };
    CHECK(onHand() == 5);
    PlainDb plain(f.path);
    const std::string events = "SELECT COUNT(*) FROM events";
    const int64_t settled = plain.integer(events); // the first settle's `adjusted` event included
    // The sync found no op waiting; then the UI's receipt of 3 commits; then the sync settles.
    receiveThree(**b, "HH-01");
    CHECK(*(*a)->outboxCount() == 1);
    REQUIRE((*a)->settleView(1795000002));
    CHECK(onHand() == 8); // the receipt stays in the view until the server has it
    CHECK(plain.integer(events) == settled + 1); // the receipt's own event, no adjustment
}

TEST_CASE("pulled changes: a pull for the server the terminal was enrolled at before is refused, and changes nothing")
{
    // `enroll` at another server while a sync's pull ran: its entries are the other log's, and
    // applied on top of the new server's (the cursor at 0 after enrolment) they would have
    // moved the cursor past entries the new server's pull had not brought yet.
    TempDb f("pull", "enrolled");
    auto a = store::TerminalStore::open(f.path.string());
    REQUIRE(a);
    enrol(**a);
    REQUIRE((*a)->applyChanges(changes({{1, "location", R"({"code":"DOCK","kind":"receiving","sequence":1})"}}, 1), kHH01));
    const link::Identity elsewhere{"tcp://127.0.0.1:7002", "HH-01", 1, "other", "", ""};
    enrol(**a, elsewhere);
    CHECK(*(*a)->syncCursor() == 0);
    auto stale = (*a)->applyChanges(changes({{2, "product", R"({"sku":"SKU-A","description":"Widget","gtin":"04000000000011"})"}}, 2), kHH01);
    REQUIRE_FALSE(stale);
    CHECK(stale.error().code == "enrolment_changed");
    CHECK(stale.error().message ==
          "this terminal was enrolled as HH-01 at tcp://127.0.0.1:7002 while a pull for HH-01 at tcp://127.0.0.1:7001 ran: nothing of it "
          "is applied; run sync again");
    CHECK(*(*a)->syncCursor() == 0);
    PlainDb plain(f.path);
    CHECK(plain.integer("SELECT COUNT(*) FROM products") == 0);
    // The new server's own pull goes in.
    auto fresh = (*a)->applyChanges(changes({{1, "location", R"({"code":"DOCK","kind":"receiving","sequence":1})"}}, 1), elsewhere);
    REQUIRE(fresh);
    CHECK(fresh->entries == 1);
    CHECK(*(*a)->syncCursor() == 1);
}

TEST_CASE("enrolment: a receipt another process recorded after enroll checked the outbox stops it, and keeps its stock")
{
    // `enroll` checks the outbox before it connects; the touch UI's receipt committed after
    // that check used to be wiped with the rest of the local data by the enrolment.
    TempDb f("pull", "enrol");
    auto a = store::TerminalStore::open(f.path.string()); // enroll
    REQUIRE(a);
    auto b = store::TerminalStore::open(f.path.string()); // the touch UI receiving
    REQUIRE(b);
    REQUIRE((*a)->applyChanges(changes(masterData(), 2), kHH01));
    auto before = (*a)->enrolBlocker(kHH01);
    REQUIRE(before);
    CHECK_FALSE(*before); // nothing waits: enroll goes on and connects
    receiveThree(**b, "local");
    auto saved = (*a)->saveEnrolment(kHH01);
    REQUIRE_FALSE(saved);
    CHECK(saved.error().code == "unsynced_ops");
    CHECK(saved.error().message == f.path.string() +
                                       ": 1 ops were recorded before this terminal was enrolled and no server has them; enrolment would "
                                       "replace the master data they name: enrol a new database (--db) instead");
    auto rows = (*a)->stock(std::string("SKU-A"));
    REQUIRE(rows);
    REQUIRE(rows->size() == 1);
    CHECK((*rows)[0].onHand == 3);
    CHECK_FALSE(*(*a)->syncIdentity());
}
