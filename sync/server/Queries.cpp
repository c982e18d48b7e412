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

Result<std::vector<ProductStock>> productStock(ServerStore& store, const std::optional<std::string>& sku)
{
    // The products asked for with their allocated units: one product's open lines, or every
    // product's positions in one pass (the demand window is not used here).
    std::vector<ledger::ProductPosition> positions;
    if (sku) {
        auto product = store.product(*sku);
        if (!product) return ledger::unexpected(product.error());
        if (!*product) return std::vector<ProductStock>{};
        auto lines = store.openLines(*sku);
        if (!lines) return ledger::unexpected(lines.error());
        ledger::ProductPosition one;
        one.sku = *sku;
        for (const auto& l : *lines) one.allocated += l.allocated;
        positions.push_back(std::move(one));
    } else {
        auto all = store.productPositions(0, 0);
        if (!all) return ledger::unexpected(all.error());
        positions = std::move(*all);
    }
    auto rows = store.stock(sku.value_or(""));
    if (!rows) return ledger::unexpected(rows.error());
    std::map<std::string, bool> quarantine; // by location code
    const ledger::Date today = entryDayOf(store);
    std::map<std::string, ProductStock> bySku;
    for (const auto& r : *rows) {
        auto kind = quarantine.find(r.location);
        if (kind == quarantine.end()) {
            auto k = store.locationKind(r.location);
            if (!k) return ledger::unexpected(k.error());
            kind = quarantine.emplace(r.location, *k == std::optional<ledger::LocationKind>(ledger::LocationKind::Quarantine)).first;
        }
        ProductStock& p = bySku[r.sku];
        p.onHand += r.qty;
        if (kind->second) p.quarantined += r.qty;
        else if (r.expiry && *r.expiry < today) p.expired += r.qty;
        else p.held += r.held;
        if (sku) p.locations.push_back(r);
    }
    std::vector<ProductStock> out;
    for (const auto& pos : positions) {
        ProductStock p = std::move(bySku[pos.sku]);
        p.sku = pos.sku;
        p.allocated = pos.allocated;
        out.push_back(std::move(p));
    }
    return out;
}

} // namespace backfill::server
