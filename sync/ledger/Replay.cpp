#include "ledger/Replay.h"

namespace backfill::ledger {

namespace {

template <class Map, class Cell>
void dropIfEmpty(Map& map, const typename Map::key_type& key, const Cell& cell)
{
    if (cell == Cell{}) map.erase(key);
}

} // namespace

LedgerState replay(std::span<const Event> events)
{
    LedgerState state;
    auto stockAt = [&](const std::string& sku, const std::string& location, const std::string& lot, Qty qty, Qty held) {
        const StockKey key{sku, location, lot};
        auto& cell = state.stock[key];
        cell.qty += qty;
        cell.held += held;
        dropIfEmpty(state.stock, key, cell);
    };
    auto line = [&](const Event& e, Qty allocated, Qty picked) {
        const LineKey key{e.orderId, e.line};
        auto& cell = state.lines[key];
        cell.allocated += allocated;
        cell.picked += picked;
        dropIfEmpty(state.lines, key, cell);
    };
    for (const Event& e : events) {
        switch (e.kind) {
        case EventKind::Received:
        case EventKind::Adjusted:
            stockAt(e.sku, e.location, e.lot, e.qty, 0);
            break;
        case EventKind::Moved:
            stockAt(e.sku, e.location, e.lot, -e.qty, 0);
            stockAt(e.sku, e.toLocation, e.lot, e.qty, 0);
            break;
        case EventKind::Picked:
            stockAt(e.sku, e.location, e.lot, -e.qty, 0);
            line(e, -e.qty, e.qty);
            break;
        case EventKind::Allocated:
            line(e, e.qty, 0);
            break;
        case EventKind::Deallocated:
            line(e, -e.qty, 0);
            break;
        case EventKind::Held:
            stockAt(e.sku, e.location, e.lot, 0, e.qty);
            break;
        case EventKind::Counted:
            break;
        }
    }
    return state;
}

} // namespace backfill::ledger
