// The release rule (ledger/Release.h): excess allocations come back from the lines served
// last, in exact reverse allocation order.
#include "ledger/Release.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

using namespace backfill::ledger;

namespace {

AllocatedLine held(std::string order, int64_t line, int64_t priority, std::optional<Timestamp> promised, Timestamp ordered,
                   Qty allocated)
{
    return AllocatedLine{WaitingLine{std::move(order), line, priority, promised, ordered, 0}, allocated};
}

// taken gives (order id, qty) of each release, in order.
std::vector<std::pair<std::string, Qty>> taken(const std::vector<AllocatedLine>& lines, Qty excess)
{
    std::vector<std::pair<std::string, Qty>> out;
    for (const auto& r : releaseLastServed(excess, lines)) out.emplace_back(lines[r.index].key.orderId, r.qty);
    return out;
}

} // namespace

TEST_CASE("releaseLastServed: reverse allocation order (priority, promised, ordered, order id, line)")
{
    // Allocation order: P2 (priority 2), PR1 (promised earlier), PR2, NP (no promise), then by
    // order date O1 < O2, then order id bytewise B < a, then line 1 < 2.
    const std::vector<AllocatedLine> lines{
        held("a", 1, 0, std::nullopt, 500, 1),  held("NP", 1, 1, std::nullopt, 100, 1), held("O2", 1, 0, std::nullopt, 400, 1),
        held("P2", 1, 2, std::nullopt, 900, 1), held("PR2", 1, 1, 200, 100, 1),          held("B", 2, 0, std::nullopt, 500, 1),
        held("PR1", 1, 1, 100, 100, 1),          held("O1", 1, 0, std::nullopt, 300, 1), held("B", 1, 0, std::nullopt, 500, 1),
    };
    const auto all = releaseLastServed(100, lines);
    std::vector<std::pair<std::string, int64_t>> order;
    for (const auto& r : all) order.emplace_back(lines[r.index].key.orderId, lines[r.index].key.line);
    CHECK(order == std::vector<std::pair<std::string, int64_t>>{
                       {"a", 1}, {"B", 2}, {"B", 1}, {"O2", 1}, {"O1", 1}, {"NP", 1}, {"PR2", 1}, {"PR1", 1}, {"P2", 1}});
}

TEST_CASE("releaseLastServed: partial release of the line it stops at, never more than a line holds")
{
    const std::vector<AllocatedLine> lines{held("FIRST", 1, 0, std::nullopt, 100, 5), held("LAST", 1, 0, std::nullopt, 300, 3),
                                           held("MID", 1, 0, std::nullopt, 200, 4)};
    CHECK(taken(lines, 2) == std::vector<std::pair<std::string, Qty>>{{"LAST", 2}});
    CHECK(taken(lines, 3) == std::vector<std::pair<std::string, Qty>>{{"LAST", 3}});
    CHECK(taken(lines, 6) == std::vector<std::pair<std::string, Qty>>{{"LAST", 3}, {"MID", 3}});
    CHECK(taken(lines, 12) == std::vector<std::pair<std::string, Qty>>{{"LAST", 3}, {"MID", 4}, {"FIRST", 5}});
    // More than every allocation: all of it, nothing invented.
    CHECK(taken(lines, 1000) == std::vector<std::pair<std::string, Qty>>{{"LAST", 3}, {"MID", 4}, {"FIRST", 5}});
}

TEST_CASE("releaseLastServed: nothing to release, or nothing held")
{
    const std::vector<AllocatedLine> lines{held("A", 1, 0, std::nullopt, 100, 0), held("B", 1, 0, std::nullopt, 200, 2),
                                           held("C", 1, 0, std::nullopt, 300, -1)};
    CHECK(releaseLastServed(0, lines).empty());
    CHECK(releaseLastServed(-4, lines).empty());
    CHECK(releaseLastServed(5, std::span<const AllocatedLine>{}).empty());
    // Lines holding nothing (or a negative figure) give nothing, even when last in order.
    CHECK(taken(lines, 5) == std::vector<std::pair<std::string, Qty>>{{"B", 2}});
}

TEST_CASE("releaseLastServed: duplicate keys come back in reverse index order")
{
    const std::vector<AllocatedLine> lines{held("D", 1, 0, std::nullopt, 100, 1), held("D", 1, 0, std::nullopt, 100, 1)};
    const auto r = releaseLastServed(1, lines);
    REQUIRE(r.size() == 1);
    CHECK(r[0].index == 1);
}
