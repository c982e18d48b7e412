#include "ledger/Allocation.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace backfill::ledger;

namespace {

constexpr Timestamp kDay = 86400;
constexpr Timestamp kNov1 = 1793491200; // 2026-11-01T00:00:00Z

WaitingLine line(std::string orderId, int64_t lineNo, Qty remaining, int64_t priority = 0, Timestamp orderedAt = kNov1,
                 std::optional<Timestamp> promisedAt = std::nullopt)
{
    return WaitingLine{std::move(orderId), lineNo, priority, promisedAt, orderedAt, remaining};
}

// referenceKey spells the order out as a tuple, independently of allocatesBefore: priority
// (higher first), promised (none last), promised date, order date, order id, line.
auto referenceKey(const WaitingLine& w)
{
    return std::make_tuple(-w.priority, !w.promisedAt.has_value(), w.promisedAt.value_or(0), w.orderedAt, w.orderId, w.line);
}

// referenceAllocate is the rule written the obvious way: sort everything, fill greedily.
std::vector<LineAllocation> referenceAllocate(Qty freeQty, const std::vector<WaitingLine>& lines)
{
    std::vector<size_t> order(lines.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return referenceKey(lines[a]) < referenceKey(lines[b]); });
    std::vector<LineAllocation> out;
    for (size_t i : order) {
        if (freeQty <= 0) break;
        if (lines[i].remaining <= 0) continue;
        const Qty q = std::min(freeQty, lines[i].remaining);
        out.push_back({i, q});
        freeQty -= q;
    }
    return out;
}

// randomLines draws lines with many ties: few priorities, few dates, about a third without a
// promised date, some with nothing (or less than nothing) remaining. (orderId, line) is unique.
std::vector<WaitingLine> randomLines(std::mt19937_64& rng, size_t n)
{
    std::uniform_int_distribution<int> pick(0, 1 << 30);
    std::vector<WaitingLine> lines;
    for (size_t i = 0; i < n; ++i) {
        WaitingLine w;
        w.orderId = "SO-" + std::to_string(pick(rng) % (n / 3 + 2));
        w.line = static_cast<int64_t>(i); // unique, but not in the order of orderId
        w.priority = pick(rng) % 3 - 1;
        if (pick(rng) % 3 != 0) w.promisedAt = kNov1 + (pick(rng) % 4) * kDay;
        w.orderedAt = kNov1 - (pick(rng) % 4) * kDay;
        const int r = pick(rng) % 10;
        w.remaining = r == 0 ? 0 : r == 1 ? -2 : 1 + pick(rng) % 7;
        lines.push_back(std::move(w));
    }
    std::shuffle(lines.begin(), lines.end(), rng);
    return lines;
}

// pairsOf gives allocations as (index, qty) pairs, so one CHECK compares them all and prints
// both sides when they differ.
std::vector<std::pair<size_t, Qty>> pairsOf(const std::vector<LineAllocation>& allocs)
{
    std::vector<std::pair<size_t, Qty>> out;
    for (const auto& a : allocs) out.emplace_back(a.index, a.qty);
    return out;
}

Qty sumRemaining(const std::vector<WaitingLine>& lines)
{
    Qty s = 0;
    for (const auto& w : lines) s += std::max<Qty>(w.remaining, 0);
    return s;
}

using Key = std::pair<std::string, int64_t>;
std::vector<std::pair<Key, Qty>> byKey(const std::vector<WaitingLine>& lines, const std::vector<LineAllocation>& allocs)
{
    std::vector<std::pair<Key, Qty>> out;
    for (const auto& a : allocs) out.push_back({{lines[a.index].orderId, lines[a.index].line}, a.qty});
    return out;
}

// firstOf allocates one unit between two lines and tells which of them got it.
size_t firstOf(const WaitingLine& a, const WaitingLine& b)
{
    const std::vector<WaitingLine> lines{a, b};
    const auto r = allocate(1, lines);
    REQUIRE(r.size() == 1);
    CHECK(r[0].qty == 1);
    return r[0].index;
}

} // namespace

