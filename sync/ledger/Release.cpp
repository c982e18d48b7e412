#include "ledger/Release.h"

#include <algorithm>

namespace backfill::ledger {

std::vector<LineRelease> releaseLastServed(Qty excess, std::span<const AllocatedLine> lines)
{
    std::vector<LineRelease> result;
    if (excess <= 0) return result;
    std::vector<size_t> holding;
    for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i].allocated > 0) holding.push_back(i);
    // Last served first; two lines with the same key (a caller's duplicate) in reverse index
    // order, so the result is the exact reverse of a deterministic allocation order.
    std::sort(holding.begin(), holding.end(), [&](size_t a, size_t b) {
        if (allocatesBefore(lines[a].key, lines[b].key)) return false;
        if (allocatesBefore(lines[b].key, lines[a].key)) return true;
        return a > b;
    });
    Qty left = excess;
    for (size_t i : holding) {
        if (left == 0) break;
        const Qty qty = std::min(left, lines[i].allocated);
        result.push_back({i, qty});
        left -= qty;
    }
    return result;
}

} // namespace backfill::ledger
