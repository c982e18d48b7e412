#include "ledger/Allocation.h"

#include <algorithm>
#include <compare>
#include <cstdint>

namespace backfill::ledger {

namespace {

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

    std::vector<size_t> waiting;
    waiting.reserve(lines.size());
    Qty demand = 0;
    bool demandExceedsFree = false;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].remaining <= 0) continue;
        waiting.push_back(i);
        // Only "does everything fit" matters, so stop summing once demand passes free; the
        // test is written as a subtraction so that huge remainders cannot overflow the sum.
        if (!demandExceedsFree) {
            demandExceedsFree = lines[i].remaining > freeQty - demand;
            demand += demandExceedsFree ? 0 : lines[i].remaining;
        }
    }
    if (waiting.empty()) return result;

    const ByAllocationOrder before{lines};
    if (!demandExceedsFree) {
        // Every waiting line is filled completely: the result is all of them in order.
        std::sort(waiting.begin(), waiting.end(), before);
        result.reserve(waiting.size());
        for (size_t i : waiting) result.push_back({i, lines[i].remaining});
        return result;
    }

    // Free stock runs out part way: only the first k lines in allocation order get units,
    // and a receipt usually covers a few of a product's thousands of waiting lines. A heap
    // costs O(n) to build and O(log n) per line served, O(n + k log n) in all, where a full
    // sort would cost O(n log n) whatever the receipt.
    const auto after = [&before](size_t a, size_t b) { return before(b, a); };
    std::make_heap(waiting.begin(), waiting.end(), after);
    auto heapEnd = waiting.end();
    Qty left = freeQty;
    while (left > 0 && heapEnd != waiting.begin()) {
        std::pop_heap(waiting.begin(), heapEnd, after);
        --heapEnd;
        const size_t i = *heapEnd;
        const Qty qty = std::min(left, lines[i].remaining);
        result.push_back({i, qty});
        left -= qty;
    }
    return result;
}

} // namespace backfill::ledger
