#include "ledger/Undo.h"

#include <algorithm>

namespace backfill::ledger {

bool takesUnitsFromPlace(EventKind kind)
{
    switch (kind) {
    case EventKind::Picked:
    case EventKind::Moved:
    case EventKind::Held:
    case EventKind::Counted:
    case EventKind::Adjusted:
        return true;
    case EventKind::Received:
    case EventKind::Allocated:
    case EventKind::Deallocated:
        return false;
    }
    return true;
}

std::vector<Qty> giveBackInbound(Qty qty, std::span<const Qty> receivedInFillOrder)
{
    std::vector<Qty> out(receivedInFillOrder.size(), 0);
    for (size_t i = receivedInFillOrder.size(); i-- > 0 && qty > 0;) {
        const Qty n = std::min(qty, std::max<Qty>(receivedInFillOrder[i], 0));
        out[i] = n;
        qty -= n;
    }
    return out;
}

} // namespace backfill::ledger
