// UiSession: the stock screen's glue (issue 12 item 7; docs/ui.md, Stock). The same store
// calls as `backfill stock --sku` and `backfill backorders` (CmdQueries.cpp). Its reads (the
// fast movers, the search, a card: a product in 100k locations takes a fifth of a second)
// run on the UiReader's worker when one is attached (readThen), so no frame waits for them;
// each result is applied on the main thread unless the operator has moved on (generations).

#include "app/AppStore.h"
#include "app/UiSession.h"

namespace backfill::app {

namespace {
constexpr size_t kMaxHits = 500;
constexpr size_t kMaxInbound = 1000; // open inbound lines on one card
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

// CardRead is a card as read, with the first error met (a card without its reorder state or
// its waiting lines still shows, with the error in red).
struct CardRead {
    std::optional<ui::StockCard> card;
    std::optional<ledger::Error> error;
};

// readStockCard reads the card of `sku` (on the reader's worker, or at once).
CardRead readStockCard(store::TerminalStore& store, const std::string& sku, ledger::Date today)
{
    CardRead out;
    auto note = [&](const ledger::Error& e) {
        if (!out.error) out.error = e;
    };
    auto rows = store.stock(sku, today);
    if (!rows) {
        note(rows.error());
        return out;
    }
    if (rows->empty()) {
        note({"unknown_sku", "product " + sku + " is not in the catalog"});
        return out;
    }
    const store::StockRow& r = rows->front();
    ui::StockCard card;
    card.sku = r.sku;
    if (auto found = store.findProducts(sku, 50))
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
    if (auto state = store.reorderState(sku, today, kPolicy); state && *state) card.reorder = reorderInfo(**state);
    else if (!state) note(state.error());
    if (auto lines = store.backorders()) {
        for (const auto& b : *lines) {
            if (b.line.sku != sku || b.line.cancelled || b.line.picked >= b.line.qty) continue;
            card.waiting.push_back({b.line.orderId, b.line.line, b.line.customer, b.line.qty - b.line.picked, b.line.allocated,
                                    std::string(ledger::lineStateName(b.state)),
                                    b.eta ? std::optional<std::string>(ledger::formatDate(*b.eta)) : std::nullopt});
        }
    } else {
        note(lines.error());
    }
    if (auto inbound = store.inboundFor(sku, kMaxInbound)) {
        for (const auto& i : *inbound)
            card.inbound.push_back({ledger::formatDate(i.eta), i.inboundId, i.supplier, i.sscc, i.due, i.eta.days < today.days});
    } else {
        note(inbound.error());
    }
    out.card = std::move(card);
    return out;
}

using Velocity = ledger::Result<std::vector<ledger::VelocityRow>>;
using Hits = ledger::Result<std::vector<store::TerminalStore::ProductRef>>;
} // namespace

void UiSession::refreshStock()
{
    m_stockView.operatorName = m_g.signedInAs;
    m_fastMovers.clear();
    dropRead("stock.card"); // nothing read for the screen before it opened again is shown
    dropRead("stock.search");
    const ledger::Date today = m_g.today();
    readThen<Velocity>(
        "stock.velocity", [today](store::TerminalStore& s) { return s.velocity(today, kPolicy.windowDays); },
        [this](Velocity rows) {
            if (!rows) {
                m_stockView.last = refusalFor(rows.error());
                return;
            }
            for (const auto& row : *rows)
                if (row.rank <= kFastMovers) m_fastMovers[row.sku] = row;
        });
}

void UiSession::searchStock(const std::string& query)
{
    ui::StockView& v = m_stockView;
    if (query.empty()) {
        v.hits.clear();
        dropRead("stock.search"); // a search still being read for the cleared text is not shown
        return;
    }
    readThen<Hits>(
        "stock.search", [query](store::TerminalStore& s) { return s.findProducts(query, kMaxHits); },
        [this](Hits hits) {
            ui::StockView& v = m_stockView;
            v.hits.clear();
            if (!hits) {
                v.last = refusalFor(hits.error());
                return;
            }
            for (const auto& h : *hits) {
                const auto fast = m_fastMovers.find(h.sku);
                v.hits.push_back({h.sku, h.description, fast == m_fastMovers.end() ? std::nullopt : std::optional<long long>(fast->second.rank)});
            }
        });
}

void UiSession::openStockCard(const std::string& sku)
{
    const ledger::Date today = m_g.today();
    m_stockView.loading = sku;
    readThen<CardRead>(
        "stock.card", [sku, today](store::TerminalStore& s) { return readStockCard(s, sku, today); },
        [this](CardRead read) {
            ui::StockView& v = m_stockView;
            v.loading.clear();
            if (read.error) {
                v.last = refusalFor(*read.error);
                if (m_reader) m_cue = ui::Feedback::Refused; // after the scan's frame: its cue is here
            }
            if (!read.card) return;
            if (const auto fast = m_fastMovers.find(read.card->sku); fast != m_fastMovers.end())
                read.card->fastMover = ui::FastMover{fast->second.rank, fast->second.units, kPolicy.windowDays};
            v.card = std::move(read.card);
            if (!read.error && !ui::needsAck(v.last)) v.last = {};
        });
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
    case ui::StockIntent::Kind::Back:
        dropRead("stock.card"); // a card still being read does not open after Back
        v.loading.clear();
        v.card.reset();
        break;
    case ui::StockIntent::Kind::Acknowledge: v.last.acknowledged = true; break;
    case ui::StockIntent::Kind::None: break;
    }
}

} // namespace backfill::app
