#include "ledger/Projection.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace backfill::ledger;

namespace {

constexpr Timestamp kDay = 86400;
constexpr Timestamp kNov1 = 1793491200; // 2026-11-01T00:00:00Z

Date day(const char* ymd) { return *parseDate(ymd); }

// orderLine builds a line as the store holds it; waiting() turns it into what the rule sees.
OrderLine orderLine(std::string orderId, int64_t lineNo, Qty qty, Qty allocated = 0, Qty picked = 0, bool cancelled = false,
                    int64_t priority = 0, Timestamp orderedAt = kNov1)
{
    OrderLine l;
    l.orderId = std::move(orderId);
    l.line = lineNo;
    l.sku = "SKU-1";
    l.qty = qty;
    l.allocated = allocated;
    l.picked = picked;
    l.cancelled = cancelled;
    l.priority = priority;
    l.orderedAt = orderedAt;
    return l;
}

std::vector<WaitingLine> waiting(const std::vector<OrderLine>& lines)
{
    std::vector<WaitingLine> out;
    for (const auto& l : lines) out.push_back({l.orderId, l.line, l.priority, l.promisedAt, l.orderedAt, l.remaining()});
    return out;
}

InboundSupply inbound(const char* eta, std::string id, int64_t row, Qty open) { return {day(eta), std::move(id), row, open}; }

std::string show(const std::optional<Date>& d) { return d ? formatDate(*d) : "null"; }

std::vector<std::string> etas(const std::vector<OrderLine>& lines, const std::vector<InboundSupply>& supply)
{
    const auto w = waiting(lines);
    std::vector<std::string> out;
    for (const auto& e : projectEtas(w, supply)) out.push_back(show(e));
    return out;
}

std::vector<std::string> states(const std::vector<OrderLine>& lines, const std::vector<InboundSupply>& supply)
{
    const auto w = waiting(lines);
    const auto e = projectEtas(w, supply);
    std::vector<std::string> out;
    for (size_t i = 0; i < lines.size(); ++i) out.emplace_back(lineStateName(lineState(lines[i], e[i].has_value())));
    return out;
}

using Strings = std::vector<std::string>;

} // namespace

TEST_CASE("inbound goes to the remainders in allocation order, eta of the completing inbound line")
{
    // Allocation order: SO-1/1 (priority 1), SO-2/1, SO-3/1, SO-4/1.
    const std::vector<OrderLine> lines{
        orderLine("SO-3", 1, 4),
        orderLine("SO-1", 1, 5, 0, 0, false, 1),
        orderLine("SO-4", 1, 2),
        orderLine("SO-2", 1, 3),
    };
    const std::vector<InboundSupply> supply{
        inbound("2026-12-10", "PO-2", 1, 6),
        inbound("2026-12-01", "PO-1", 1, 4),
    };
    // 12-01 PO-1 gives 4 to SO-1 (needs 5); 12-10 PO-2 gives 1 more to SO-1 (completed 12-10),
    // 3 to SO-2 (12-10), 2 to SO-3 (needs 4: not covered), none to SO-4.
    CHECK(etas(lines, supply) == Strings{"null", "2026-12-10", "null", "2026-12-10"});
    CHECK(states(lines, supply) == Strings{"out_of_stock", "backordered", "out_of_stock", "backordered"});

    const auto w = waiting(lines);
    const auto by = completingSupply(w, supply);
    REQUIRE(by.size() == 4);
    CHECK_FALSE(by[0]);
    CHECK(by[1] == std::optional<size_t>{0});
    CHECK_FALSE(by[2]);
    CHECK(by[3] == std::optional<size_t>{0});
}

TEST_CASE("a line exactly completed by an inbound line takes its eta; the next line starts on the next inbound")
{
    const std::vector<OrderLine> lines{
        orderLine("SO-1", 1, 5),
        orderLine("SO-1", 2, 1),
        orderLine("SO-1", 3, 3),
    };
    const std::vector<InboundSupply> supply{
        inbound("2026-12-01", "PO-1", 1, 5),
        inbound("2026-12-05", "PO-2", 1, 1),
        inbound("2026-12-09", "PO-3", 1, 3),
    };
    CHECK(etas(lines, supply) == Strings{"2026-12-01", "2026-12-05", "2026-12-09"});
    // One unit short on the last inbound line: the last line is out of stock, not backordered.
    auto shortSupply = supply;
    shortSupply[2].open = 2;
    CHECK(etas(lines, shortSupply) == Strings{"2026-12-01", "2026-12-05", "null"});
    CHECK(states(lines, shortSupply) == Strings{"backordered", "backordered", "out_of_stock"});
}

