#include "server/Notify.h"

#include "ledger/Projection.h"

#include <nlohmann/json.hpp>

#include <ctime>
#include <map>

namespace backfill::server {

// nlohmann::json: objects keep their keys sorted (not ordered_json as elsewhere).
using SortedJson = nlohmann::json;
using ledger::unexpected;

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return ::backfill::ledger::unexpected(r_.error());                                  \
    } while (0)

namespace {

Result<std::string> descriptionOf(ServerStore& store, std::string_view sku)
{
    auto p = store.product(sku);
    if (!p) return unexpected(p.error());
    return *p ? (*p)->description : std::string();
}

// Description is a product's description, read when a message first needs it: most ops
// queue none, and the read was one statement per product per op.
class Description {
public:
    Description(ServerStore& store, std::string_view sku) : m_store(store), m_sku(sku) {}
    Result<std::string> get()
    {
        if (!m_text) {
            auto d = descriptionOf(m_store, m_sku);
            if (!d) return unexpected(d.error());
            m_text = std::move(*d);
        }
        return *m_text;
    }

private:
    ServerStore& m_store;
    std::string_view m_sku;
    std::optional<std::string> m_text;
};

Result<void> queue(ServerStore& store, const SortedJson& event, const ledger::Notice& notice, const NotifyClock& clock)
{
    auto done = store.queueNotification(event.dump(), notice, ledger::renderNotice(notice), clock.now);
    if (!done) return unexpected(done.error());
    return {};
}

Result<void> notifyEtas(ServerStore& store, const std::string& sku, Description& description,
                        const std::vector<ledger::OrderLine>& lines, const NotifyClock& clock)
{
    std::vector<ledger::WaitingLine> waiting;
    std::vector<const ledger::OrderLine*> of;
    for (const auto& l : lines) {
        if (l.remaining() <= 0) continue;
        waiting.push_back({l.orderId, l.line, l.priority, l.promisedAt, l.orderedAt, l.remaining()});
        of.push_back(&l);
    }
    if (waiting.empty()) return {};
    auto supply = store.inboundSupply(sku);
    if (!supply) return unexpected(supply.error());
    // One read of what the product's customers were told, not one per line.
    auto memories = store.etaMemories(sku);
    if (!memories) return unexpected(memories.error());
    // Without inbound no line has a date: only lines told one before can need a message.
    if (supply->empty() && memories->empty()) return {};
    const auto etas = ledger::projectEtas(waiting, *supply);
    for (size_t i = 0; i < of.size(); ++i) {
        const ledger::OrderLine& l = *of[i];
        if (l.email.empty()) continue;
        const auto stored = memories->find({l.orderId, l.line});
        const EtaMemoryRecord before = stored == memories->end() ? EtaMemoryRecord{} : stored->second;
        const auto d = ledger::decideEta(before.memory, etas[i], clock.today);
        if (d.notice) {
            ledger::Notice n;
            n.kind = *d.notice;
            n.email = l.email;
            n.customer = l.customer;
            n.orderId = l.orderId;
            n.line = l.line;
            n.sku = sku;
            auto text = description.get();
            if (!text) return unexpected(text.error());
            n.description = *text;
            n.qty = l.remaining();
            n.lineQty = l.qty;
            n.eta = etas[i];
            if (*d.notice != ledger::NoticeKind::EtaFirst) n.previousEta = before.memory.toldEta;
            n.day = clock.today;
            TRY(queue(store, SortedJson::array({"eta", l.orderId, l.line, ledger::formatDate(clock.today)}), n, clock));
        }
        if (!d.notice && d.deferred == before.deferred) continue;
        if (!d.memory.told) continue; // nothing told, nothing to remember
        TRY(store.saveEtaMemory(l.orderId, l.line, {d.memory, d.deferred}));
    }
    return {};
}

Result<void> notifyWaitlist(ServerStore& store, const std::string& sku, Description& description,
                            const std::vector<ledger::OrderLine>& lines, const NotifyClock& clock)
{
    auto emails = store.waitlist(sku);
    if (!emails) return unexpected(emails.error());
    if (emails->empty()) return {};
    auto onHand = store.allocatableOnHand(sku);
    if (!onHand) return unexpected(onHand.error());
    Qty free = *onHand;
    for (const auto& l : lines) free -= l.allocated;
    if (free <= 0) return {};
    for (const auto& email : *emails) {
        ledger::Notice n;
        n.kind = ledger::NoticeKind::BackInStock;
        n.email = email;
        n.sku = sku;
        auto text = description.get();
        if (!text) return unexpected(text.error());
        n.description = *text;
        n.qty = free;
        n.day = clock.today;
        TRY(queue(store, SortedJson::array({"back_in_stock", email, sku, ledger::formatDate(clock.today)}), n, clock));
        TRY(store.markWaitlistNotified(email, sku, clock.today));
    }
    return {};
}

} // namespace

