#include "ledger/Allocation.h"

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace backfill::ledger {

namespace {

constexpr Qty kMaxQty = std::numeric_limits<Qty>::max();
// The one-pass selection below serves receipts of at most 1/kFewDivisor units per waiting
// line; bigger receipts reach a larger share of the lines, where selecting them with
// nth_element is cheaper than pushing most of them through a heap (bench/README.md).
constexpr uint64_t kFewDivisor = 4;
// Up to this many waiting lines a plain sort is the fastest way to the allocation order.
constexpr size_t kSortUpTo = 32;

// compareAllocation is allocatesBefore as a three-way comparison, so that the tie-break on
// the span index below costs one comparison, not two.
std::strong_ordering compareAllocation(const WaitingLine& a, const WaitingLine& b)
{
    if (a.priority != b.priority) return b.priority <=> a.priority; // higher first
    if (a.promisedAt.has_value() != b.promisedAt.has_value())
        return a.promisedAt.has_value() ? std::strong_ordering::less : std::strong_ordering::greater; // none last
    if (a.promisedAt && *a.promisedAt != *b.promisedAt) return *a.promisedAt <=> *b.promisedAt;
    if (a.orderedAt != b.orderedAt) return a.orderedAt <=> b.orderedAt;
    // std::string::compare goes through char_traits<char>::compare, which compares as
    // unsigned char like memcmp: bytewise, whatever the signedness of char.
    if (const int c = a.orderId.compare(b.orderId); c != 0) return c <=> 0;
    return a.line <=> b.line;
}

// ByAllocationOrder orders span indices by the rule, then by index, so that two lines with
// the same key (a caller's duplicate) still come out in one deterministic order.
struct ByAllocationOrder {
    std::span<const WaitingLine> lines;
    bool operator()(size_t a, size_t b) const
    {
        const auto c = compareAllocation(lines[a], lines[b]);
        return c != 0 ? c < 0 : a < b;
    }
};

} // namespace

bool allocatesBefore(const WaitingLine& a, const WaitingLine& b) { return compareAllocation(a, b) < 0; }

std::vector<LineAllocation> allocate(Qty freeQty, std::span<const WaitingLine> lines)
{
    std::vector<LineAllocation> result;
    if (freeQty <= 0) return result;

    size_t waitingCount = 0;
    Qty demand = 0;
    bool demandExceedsFree = false;
    for (const WaitingLine& w : lines) {
        if (w.remaining <= 0) continue;
        ++waitingCount;
        // Only "does everything fit" matters, so stop summing once demand passes free; the
        // test is written as a subtraction so that huge remainders cannot overflow the sum.
        if (!demandExceedsFree) {
            demandExceedsFree = w.remaining > freeQty - demand;
            demand += demandExceedsFree ? 0 : w.remaining;
        }
    }
    if (waitingCount == 0) return result;

    const ByAllocationOrder before{lines};
    const auto fillInOrder = [&](std::span<const size_t> ordered) {
        Qty left = freeQty;
        for (size_t i : ordered) {
            if (left == 0) break;
            const Qty qty = std::min(left, lines[i].remaining);
            result.push_back({i, qty});
            left -= qty;
        }
    };

    if (!demandExceedsFree || waitingCount <= kSortUpTo) {
        // Every waiting line is filled completely: the result is all of them in order, and
        // nothing beats a sort for that. A handful of lines is sorted too: at that size the
        // selections below only add overhead.
        std::vector<size_t> waiting;
        waiting.reserve(waitingCount);
        for (size_t i = 0; i < lines.size(); ++i)
            if (lines[i].remaining > 0) waiting.push_back(i);
        std::sort(waiting.begin(), waiting.end(), before);
        result.reserve(waiting.size());
        fillInOrder(waiting);
        return result;
    }

    // Free stock runs out part way: only the first k lines in allocation order get units,
    // and a receipt usually covers a few of a product's thousands of waiting lines. Each line
    // gets at least one unit, so k <= freeQty.
    if (static_cast<uint64_t>(freeQty) <= waitingCount / kFewDivisor) {
        // Few units: one pass keeps the best lines whose remainders just reach freeQty in a
        // heap with the worst of them on top. Most lines lose one comparison against the top
        // and are never copied: O(n) comparisons plus O(log k) per line that enters.
        std::vector<size_t> best;
        Qty held = 0; // remainders in `best`, saturating: an undercount only keeps more lines
        for (size_t i = 0; i < lines.size(); ++i) {
            const Qty remaining = lines[i].remaining;
            if (remaining <= 0) continue;
            if (held >= freeQty && !before(i, best.front())) continue; // after everything kept
            best.push_back(i);
            std::push_heap(best.begin(), best.end(), before);
            held = remaining > kMaxQty - held ? kMaxQty : held + remaining;
            // Drop the worst line while the others still cover freeQty: it would get nothing.
            while (held - lines[best.front()].remaining >= freeQty) {
                held -= lines[best.front()].remaining;
                std::pop_heap(best.begin(), best.end(), before);
                best.pop_back();
            }
        }
        std::sort(best.begin(), best.end(), before);
        fillInOrder(best);
        return result;
    }

    // Many units: select in rounds. Guess how many of the best lines the free units reach
    // from the average remainder (with a margin), move exactly those to the front with
    // nth_element, O(n), and sort only them, O(k log k). If they do not use up the free units
    // they are all filled, and the next round, with twice the margin, works on the rest. One
    // round is the rule; the skewed cases take a few, each on a shrinking range.
    std::vector<size_t> waiting;
    waiting.reserve(waitingCount);
    double totalRemaining = 0; // only for the guess: a double cannot overflow here
    for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i].remaining > 0) {
            waiting.push_back(i);
            totalRemaining += static_cast<double>(lines[i].remaining);
        }
    const double averageRemaining = totalRemaining / static_cast<double>(waitingCount);
    double margin = 1.25;
    auto first = waiting.begin();
    Qty left = freeQty;
    while (left > 0 && first != waiting.end()) {
        const auto rest = static_cast<size_t>(waiting.end() - first);
        const double guess = static_cast<double>(left) / averageRemaining * margin + 16;
        const size_t k = guess >= static_cast<double>(rest) ? rest : static_cast<size_t>(guess);
        if (k < rest) std::nth_element(first, first + static_cast<std::ptrdiff_t>(k), waiting.end(), before);
        const auto last = first + static_cast<std::ptrdiff_t>(k);
        std::sort(first, last, before);
        for (; first != last && left > 0; ++first) {
            const Qty qty = std::min(left, lines[*first].remaining);
            result.push_back({*first, qty});
            left -= qty;
        }
        margin *= 2;
    }
    return result;
}

} // namespace backfill::ledger