TEST_CASE("allocate matches the sort-and-fill reference over many seeds")
{
    for (uint64_t seed = 1; seed <= 400; ++seed) {
        CAPTURE(seed);
        std::mt19937_64 rng(seed);
        const size_t n = 1 + seed % 97;
        const std::vector<WaitingLine> lines = randomLines(rng, n);
        const Qty demand = sumRemaining(lines);
        // Free stock from none to more than everything, including exactly the demand.
        const Qty frees[] = {0, 1, demand / 3, demand - 1, demand, demand + 5, static_cast<Qty>(rng() % (demand + 2))};
        for (Qty freeQty : frees) {
            CAPTURE(freeQty);
            const auto got = allocate(freeQty, lines);
            CHECK(pairsOf(got) == pairsOf(referenceAllocate(freeQty, lines)));

            Qty total = 0;
            std::vector<Qty> given(lines.size(), 0);
            for (const auto& a : got) {
                REQUIRE(a.index < lines.size());
                CHECK(a.qty > 0);
                given[a.index] += a.qty;
                total += a.qty;
            }
            for (size_t i = 0; i < lines.size(); ++i) CHECK(given[i] <= std::max<Qty>(lines[i].remaining, 0));
            CHECK(total <= std::max<Qty>(freeQty, 0));
            CHECK(total == std::min(std::max<Qty>(freeQty, 0), demand));
            // Each line appears once, and in allocation order.
            for (size_t i = 1; i < got.size(); ++i) CHECK(allocatesBefore(lines[got[i - 1].index], lines[got[i].index]));
            // Only the last line served may be partly filled.
            for (size_t i = 0; i + 1 < got.size(); ++i) CHECK(got[i].qty == lines[got[i].index].remaining);
        }
    }
}

TEST_CASE("allocate does not depend on the input order")
{
    for (uint64_t seed = 1; seed <= 100; ++seed) {
        CAPTURE(seed);
        std::mt19937_64 rng(seed * 7919);
        std::vector<WaitingLine> lines = randomLines(rng, 60);
        const Qty freeQty = sumRemaining(lines) / 2 + 1;
        const auto first = byKey(lines, allocate(freeQty, lines));
        for (int round = 0; round < 5; ++round) {
            std::shuffle(lines.begin(), lines.end(), rng);
            CHECK(byKey(lines, allocate(freeQty, lines)) == first);
        }
        std::reverse(lines.begin(), lines.end());
        CHECK(byKey(lines, allocate(freeQty, lines)) == first);
    }
}

TEST_CASE("allocate serves a large product with a small receipt exactly like the reference")
{
    std::mt19937_64 rng(2026);
    const std::vector<WaitingLine> lines = randomLines(rng, 20000);
    for (Qty freeQty : {Qty{1}, Qty{24}, Qty{500}, Qty{9999}}) {
        CHECK(pairsOf(allocate(freeQty, lines)) == pairsOf(referenceAllocate(freeQty, lines)));
    }
}