NotifyClock notifyClock(const ServerStore& store)
{
    // With --today, the queue time is today 00:00 UTC, as the log's (docs/backoffice.md).
    const auto pinned = store.logTime();
    const int64_t now = pinned ? *pinned : static_cast<int64_t>(std::time(nullptr));
    return {ledger::dateOf(now), now};
}

Result<void> notifyProducts(ServerStore& store, std::span<const std::string> skus, const NotifyClock& clock,
                            MasterMemo* memo)
{
    bool waitlisted = true;
    if (memo && !skus.empty()) {
        if (!memo->waitlisted) {
            auto any = store.anyWaitlisted();
            if (!any) return unexpected(any.error());
            memo->waitlisted = *any;
        }
        waitlisted = *memo->waitlisted;
    }
    for (const auto& sku : skus) {
        Description description(store, sku);
        // After an op's settle, the store answers this from what settle read (SqliteServerStore:
        // products no open line waits for, within the write transaction).
        auto lines = store.openLines(sku);
        if (!lines) return unexpected(lines.error());
        TRY(notifyEtas(store, sku, description, *lines, clock));
        if (waitlisted) TRY(notifyWaitlist(store, sku, description, *lines, clock));
    }
    return {};
}

Result<void> notifyAfterOp(ServerStore& store, std::string_view kind, const OpOutcome& outcome, const NotifyClock& clock,
                           MasterMemo* memo)
{
    if (kind == "receive" && outcome.globalSeq > 0) {
        // A claim and the rule may both give units to one line: one message with the sum.
        std::map<std::pair<std::string, int64_t>, Qty> got;
        for (const auto& a : outcome.allocated) got[{a.orderId, a.line}] += a.qty;
        for (const auto& [key, qty] : got) {
            auto line = store.orderLine(key.first, key.second);
            if (!line) return unexpected(line.error());
            if (!*line || (*line)->email.empty() || qty <= 0) continue;
            const ledger::OrderLine& l = **line;
            auto description = descriptionOf(store, l.sku);
            if (!description) return unexpected(description.error());
            ledger::Notice n;
            n.kind = ledger::NoticeKind::Allocated;
            n.email = l.email;
            n.customer = l.customer;
            n.orderId = l.orderId;
            n.line = l.line;
            n.sku = l.sku;
            n.description = *description;
            n.qty = qty;
            n.lineQty = l.qty;
            n.day = clock.today;
            TRY(queue(store, SortedJson::array({"allocated", outcome.globalSeq, l.orderId, l.line}), n, clock));
        }
    }
    return notifyProducts(store, outcome.skus, clock, memo);
}

Result<int64_t> notifyDeferred(ServerStore& store, const NotifyClock& clock)
{
    int64_t looked = 0;
    auto done = store.transact("queueing held-back ETA messages", [&]() -> Result<void> {
        auto skus = store.deferredSkus();
        if (!skus) return unexpected(skus.error());
        looked = static_cast<int64_t>(skus->size());
        return notifyProducts(store, *skus, clock);
    });
    if (!done) return unexpected(done.error());
    return looked;
}

Result<ImportReport> importWaitlist(ServerStore& store, const ledger::ParsedRows<ledger::WaitlistEntry>& rows)
{
    ImportReport report;
    const NotifyClock clock = notifyClock(store);
    auto done = store.transact("importing the waitlist", [&]() -> Result<void> {
        for (size_t i = 0; i < rows.rows.size(); ++i) {
            auto p = store.product(rows.rows[i].sku);
            if (!p) return unexpected(p.error());
            if (!*p && report.errors.size() < ledger::kMaxImportErrors)
                report.errors.push_back({rows.lines[i], "sku", "unknown_sku", "unknown sku '" + rows.rows[i].sku + "'"});
        }
        if (!report.errors.empty()) return {};
        std::vector<std::string> skus;
        for (const auto& r : rows.rows) {
            TRY(store.addToWaitlist(r.email, r.sku, clock.today));
            if (std::find(skus.begin(), skus.end(), r.sku) == skus.end()) skus.push_back(r.sku);
        }
        return notifyProducts(store, skus, clock);
    });
    if (!done) return unexpected(done.error());
    if (report.errors.empty()) report.imported = static_cast<int64_t>(rows.rows.size());
    return report;
}

} // namespace backfill::server
