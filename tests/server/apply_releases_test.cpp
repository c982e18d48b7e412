// A terminal's releases compared with the server's (docs/server.md, Releases): a move into
// quarantine or a count below the book releases allocations on the terminal's book, which may
// not know another device's allocations; every order line where the server released other
// units gets a `release` correction for that terminal, and lines that agree get none.

#include "ApplyHarness.h"

using namespace applytest;

namespace {

std::string released(const std::string& list) { return R"("released":[)" + list + "]"; }

std::string release(const std::string& order, Qty qty)
{
    return R"({"order_id":")" + order + R"(","line":1,"qty":)" + std::to_string(qty) + "}";
}

std::string moveToQuarantine(Qty qty, const std::string& releasedList)
{
    return R"({"scan":"x","from":"DOCK","to":"Q","sku":"SKU-A","qty":)" + std::to_string(qty) + R"(,"lot":"","lots":[{"lot":"","qty":)" +
           std::to_string(qty) + "}]," + releasedList + R"(,"claims":[]})";
}

// corrections are the log's correction entries after `cursor`, one per line.
std::string corrections(Server& s, int64_t cursor)
{
    std::string out;
    const auto entries = s.store->entriesAfter(cursor, 100);
    REQUIRE(entries);
    for (const auto& e : *entries)
        if (e.kind == "correction") out += e.payload + "\n";
    return out;
}

} // namespace

TEST_CASE("a move into quarantine that released other lines than the server gets a release correction per line that differs")
{
    Server s;
    auto hh1 = s.enrol("HH-01");
    auto hh2 = s.enrol("HH-02");
    // HH-01 receives 6 SKU-A: the server's rule gives SO-1 its 5 (priority 1) and SO-2 1.
    REQUIRE(s.push(hh1, {op(1, 1, "receive", receipt("DOCK", 6, ""))}).results.at(0).status == OpStatus::Applied);
    REQUIRE(s.line("SO-1").allocated == 5);
    REQUIRE(s.line("SO-2").allocated == 1);
    const int64_t cursor = s.head();

    // HH-02 never learnt of SO-2's unit: moving 4 of the 6 into quarantine, its book released 4
    // from SO-1. The server releases the line served last first: SO-2's 1, then 3 of SO-1's.
    auto ack = s.push(hh2, {op(2, 1, "move", moveToQuarantine(4, released(release("SO-1", 4))))});
    REQUIRE(ack.results.size() == 1);
    CHECK(ack.results[0].status == OpStatus::Applied);
    CHECK(s.line("SO-1").allocated == 2);
    CHECK(s.line("SO-2").allocated == 0);
    CHECK(ack.results[0].result ==
          R"({"allocations":[],"releases":[{"order_id":"SO-2","line":1,"qty":1},{"order_id":"SO-1","line":1,"qty":3}],"corrections":[)"
          R"({"order_id":"SO-1","line":1,"sku":"SKU-A","old_qty":4,"new_qty":3,"release":true,"message":"SO-1 line 1: this move released 4 units of SKU-A from it here, the server released 3 (its book differed); the line has 2 units allocated at the server"},)"
          R"({"order_id":"SO-2","line":1,"sku":"SKU-A","old_qty":0,"new_qty":1,"release":true,"message":"SO-2 line 1: this move released 0 units of SKU-A from it here, the server released 1 (its book differed); the line has 0 units allocated at the server"}]})");
    // Each is a correction entry of HH-02's op, which the terminal keeps for its operator.
    CHECK(corrections(s, cursor) ==
          R"({"op_id":"00000000-0000-4000-8000-000000000002","device":"HH-02","device_seq":1,"order_id":"SO-1","line":1,"sku":"SKU-A","old_qty":4,"new_qty":3,"release":true,"message":"SO-1 line 1: this move released 4 units of SKU-A from it here, the server released 3 (its book differed); the line has 2 units allocated at the server"})"
          "\n"
          R"({"op_id":"00000000-0000-4000-8000-000000000002","device":"HH-02","device_seq":1,"order_id":"SO-2","line":1,"sku":"SKU-A","old_qty":0,"new_qty":1,"release":true,"message":"SO-2 line 1: this move released 0 units of SKU-A from it here, the server released 1 (its book differed); the line has 0 units allocated at the server"})"
          "\n");
}

