// UiSession: the stock screen's glue (issue 12 item 7; docs/ui.md, Stock). The same store
// calls as `backfill stock --sku` and `backfill backorders` (CmdQueries.cpp).

#include "app/AppStore.h"
#include "app/UiSession.h"

namespace backfill::app {

namespace {
constexpr size_t kMaxHits = 500;
// The fast movers marked (issue 13): the 20 products with the most units picked over the
// demand window, the window and review days of `backfilld replenish`'s defaults.
constexpr int64_t kFastMovers = 20;
const ledger::ReplenishmentPolicy kPolicy{};

ui::ReorderInfo reorderInfo(const ledger::Replenishment& r)
{
    ui::ReorderInfo info;
    info.reorder = r.reorder;
    info.projected = r.projected;
    info.reorderPoint = r.reorderPoint;
    info.suggestedQty = r.suggestedQty;
    info.supplier = r.supplier;
    info.leadTimeDays = r.leadTimeDays;
    info.dailyDemand = ledger::formatDailyDemand(r.demandUnits, r.windowDays);
    if (r.uplift.scaled != ledger::kDecimalScale) info.uplift = ledger::formatDecimal(r.uplift);
    return info;
}
} // namespace

void UiSession::refreshStock()
{
    m_stockView.operatorName = m_g.signedInAs;
    m_stockView.unsynced = unsynced();
    m_fastMovers.clear();
    auto rows = m_store.velocity(m_g.today(), kPolicy.windowDays);
    if (!rows) {
        m_stockView.last = refusalFor(rows.error());
        return;
    }
    for (const auto& row : *rows)
        if (row.rank <= kFastMovers) m_fastMovers[row.sku] = row;
}

void UiSession::searchStock(const std::string& query)
{
    ui::StockView& v = m_stockView;
    v.hits.clear();
    if (query.empty()) return;
    auto hits = m_store.findProducts(query, kMaxHits);
    if (!hits) {
        v.last = refusalFor(hits.error());
        return;
    }
    for (const auto& h : *hits) {
        const auto fast = m_fastMovers.find(h.sku);
        v.hits.push_back({h.sku, h.description, fast == m_fastMovers.end() ? std::nullopt : std::optional<long long>(fast->second.rank)});
    }
}

void UiSession::openStockCard(const std::string& sku)
{
    ui::StockView& v = m_stockView;
    auto rows = m_store.stock(sku, m_g.today());
    if (!rows) {
        v.last = refusalFor(rows.error());
        return;
    }
    if (rows->empty()) {
        v.last = ui::refusal("unknown_sku", "product " + sku + " is not in the catalog");
        return;
    }
    const store::StockRow& r = rows->front();
    ui::StockCard card;
    card.sku = r.sku;
    if (auto found = m_store.findProducts(sku, 50))
        for (const auto& p : *found)
            if (p.sku == sku) card.description = p.description;
    card.onHand = r.onHand;
    card.allocated = r.allocated;
    card.free = r.free();
    card.held = r.held;
    card.quarantined = r.quarantined;
    card.expired = r.expired;
    for (const auto& l : r.locations)
        card.locations.push_back({l.location, l.lot, l.expiry ? std::optional<std::string>(ledger::formatDate(*l.expiry)) : std::nullopt,
                                  l.qty, l.held});
    if (auto state = m_store.reorderState(sku, m_g.today(), kPolicy); state && *state) card.reorder = reorderInfo(**state);
    else if (!state) v.last = refusalFor(state.error());
    if (const auto fast = m_fastMovers.find(sku); fast != m_fastMovers.end())
        card.fastMover = ui::FastMover{fast->second.rank, fast->second.units, kPolicy.windowDays};
    if (auto lines = m_store.backorders()) {
        for (const auto& b : *lines) {
            if (b.line.sku != sku || b.line.cancelled || b.line.picked >= b.line.qty) continue;
            card.waiting.push_back({b.line.orderId, b.line.line, b.line.customer, b.line.qty - b.line.picked, b.line.allocated,
                                    std::string(ledger::lineStateName(b.state)),
                                    b.eta ? std::optional<std::string>(ledger::formatDate(*b.eta)) : std::nullopt});
        }
    } else {
        v.last = refusalFor(lines.error());
    }
    v.card = std::move(card);
    if (!ui::needsAck(v.last)) v.last = {};
}

void UiSession::stockScan(const ScanMeaning& scan)
{
    ui::StockView& v = m_stockView;
    if (scan.kind == ScanMeaning::Kind::Product) {
        openStockCard(scan.sku);
        return;
    }
    if (scan.kind == ScanMeaning::Kind::Refused) v.last = ui::refusal(scan.code, scan.message);
    else v.last = ui::refusal("not_a_product", "scan a product's label to see its stock");
}

void UiSession::applyStock(const ui::StockIntent& intent)
{
    ui::StockView& v = m_stockView;
    switch (intent.kind) {
    case ui::StockIntent::Kind::Home: open(ui::ScreenId::Home); break;
    case ui::StockIntent::Kind::Search: searchStock(intent.query); break;
    case ui::StockIntent::Kind::Open:
        if (intent.index < v.hits.size()) openStockCard(v.hits[intent.index].sku);
        break;
    case ui::StockIntent::Kind::Back: v.card.reset(); break;
    case ui::StockIntent::Kind::Acknowledge: v.last.acknowledged = true; break;
    case ui::StockIntent::Kind::None: break;
    }
}

} // namespace backfill::app
