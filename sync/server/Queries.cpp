#include "server/Queries.h"

#include <map>

namespace backfill::server {

Result<std::vector<BackorderRow>> backorders(ServerStore& store)
{
    auto lines = store.orderLines();
    if (!lines) return ledger::unexpected(lines.error());
    std::vector<BackorderRow> rows;
    std::map<std::string, std::vector<size_t>> bySku;
    for (auto& l : *lines) {
        bySku[l.sku].push_back(rows.size());
        rows.push_back({std::move(l), ledger::LineState::OutOfStock, std::nullopt});
    }
    for (const auto& [sku, index] : bySku) {
        std::vector<ledger::WaitingLine> waiting;
        std::vector<size_t> at;
        for (const size_t i : index) {
            const auto& l = rows[i].line;
            if (l.remaining() <= 0) continue;
            waiting.push_back({l.orderId, l.line, l.priority, l.promisedAt, l.orderedAt, l.remaining()});
            at.push_back(i);
        }
        if (waiting.empty()) continue;
        auto supply = store.inboundSupply(sku);
        if (!supply) return ledger::unexpected(supply.error());
        const auto etas = ledger::projectEtas(waiting, *supply);
        for (size_t k = 0; k < at.size(); ++k) rows[at[k]].eta = etas[k];
    }
    for (auto& r : rows) {
        r.state = ledger::lineState(r.line, r.eta.has_value());
        if (r.state != ledger::LineState::Backordered && r.state != ledger::LineState::PartiallyAllocated) r.eta.reset();
    }
    return rows;
}

} // namespace backfill::server