TEST_CASE("releases that agree with the server's, and a move without a released list, get no correction")
{
    Server s;
    auto hh1 = s.enrol("HH-01");
    REQUIRE(s.push(hh1, {op(1, 1, "receive", receipt("DOCK", 6, ""))}).results.at(0).status == OpStatus::Applied);
    const int64_t cursor = s.head();
    // The terminal knew the same book: SO-2's 1, then 1 of SO-1's.
    auto same = s.push(hh1, {op(2, 2, "move", moveToQuarantine(2, released(release("SO-2", 1) + "," + release("SO-1", 1))))});
    CHECK(same.results.at(0).result ==
          R"({"allocations":[],"releases":[{"order_id":"SO-2","line":1,"qty":1},{"order_id":"SO-1","line":1,"qty":1}],"corrections":[]})");
    // An op that carries no `released` (written before terminals sent it) is not compared.
    const std::string noList = R"({"scan":"x","from":"DOCK","to":"Q","sku":"SKU-A","lots":[{"lot":"","qty":1}],"claims":[]})";
    auto old = s.push(hh1, {op(3, 3, "move", noList)});
    CHECK(old.results.at(0).result == R"({"allocations":[],"releases":[{"order_id":"SO-1","line":1,"qty":1}],"corrections":[]})");
    CHECK(corrections(s, cursor) == "");
    CHECK(s.line("SO-1").allocated == 3);
}

TEST_CASE("a count below the book releases on the terminal and the server; a line that differs is corrected, a bad list refused")
{
    Server s;
    auto hh1 = s.enrol("HH-01");
    auto hh2 = s.enrol("HH-02");
    REQUIRE(s.push(hh1, {op(1, 1, "receive", receipt("DOCK", 6, ""))}).results.at(0).status == OpStatus::Applied);
    const int64_t cursor = s.head();
    // HH-02 counted 4 at DOCK knowing the receipt (its basis is the cursor after it), and its
    // book released the 2 units from SO-1; the server releases SO-2's 1 and 1 of SO-1's.
    const std::string count = R"({"count_id":1,"state":"applied","sku":"SKU-A","location":"DOCK","lot":"","counted":4,"variance":-2,)"
                              R"("basis_cursor":)" +
                              std::to_string(cursor) + R"(,"basis_epoch":1,"basis_device_seq":0,)" + released(release("SO-1", 2)) +
                              R"(,"claims":[]})";
    auto ack = s.push(hh2, {op(2, 1, "count", count)});
    REQUIRE(ack.results.size() == 1);
    CHECK(ack.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-A", "DOCK") == 4);
    CHECK(corrections(s, cursor) ==
          R"({"op_id":"00000000-0000-4000-8000-000000000002","device":"HH-02","device_seq":1,"order_id":"SO-1","line":1,"sku":"SKU-A","old_qty":2,"new_qty":1,"release":true,"message":"SO-1 line 1: this count released 2 units of SKU-A from it here, the server released 1 (its book differed); the line has 4 units allocated at the server"})"
          "\n"
          R"({"op_id":"00000000-0000-4000-8000-000000000002","device":"HH-02","device_seq":1,"order_id":"SO-2","line":1,"sku":"SKU-A","old_qty":0,"new_qty":1,"release":true,"message":"SO-2 line 1: this count released 0 units of SKU-A from it here, the server released 1 (its book differed); the line has 0 units allocated at the server"})"
          "\n");

    // A malformed list is refused like any bad payload, and nothing of the op is applied.
    const int64_t head = s.head();
    auto bad = s.push(hh2, {op(3, 2, "move", moveToQuarantine(1, released(R"({"order_id":"SO-1","line":1,"qty":0})")))});
    CHECK(bad.results.at(0).status == OpStatus::Rejected);
    CHECK(bad.results.at(0).code == "bad_payload");
    CHECK(bad.results.at(0).message == "move: released[0].qty: 0, must be at least 1");
    CHECK(s.head() == head);
    CHECK(s.onHand("SKU-A", "Q") == 0);
}