TEST_CASE("allocatesBefore: each tie-break on its own")
{
    SUBCASE("higher priority first, whatever the dates")
    {
        const auto hi = line("SO-9", 9, 5, 2, kNov1 + 9 * kDay);
        const auto lo = line("SO-1", 1, 5, 1, kNov1, kNov1);
        CHECK(allocatesBefore(hi, lo));
        CHECK_FALSE(allocatesBefore(lo, hi));
        CHECK(firstOf(lo, hi) == 1);
        CHECK(allocatesBefore(line("A", 1, 1, 0), line("A", 1, 1, -1)));
    }
    SUBCASE("a promised date before none, earlier promise first")
    {
        const auto promised = line("SO-9", 9, 5, 0, kNov1 + 9 * kDay, kNov1 + 30 * kDay);
        const auto none = line("SO-1", 1, 5, 0, kNov1);
        CHECK(allocatesBefore(promised, none));
        CHECK_FALSE(allocatesBefore(none, promised));
        CHECK(firstOf(none, promised) == 1);
        const auto sooner = line("SO-9", 9, 5, 0, kNov1 + 9 * kDay, kNov1 + 10 * kDay);
        CHECK(allocatesBefore(sooner, promised));
        CHECK(firstOf(promised, sooner) == 1);
    }
    SUBCASE("then the earlier order date")
    {
        const auto older = line("SO-9", 9, 5, 0, kNov1, kNov1 + 5 * kDay);
        const auto newer = line("SO-1", 1, 5, 0, kNov1 + 1, kNov1 + 5 * kDay);
        CHECK(allocatesBefore(older, newer));
        CHECK(firstOf(newer, older) == 1);
        CHECK(firstOf(line("SO-9", 9, 5), line("SO-1", 1, 5, 0, kNov1 + kDay)) == 0);
    }
    SUBCASE("then the order id, bytewise")
    {
        CHECK(allocatesBefore(line("SO-10", 1, 5), line("SO-9", 1, 5)));
        CHECK(firstOf(line("SO-9", 1, 5), line("SO-10", 1, 5)) == 1);
        CHECK(allocatesBefore(line("SO-B", 1, 5), line("SO-a", 1, 5))); // 'B' 0x42 < 'a' 0x61
        CHECK(allocatesBefore(line("SO", 1, 5), line("SO-1", 1, 5)));   // a prefix first
        // Bytes above 0x7f sort after ASCII, as unsigned bytes do.
        CHECK(allocatesBefore(line("SO-z", 1, 5), line("SO-\xc3\xa9", 1, 5)));
        CHECK(firstOf(line("SO-\xc3\xa9", 1, 5), line("SO-z", 1, 5)) == 1);
    }
    SUBCASE("then the line number")
    {
        CHECK(allocatesBefore(line("SO-1", 2, 5), line("SO-1", 10, 5)));
        CHECK(firstOf(line("SO-1", 10, 5), line("SO-1", 2, 5)) == 1);
        CHECK_FALSE(allocatesBefore(line("SO-1", 2, 5), line("SO-1", 2, 7)));
    }
}

TEST_CASE("allocate: partial fills, leftovers and lines that need nothing")
{
    const std::vector<WaitingLine> lines{
        line("SO-3", 1, 4),                              // 0
        line("SO-1", 1, 0),                              // 1: nothing remaining
        line("SO-2", 1, 3, 1),                           // 2: priority 1 goes first
        line("SO-1", 2, -1),                             // 3: over-allocated, gets nothing
        line("SO-4", 1, 6, 0, kNov1 - kDay),             // 4: older order
    };
    SUBCASE("a partial fill of the last line served")
    {
        const auto r = allocate(5, lines);
        REQUIRE(r.size() == 2);
        CHECK(r[0].index == 2);
        CHECK(r[0].qty == 3);
        CHECK(r[1].index == 4);
        CHECK(r[1].qty == 2);
    }
    SUBCASE("more free than demand: every line full, the rest stays free")
    {
        const auto r = allocate(100, lines);
        REQUIRE(r.size() == 3);
        CHECK(r[0].index == 2);
        CHECK(r[0].qty == 3);
        CHECK(r[1].index == 4);
        CHECK(r[1].qty == 6);
        CHECK(r[2].index == 0);
        CHECK(r[2].qty == 4);
    }
    SUBCASE("exactly the demand")
    {
        const auto r = allocate(13, lines);
        REQUIRE(r.size() == 3);
        CHECK(r[2].qty == 4);
    }
    SUBCASE("no free stock, negative free stock, no lines")
    {
        CHECK(allocate(0, lines).empty());
        CHECK(allocate(-5, lines).empty());
        CHECK(allocate(10, std::span<const WaitingLine>{}).empty());
        const std::vector<WaitingLine> idle{line("SO-1", 1, 0), line("SO-1", 2, -3)};
        CHECK(allocate(10, idle).empty());
    }
    SUBCASE("duplicate keys still come out deterministically, in span order")
    {
        const std::vector<WaitingLine> dup{line("SO-1", 1, 2), line("SO-1", 1, 2), line("SO-1", 1, 2)};
        const auto r = allocate(5, dup);
        REQUIRE(r.size() == 3);
        CHECK(r[0].index == 0);
        CHECK(r[1].index == 1);
        CHECK(r[2].index == 2);
        CHECK(r[2].qty == 1);
    }
}