TEST_CASE("partly allocated and picked lines wait only for their remainder")
{
    const std::vector<OrderLine> lines{
        orderLine("SO-1", 1, 10, 6, 0),  // remainder 4
        orderLine("SO-2", 1, 10, 2, 5),  // remainder 3
        orderLine("SO-3", 1, 4, 0, 0),   // remainder 4
    };
    const std::vector<InboundSupply> supply{
        inbound("2026-12-01", "PO-1", 1, 4),
        inbound("2026-12-03", "PO-2", 1, 3),
        inbound("2026-12-07", "PO-3", 1, 2),
    };
    // SO-1 completed by PO-1 (4 of 4), SO-2 by PO-2 (3 of 3), SO-3 gets 2 of 4: uncovered.
    CHECK(etas(lines, supply) == Strings{"2026-12-01", "2026-12-03", "null"});
    CHECK(states(lines, supply) == Strings{"partially_allocated", "partially_allocated", "out_of_stock"});
}

TEST_CASE("cancelled, picked and fully allocated lines wait for nothing and take no inbound")
{
    const std::vector<OrderLine> lines{
        orderLine("SO-1", 1, 8, 0, 0, true),  // cancelled: the first in order, but waits for nothing
        orderLine("SO-1", 2, 5, 0, 5),        // picked
        orderLine("SO-1", 3, 5, 3, 2),        // allocated
        orderLine("SO-2", 1, 3),              // the only waiting line
    };
    const std::vector<InboundSupply> supply{inbound("2026-12-02", "PO-1", 1, 3)};
    CHECK(etas(lines, supply) == Strings{"null", "null", "null", "2026-12-02"});
    CHECK(states(lines, supply) == Strings{"cancelled", "picked", "allocated", "backordered"});
}

TEST_CASE("inbound lines with the same eta go by inbound id (bytewise), then row order")
{
    const std::vector<OrderLine> lines{
        orderLine("SO-1", 1, 2),
        orderLine("SO-1", 2, 2),
        orderLine("SO-1", 3, 2),
        orderLine("SO-1", 4, 2),
    };
    const std::vector<InboundSupply> supply{
        inbound("2026-12-01", "PO-9", 1, 2),  // 0: fourth (PO-9 after PO-10)
        inbound("2026-12-01", "PO-10", 7, 2), // 1: third (row 7 after row 3)
        inbound("2026-12-01", "PO-10", 3, 2), // 2: second
        inbound("2026-11-30", "PO-99", 9, 2), // 3: first (earlier eta)
    };
    const auto w = waiting(lines);
    const auto by = completingSupply(w, supply);
    REQUIRE(by.size() == 4);
    CHECK(by[0] == std::optional<size_t>{3});
    CHECK(by[1] == std::optional<size_t>{2});
    CHECK(by[2] == std::optional<size_t>{1});
    CHECK(by[3] == std::optional<size_t>{0});
    CHECK(etas(lines, supply) == Strings{"2026-11-30", "2026-12-01", "2026-12-01", "2026-12-01"});
}

TEST_CASE("a line the inbound does not cover is out of stock although the product has inbound")
{
    const std::vector<OrderLine> lines{
        orderLine("SO-1", 1, 3, 0, 0, false, 5),
        orderLine("SO-2", 1, 10),
    };
    const std::vector<InboundSupply> supply{inbound("2026-12-01", "PO-1", 1, 8), inbound("2026-12-04", "PO-1", 2, 0)};
    CHECK(etas(lines, supply) == Strings{"2026-12-01", "null"});
    CHECK(states(lines, supply) == Strings{"backordered", "out_of_stock"});
    // No inbound at all, and inbound with nothing open, give no dates.
    CHECK(etas(lines, {}) == Strings{"null", "null"});
    CHECK(etas(lines, {inbound("2026-12-01", "PO-1", 1, 0), inbound("2026-12-02", "PO-2", 1, -4)}) == Strings{"null", "null"});
    CHECK(projectEtas(std::span<const WaitingLine>{}, std::vector<InboundSupply>{inbound("2026-12-01", "PO-1", 1, 8)}).empty());
}

