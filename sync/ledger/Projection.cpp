#include "ledger/Projection.h"

#include <algorithm>
#include <limits>

namespace backfill::ledger {

std::vector<std::optional<size_t>> completingSupply(std::span<const WaitingLine> lines, std::span<const InboundSupply> supply)
{
    std::vector<std::optional<size_t>> result(lines.size());

    std::vector<size_t> order;
    order.reserve(supply.size());
    Qty totalOpen = 0;
    for (size_t i = 0; i < supply.size(); ++i) {
        if (supply[i].open <= 0) continue;
        order.push_back(i);
        // Saturate: more inbound than an int64 can count covers every line anyway.
        totalOpen = supply[i].open > std::numeric_limits<Qty>::max() - totalOpen ? std::numeric_limits<Qty>::max()
                                                                                 : totalOpen + supply[i].open;
    }
    if (order.empty()) return result;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const InboundSupply& x = supply[a];
        const InboundSupply& y = supply[b];
        if (x.eta != y.eta) return x.eta < y.eta;
        if (const int c = x.inboundId.compare(y.inboundId); c != 0) return c < 0;
        if (x.rowOrder != y.rowOrder) return x.rowOrder < y.rowOrder;
        return a < b;
    });

    // Handing the whole open inbound to the remainders is the allocation rule itself, so it
    // decides which lines the inbound reaches and in which order; a line it only partly fills
    // is not covered (DESIGN.md 1: no date can be promised for it).
    const std::vector<LineAllocation> reached = allocate(totalOpen, lines);

    size_t next = 0;              // position in `order` of the inbound line now being consumed
    Qty leftInNext = supply[order[0]].open;
    for (const LineAllocation& a : reached) {
        if (a.qty < lines[a.index].remaining) break; // the last one reached, and not completed
        Qty need = a.qty;
        while (true) {
            const Qty take = std::min(need, leftInNext);
            need -= take;
            leftInNext -= take;
            if (need == 0) {
                result[a.index] = order[next];
                if (leftInNext == 0 && next + 1 < order.size()) leftInNext = supply[order[++next]].open;
                break;
            }
            // allocate() never hands out more than totalOpen, so another inbound line exists.
            leftInNext = supply[order[++next]].open;
        }
    }
    return result;
}

std::vector<std::optional<Date>> projectEtas(std::span<const WaitingLine> lines, std::span<const InboundSupply> supply)
{
    const std::vector<std::optional<size_t>> by = completingSupply(lines, supply);
    std::vector<std::optional<Date>> result(by.size());
    for (size_t i = 0; i < by.size(); ++i)
        if (by[i]) result[i] = supply[*by[i]].eta;
    return result;
}

LineState lineState(const OrderLine& line, bool hasEta)
{
    if (line.cancelled) return LineState::Cancelled;
    if (line.picked >= line.qty) return LineState::Picked;
    if (line.allocated + line.picked >= line.qty) return LineState::Allocated;
    if (line.allocated + line.picked > 0) return LineState::PartiallyAllocated;
    return hasEta ? LineState::Backordered : LineState::OutOfStock;
}

std::string_view lineStateName(LineState state)
{
    switch (state) {
    case LineState::Cancelled: return "cancelled";
    case LineState::Picked: return "picked";
    case LineState::Allocated: return "allocated";
    case LineState::PartiallyAllocated: return "partially_allocated";
    case LineState::Backordered: return "backordered";
    case LineState::OutOfStock: return "out_of_stock";
    }
    return {};
}

} // namespace backfill::ledger
