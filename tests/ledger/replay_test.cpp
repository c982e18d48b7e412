// ledger::replay: the fold of the ledger that every store's derived rows must equal.

#include "ledger/Replay.h"

#include <doctest/doctest.h>

#include <vector>

using namespace backfill::ledger;

namespace {
Event ev(EventKind kind, Qty qty, std::string location, std::string lot = "", std::string to = "", std::string order = "",
         int64_t line = 0)
{
    Event e;
    e.kind = kind;
    e.sku = "MUG";
    e.qty = qty;
    e.location = std::move(location);
    e.lot = std::move(lot);
    e.toLocation = std::move(to);
    e.orderId = std::move(order);
    e.line = line;
    return e;
}
} // namespace

TEST_CASE("replay: receipts, moves, allocations, picks, holds and adjustments fold into stock and lines")
{
    const std::vector<Event> events{
        ev(EventKind::Received, 10, "DOCK", "L1"),
        ev(EventKind::Allocated, 4, "", "", "OUT1", "SO-1", 1),
        ev(EventKind::Moved, 4, "DOCK", "L1", "OUT1"),
        ev(EventKind::Picked, 3, "OUT1", "L1", "", "SO-1", 1),
        ev(EventKind::Held, 2, "DOCK", "L1"),
        ev(EventKind::Counted, 5, "DOCK", "L1"),
        ev(EventKind::Adjusted, -1, "DOCK", "L1"),
        ev(EventKind::Held, -2, "DOCK", "L1"),
    };
    const LedgerState s = replay(events);
    REQUIRE(s.stock.size() == 2);
    CHECK(s.stock.at({"MUG", "DOCK", "L1"}) == StockCell{5, 0});
    CHECK(s.stock.at({"MUG", "OUT1", "L1"}) == StockCell{1, 0});
    REQUIRE(s.lines.size() == 1);
    CHECK(s.lines.at({"SO-1", 1}) == LineCell{1, 3});
}

TEST_CASE("replay: cells that come back to zero are left out, so a reversal leaves the empty state")
{
    const std::vector<Event> events{
        ev(EventKind::Received, 6, "DOCK"),
        ev(EventKind::Allocated, 6, "", "", "OUT1", "SO-1", 1),
        ev(EventKind::Deallocated, 6, "", "", "", "SO-1", 1),
        ev(EventKind::Received, -6, "DOCK"),
    };
    CHECK(replay(events) == LedgerState{});
    CHECK(replay({}) == LedgerState{});
}

TEST_CASE("replay: a pick of more than was allocated shows as a negative allocation, not hidden")
{
    const std::vector<Event> events{ev(EventKind::Received, 2, "A1"), ev(EventKind::Picked, 2, "A1", "", "", "SO-9", 3)};
    const LedgerState s = replay(events);
    CHECK(s.stock.empty());
    CHECK(s.lines.at({"SO-9", 3}) == LineCell{-2, 2});
}