TEST_CASE("projected etas follow the allocation tie-breaks, whatever the input order")
{
    std::vector<OrderLine> lines{
        orderLine("SO-9", 1, 2, 0, 0, false, 0, kNov1),
        orderLine("SO-10", 1, 2, 0, 0, false, 0, kNov1),      // bytewise before SO-9
        orderLine("SO-5", 1, 2, 0, 0, false, 0, kNov1 - kDay), // older order
        orderLine("SO-7", 1, 2, 0, 0, false, 0, kNov1 + kDay),
    };
    lines[3].promisedAt = kNov1 + 20 * kDay; // a promise beats no promise
    const std::vector<InboundSupply> supply{
        inbound("2026-12-01", "PO-1", 1, 2),
        inbound("2026-12-02", "PO-2", 1, 2),
        inbound("2026-12-03", "PO-3", 1, 2),
        inbound("2026-12-04", "PO-4", 1, 1),
    };
    // Order: SO-7 (promised), SO-5 (older), SO-10, SO-9 (1 of 2: uncovered).
    CHECK(etas(lines, supply) == Strings{"null", "2026-12-03", "2026-12-02", "2026-12-01"});

    std::mt19937_64 rng(7);
    auto reversed = supply;
    std::reverse(reversed.begin(), reversed.end());
    for (int round = 0; round < 10; ++round) {
        std::vector<size_t> perm{0, 1, 2, 3};
        std::shuffle(perm.begin(), perm.end(), rng);
        std::vector<OrderLine> shuffled;
        for (size_t i : perm) shuffled.push_back(lines[i]);
        const Strings want = etas(lines, supply);
        const Strings got = etas(shuffled, round % 2 ? reversed : supply);
        for (size_t k = 0; k < perm.size(); ++k) CHECK(got[k] == want[perm[k]]);
    }
}

TEST_CASE("lineState: every state, first match wins")
{
    // cancelled wins over everything, even a fully picked line.
    CHECK(lineState(orderLine("SO-1", 1, 5, 0, 5, true), true) == LineState::Cancelled);
    CHECK(lineState(orderLine("SO-1", 1, 5, 2, 1, true), false) == LineState::Cancelled);
    // picked = qty wins over allocated (allocated + picked = qty as well).
    CHECK(lineState(orderLine("SO-1", 1, 5, 0, 5), false) == LineState::Picked);
    CHECK(lineState(orderLine("SO-1", 1, 5, 0, 5), true) == LineState::Picked);
    // allocated + picked = qty wins over partially_allocated.
    CHECK(lineState(orderLine("SO-1", 1, 5, 5, 0), false) == LineState::Allocated);
    CHECK(lineState(orderLine("SO-1", 1, 5, 3, 2), true) == LineState::Allocated);
    // anything allocated or picked, short of qty, wins over backordered / out_of_stock.
    CHECK(lineState(orderLine("SO-1", 1, 5, 1, 0), true) == LineState::PartiallyAllocated);
    CHECK(lineState(orderLine("SO-1", 1, 5, 0, 1), false) == LineState::PartiallyAllocated);
    CHECK(lineState(orderLine("SO-1", 1, 5, 2, 2), false) == LineState::PartiallyAllocated);
    // nothing yet: the eta decides.
    CHECK(lineState(orderLine("SO-1", 1, 5), true) == LineState::Backordered);
    CHECK(lineState(orderLine("SO-1", 1, 5), false) == LineState::OutOfStock);

    CHECK(lineStateName(LineState::Cancelled) == "cancelled");
    CHECK(lineStateName(LineState::Picked) == "picked");
    CHECK(lineStateName(LineState::Allocated) == "allocated");
    CHECK(lineStateName(LineState::PartiallyAllocated) == "partially_allocated");
    CHECK(lineStateName(LineState::Backordered) == "backordered");
    CHECK(lineStateName(LineState::OutOfStock) == "out_of_stock");
}

