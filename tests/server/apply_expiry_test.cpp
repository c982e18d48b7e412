// Lot expiry at the server (docs/server.md, Lot expiry): a terminal's receipt names its lot's
// expiry; the server keeps the first one named for a lot, logs it so every terminal learns it,
// does not allocate units of a lot expired on the op's day, and counts them as expired.
// The ops are dated 1'800'000'000 (2027-01-15T08:00:00Z): that is the day expiry is judged on.

#include "ApplyHarness.h"

using namespace applytest;

namespace {

// lotReceipt is a receipt of `qty` SKU-A of `lot` into DOCK; `expiry` is left out when empty.
std::string lotReceipt(Qty qty, const std::string& lot, const std::string& expiry, const std::string& claims = "")
{
    std::string line = R"({"sku":"SKU-A","qty":)" + std::to_string(qty) + R"(,"lot":")" + lot + R"(")";
    if (!expiry.empty()) line += R"(,"expiry":")" + expiry + R"(")";
    return R"({"scan":"x","location":"DOCK","lines":[)" + line + R"(,"sscc":"","claims":[)" + claims + "]}]}";
}

std::string claimOf(const std::string& order, Qty qty)
{
    return R"({"order_id":")" + order + R"(","line":1,"qty":)" + std::to_string(qty) + "}";
}

std::optional<std::string> expiryAt(Server& s, const std::string& lot)
{
    const auto rows = s.store->stock("SKU-A");
    REQUIRE(rows);
    for (const auto& r : *rows)
        if (r.lot == lot) return r.expiry ? std::optional<std::string>(ledger::formatDate(*r.expiry)) : std::nullopt;
    return std::nullopt;
}

// stockOfA is SKU-A as `backfilld --today 2027-01-15 stock --sku SKU-A` reads it (the day
// pinned as the command pins it).
ProductStock stockOfA(Server& s)
{
    s.store->setLogTime(1'800'000'000);
    auto rows = productStock(*s.store, std::string("SKU-A"));
    s.store->setLogTime(std::nullopt);
    REQUIRE(rows);
    REQUIRE(rows->size() == 1);
    return rows->at(0);
}

} // namespace

TEST_CASE("lot expiry: the first receipt's is kept and logged, a later one naming another is applied with the kept one and flagged expiry_conflict")
{
    Server s;
    auto hh = s.enrol("HH-01");
    auto ack = s.push(hh, {op(1, 1, "receive", lotReceipt(6, "L1", "2027-06-30", claimOf("SO-1", 5)))});
    REQUIRE(ack.results[0].status == OpStatus::Applied);
    CHECK(s.lastEntry() ==
          R"({"op_id":"00000000-0000-4000-8000-000000000001","device":"HH-01","device_seq":1,"location":"DOCK","lines":[{"sku":"SKU-A","qty":6,"lot":"L1","expiry":"2027-06-30","sscc":"","over_receipt":6}],"allocations":[{"order_id":"SO-1","line":1,"qty":5,"claimed":true},{"order_id":"SO-2","line":1,"qty":1,"claimed":false}],"releases":[]})");
    CHECK(expiryAt(s, "L1") == std::optional<std::string>("2027-06-30"));
    CHECK(s.line("SO-1").allocated == 5);

    // Another terminal names another expiry for the same lot: the first is kept and logged;
    // the receipt is applied (its units are there) and flagged for a person.
    CHECK(s.store->exceptions()->empty());
    auto other = s.enrol("HH-02");
    ack = s.push(other, {op(2, 1, "receive", lotReceipt(2, "L1", "2027-07-31"))});
    REQUIRE(ack.results.size() == 1);
    CHECK(ack.results[0].status == OpStatus::Flagged);
    CHECK(ack.results[0].code == "expiry_conflict");
    const std::string conflict = "lot L1 of SKU-A: this receipt names expiry 2027-07-31, the lot was registered with 2027-06-30 "
                                 "by its first receipt, which stays: check the labels";
    CHECK(ack.results[0].message == conflict);
    CHECK(s.lastEntry() ==
          R"({"op_id":"00000000-0000-4000-8000-000000000002","device":"HH-02","device_seq":1,"location":"DOCK","exception":1,"lines":[{"sku":"SKU-A","qty":2,"lot":"L1","expiry":"2027-06-30","sscc":"","over_receipt":2}],"allocations":[{"order_id":"SO-2","line":1,"qty":2,"claimed":false}],"releases":[]})");
    CHECK(expiryAt(s, "L1") == std::optional<std::string>("2027-06-30"));
    CHECK(s.onHand("SKU-A", "DOCK") == 8);
    const auto exceptions = *s.store->exceptions();
    REQUIRE(exceptions.size() == 1);
    CHECK(exceptions[0].code == "expiry_conflict");
    CHECK(exceptions[0].deviceId == "HH-02");
    CHECK(exceptions[0].opId == "00000000-0000-4000-8000-000000000002");
    CHECK(exceptions[0].payload.find(conflict) != std::string::npos);

    // The same expiry named again is no conflict.
    ack = s.push(other, {op(4, 2, "receive", lotReceipt(1, "L1", "2027-06-30"))});
    CHECK(ack.results[0].status == OpStatus::Applied);
    CHECK(s.store->exceptions()->size() == 1);

    // A lot without an expiry has none, and its line names none.
    ack = s.push(other, {op(3, 3, "receive", lotReceipt(1, "L2", ""))});
    REQUIRE(ack.results[0].status == OpStatus::Applied);
    CHECK(s.lastEntry().find("expiry") == std::string::npos);
    CHECK(expiryAt(s, "L2") == std::nullopt);
    CHECK(stockOfA(s).expired == 0);
}

TEST_CASE("lot expiry: units of a lot expired on the op's day are not allocated and count as expired; a lot expiring that day still is")
{
    Server s;
    auto hh = s.enrol("HH-01");
    // Expired the day before the op: the terminal's claim on SO-1 gives way.
    auto ack = s.push(hh, {op(1, 1, "receive", lotReceipt(5, "OLD", "2027-01-14", claimOf("SO-1", 5)))});
    REQUIRE(ack.results.size() == 1);
    CHECK(ack.results[0].status == OpStatus::Applied); // applied, the claim corrected
    CHECK(s.line("SO-1").allocated == 0);
    CHECK(s.line("SO-2").allocated == 0);
    CHECK(ack.results[0].result.find(R"("old_qty":5,"new_qty":0)") != std::string::npos);
    CHECK(s.onHand("SKU-A", "DOCK") == 5); // a fact: the units are there, expired
    auto p = stockOfA(s);
    CHECK(p.onHand == 5);
    CHECK(p.expired == 5);
    CHECK(p.free() == 0);

    // Expiring on the op's day: still good that day, allocated.
    ack = s.push(hh, {op(2, 2, "receive", lotReceipt(4, "TODAY", "2027-01-15", claimOf("SO-1", 4)))});
    REQUIRE(ack.results[0].status == OpStatus::Applied);
    CHECK(s.line("SO-1").allocated == 4);
    p = stockOfA(s);
    CHECK(p.onHand == 9);
    CHECK(p.expired == 5);
    CHECK(p.allocated == 4);
    CHECK(p.free() == 0);
}

TEST_CASE("lot expiry: a date that is not one, or an expiry without a lot, is refused and changes nothing")
{
    Server s;
    auto hh = s.enrol("HH-01");
    const int64_t head = s.head();
    auto ack = s.push(hh, {op(1, 1, "receive", lotReceipt(3, "L1", "2027-02-30")),
                           op(2, 2, "receive", lotReceipt(3, "", "2027-02-01")),
                           op(3, 3, "receive", lotReceipt(3, "L1", "27-02-01"))});
    REQUIRE(ack.results.size() == 3);
    const std::vector<std::string> expected{
        "receive: lines[0].expiry: '2027-02-30' is not a date YYYY-MM-DD",
        "receive: lines[0].expiry: a line without a lot has no expiry",
        "receive: lines[0].expiry: '27-02-01' is not a date YYYY-MM-DD",
    };
    for (size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(i);
        CHECK(ack.results[i].status == OpStatus::Rejected);
        CHECK(ack.results[i].code == "bad_payload");
        CHECK(ack.results[i].message == expected[i]);
    }
    CHECK(s.head() == head); // recorded as refused (applied_ops), no log entry
    CHECK(s.store->stock("SKU-A")->empty());
    // The lot got no expiry from a refused receipt: a good one now sets it.
    ack = s.push(hh, {op(4, 4, "receive", lotReceipt(1, "L1", "2027-03-01"))});
    REQUIRE(ack.results[0].status == OpStatus::Applied);
    CHECK(expiryAt(s, "L1") == std::optional<std::string>("2027-03-01"));
}