TEST_CASE("allocate: large quantities do not overflow")
{
    constexpr Qty kBig = std::numeric_limits<Qty>::max() / 2 + 1;
    const std::vector<WaitingLine> lines{line("SO-1", 1, kBig), line("SO-2", 1, kBig), line("SO-3", 1, kBig)};
    const auto r = allocate(std::numeric_limits<Qty>::max(), lines);
    REQUIRE(r.size() == 2);
    CHECK(r[0].index == 0);
    CHECK(r[0].qty == kBig);
    CHECK(r[1].index == 1);
    CHECK(r[1].qty == std::numeric_limits<Qty>::max() - kBig);
}

TEST_CASE("allocate: small receipts with huge remainders do not overflow")
{
    constexpr Qty kBig = std::numeric_limits<Qty>::max() / 2 + 1;
    std::vector<WaitingLine> lines;
    for (int i = 0; i < 100; ++i) lines.push_back(line("SO-" + std::to_string(100 + i), 1, i % 2 ? kBig : 1));
    const auto r = allocate(3, lines); // 3 units for 100 lines: the one-pass selection
    const auto want = referenceAllocate(3, lines);
    REQUIRE(r.size() == 2);
    REQUIRE(want.size() == 2);
    CHECK(r[0].index == 0);
    CHECK(r[0].qty == 1);
    CHECK(r[1].index == 1);
    CHECK(r[1].qty == 2);
}

TEST_CASE("allocate: input already in allocation order, and in reverse")
{
    std::mt19937_64 rng(99);
    std::vector<WaitingLine> lines = randomLines(rng, 3000);
    std::sort(lines.begin(), lines.end(), [](const WaitingLine& a, const WaitingLine& b) { return referenceKey(a) < referenceKey(b); });
    for (int pass = 0; pass < 2; ++pass) {
        CAPTURE(pass);
        for (Qty freeQty : {Qty{1}, Qty{7}, Qty{300}, Qty{2000}, sumRemaining(lines) - 3}) {
            CAPTURE(freeQty);
            CHECK(pairsOf(allocate(freeQty, lines)) == pairsOf(referenceAllocate(freeQty, lines)));
        }
        std::reverse(lines.begin(), lines.end());
    }
}

TEST_CASE("allocate: skewed remainders, where the first lines in order need little and the rest a lot")
{
    // The best 500 lines need 1 unit each, the other 500 need 100: a guess from the average
    // remainder reaches too few lines at first, so the selection takes several rounds.
    std::mt19937_64 rng(5);
    std::vector<WaitingLine> lines;
    for (int i = 0; i < 1000; ++i)
        lines.push_back(line("SO-" + std::to_string(i), 1, i < 500 ? 1 : 100, i < 500 ? 1 : 0, kNov1 + (i % 13) * kDay));
    std::shuffle(lines.begin(), lines.end(), rng);
    for (Qty freeQty : {Qty{260}, Qty{499}, Qty{500}, Qty{600}, Qty{25000}, Qty{50499}}) {
        CAPTURE(freeQty);
        CHECK(pairsOf(allocate(freeQty, lines)) == pairsOf(referenceAllocate(freeQty, lines)));
    }
    const auto r = allocate(600, lines);
    REQUIRE(r.size() == 501);
    CHECK(r[499].qty == 1);
    CHECK(r[500].qty == 100);
    CHECK(lines[r[500].index].priority == 0);
}