TEST_CASE("projection agrees with a unit-by-unit walk over many seeds")
{
    // The reference hands out inbound one unit at a time to the lines in allocation order and
    // notes the eta of the unit that completes each line.
    for (uint64_t seed = 1; seed <= 300; ++seed) {
        CAPTURE(seed);
        std::mt19937_64 rng(seed);
        std::uniform_int_distribution<int> pick(0, 1 << 20);
        std::vector<OrderLine> lines;
        const int n = 1 + static_cast<int>(seed % 40);
        for (int i = 0; i < n; ++i) {
            auto l = orderLine("SO-" + std::to_string(pick(rng) % 10), i, 1 + pick(rng) % 6, 0, 0, pick(rng) % 9 == 0,
                               pick(rng) % 3, kNov1 + (pick(rng) % 3) * kDay);
            const int split = pick(rng) % 4;
            if (split == 1) l.allocated = pick(rng) % (l.qty + 1);
            if (split == 2) l.picked = pick(rng) % (l.qty + 1);
            if (pick(rng) % 2) l.promisedAt = kNov1 + (pick(rng) % 3) * kDay;
            lines.push_back(std::move(l));
        }
        std::vector<InboundSupply> supply;
        const int m = static_cast<int>(pick(rng) % 6);
        for (int j = 0; j < m; ++j)
            supply.push_back({Date{day("2026-12-01").days + pick(rng) % 3}, "PO-" + std::to_string(pick(rng) % 3), pick(rng) % 4,
                              static_cast<Qty>(pick(rng) % 12) - 2});

        const auto w = waiting(lines);
        std::vector<size_t> lineOrder;
        for (size_t i = 0; i < w.size(); ++i)
            if (w[i].remaining > 0) lineOrder.push_back(i);
        std::stable_sort(lineOrder.begin(), lineOrder.end(), [&](size_t a, size_t b) { return allocatesBefore(w[a], w[b]); });
        std::vector<size_t> supplyOrder;
        for (size_t j = 0; j < supply.size(); ++j) supplyOrder.push_back(j);
        std::stable_sort(supplyOrder.begin(), supplyOrder.end(), [&](size_t a, size_t b) {
            const auto& x = supply[a];
            const auto& y = supply[b];
            return std::tie(x.eta, x.inboundId, x.rowOrder) < std::tie(y.eta, y.inboundId, y.rowOrder);
        });
        std::vector<Date> units;
        for (size_t j : supplyOrder)
            for (Qty u = 0; u < supply[j].open; ++u) units.push_back(supply[j].eta);
        std::vector<std::optional<Date>> want(w.size());
        size_t used = 0;
        for (size_t i : lineOrder) {
            if (used + static_cast<size_t>(w[i].remaining) > units.size()) break;
            used += static_cast<size_t>(w[i].remaining);
            want[i] = units[used - 1];
        }
        CHECK(projectEtas(w, supply) == want);
    }
}

TEST_CASE("the example of docs/allocation.md")
{
    const std::vector<OrderLine> lines{
        orderLine("SO-9", 2, 4),
        orderLine("SO-10", 1, 10, 6),
        orderLine("SO-1", 1, 5, 0, 0, false, 1),
        orderLine("SO-9", 1, 3),
    };
    const auto w = waiting(lines);
    const auto r = allocate(7, w);
    REQUIRE(r.size() == 2);
    CHECK(r[0].index == 2);
    CHECK(r[0].qty == 5);
    CHECK(r[1].index == 1);
    CHECK(r[1].qty == 2);

    const std::vector<InboundSupply> supply{
        inbound("2026-12-10", "PO-2", 1, 6),
        inbound("2026-12-01", "PO-1", 1, 4),
        inbound("2026-12-10", "PO-3", 2, 2),
    };
    CHECK(etas(lines, supply) == Strings{"null", "2026-12-10", "2026-12-10", "2026-12-10"});
    CHECK(states(lines, supply) == Strings{"out_of_stock", "partially_allocated", "backordered", "backordered"});
    const auto by = completingSupply(w, supply);
    CHECK_FALSE(by[0]);
    CHECK(by[1] == std::optional<size_t>{0});
    CHECK(by[2] == std::optional<size_t>{0});
    CHECK(by[3] == std::optional<size_t>{2});
}
