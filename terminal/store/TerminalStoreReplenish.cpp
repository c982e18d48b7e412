// TerminalStore: the back office on the terminal (issue 13; docs/backoffice.md, On the
// terminal): a product's reorder state and the fast movers, by the server's rules over this
// terminal's view. Read only.

#include "store/StoreSupport.h"

#include "ledger/Decimal.h"

#include <algorithm>
#include <map>

namespace backfill::store {

namespace {

// The inputs of one product's decision, by product id.
struct Inputs {
    ledger::ProductPosition position;
    std::vector<ledger::Supplier> suppliers;
    std::vector<ledger::Promotion> promotions;
};

// ReadTransaction holds one read snapshot over several statements (BEGIN DEFERRED; the first
// read takes the snapshot), ended on destruction.
class ReadTransaction {
public:
    static Result<ReadTransaction> begin(Database& db)
    {
        TRY(db.exec("BEGIN"));
        return ReadTransaction(db);
    }
    ReadTransaction(ReadTransaction&& other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;
    ReadTransaction& operator=(ReadTransaction&&) = delete;
    ~ReadTransaction()
    {
        if (m_db) (void)m_db->exec("COMMIT");
    }

private:
    explicit ReadTransaction(Database& db) : m_db(&db) {}
    Database* m_db;
};

// gatherInputs reads the positions, suppliers and promotions of one product (`only`) or of
// every product, the demand over [from, to). The sums are the server's
// (SqliteServerStore::productPositions): on hand outside quarantine net of holds (a hold never
// counts for more than the cell's units), open inbound, and over the open lines allocated and
// waiting units; the demand counts every uncancelled line ordered in the window.
Result<std::map<int64_t, Inputs>> gatherInputs(Database& db, std::optional<int64_t> only, ledger::Timestamp from,
                                               ledger::Timestamp to)
{
    const std::string one = only ? " WHERE product_id = ?1" : "";
    const std::string andOne = only ? " AND product_id = ?1" : "";
    auto bindOne = [&](Statement& s) -> Statement& {
        if (only) s.bind(1, *only);
        return s;
    };
    std::map<int64_t, Inputs> in;
    {
        auto& s = bindOne(db.prepare("SELECT id, sku, safety_stock, lead_time_days FROM products" +
                                     std::string(only ? " WHERE id = ?1" : "")));
        while (s.step()) {
            auto& p = in[s.columnInt(0)].position;
            p.sku = s.columnText(1);
            p.safetyStock = s.columnInt(2);
            p.catalogLeadTimeDays = static_cast<int32_t>(s.columnInt(3));
        }
        TRY(fromStatement(s));
        s.reset();
    }
    auto each = [&](const std::string& sql, auto&& apply) -> Result<void> {
        auto& s = bindOne(db.prepare(sql));
        while (s.step())
            if (auto it = in.find(s.columnInt(0)); it != in.end()) apply(it->second, s);
        TRY(fromStatement(s));
        s.reset();
        return {};
    };
    TRY(each("SELECT st.product_id, SUM(st.qty - MIN(MAX(st.held, 0), MAX(st.qty, 0))) FROM stock st "
             "LEFT JOIN locations l ON l.code = st.location WHERE COALESCE(l.kind, '') <> 'quarantine'" +
                 std::string(only ? " AND st.product_id = ?1" : "") + " GROUP BY st.product_id",
             [](Inputs& i, const Statement& r) { i.position.onHand = r.columnInt(1); }));
    TRY(each("SELECT product_id, SUM(qty - received) FROM inbound_lines WHERE qty > received" + andOne + " GROUP BY product_id",
             [](Inputs& i, const Statement& r) { i.position.inbound = r.columnInt(1); }));
    TRY(each("SELECT product_id, qty, allocated, picked, ordered_at FROM order_lines WHERE cancelled = 0" + andOne,
             [&](Inputs& i, const Statement& r) {
                 const Qty qty = r.columnInt(1), allocated = r.columnInt(2), picked = r.columnInt(3);
                 const ledger::Timestamp at = r.columnInt(4);
                 if (picked < qty) {
                     i.position.allocated += allocated;
                     i.position.waiting += std::max<Qty>(qty - allocated - picked, 0);
                 }
                 if (at >= from && at < to) i.position.demandUnits += qty;
             }));
    // The pulled lists were checked when they were applied (TerminalStoreSync.cpp).
    TRY(each("SELECT product_id, supplier, lead_time_days, min_order_qty, unit_cost FROM suppliers" + one, [](Inputs& i, const Statement& r) {
        auto cost = ledger::parseDecimal(r.columnText(4));
        i.suppliers.push_back({i.position.sku, r.columnText(1), static_cast<int32_t>(r.columnInt(2)), r.columnInt(3),
                               cost ? *cost : ledger::Decimal{}});
    }));
    TRY(each("SELECT product_id, id, factor, until FROM promotions" + one, [](Inputs& i, const Statement& r) {
        auto factor = ledger::parseDecimal(r.columnText(2));
        if (factor) i.promotions.push_back({r.columnInt(1), i.position.sku, *factor, ledger::Date{static_cast<int32_t>(r.columnInt(3))}});
    }));
    return in;
}

ledger::Replenishment decide(const Inputs& i, ledger::Date today, const ledger::ReplenishmentPolicy& policy)
{
    return ledger::replenish(i.position, i.suppliers, ledger::upliftOn(i.promotions, today), policy);
}

ledger::Timestamp windowStart(ledger::Date today, int32_t windowDays) { return ledger::startOf(ledger::Date{today.days - windowDays}); }

// pickFacts reads the `picked` events of [from, to), one fact each (through events_picked).
Result<std::vector<ledger::PickFact>> pickFacts(Database& db, ledger::Timestamp from, ledger::Timestamp to)
{
    std::vector<ledger::PickFact> facts;
    auto& s = db.prepare("SELECT e.at, p.sku, e.qty FROM events e JOIN products p ON p.id = e.product_id "
                         "WHERE e.kind = 'picked' AND e.at >= ?1 AND e.at < ?2");
    s.bind(1, from).bind(2, to);
    while (s.step()) facts.push_back({ledger::dateOf(s.columnInt(0)), s.columnText(1), s.columnInt(2)});
    TRY(fromStatement(s));
    s.reset();
    return facts;
}

} // namespace

Result<std::optional<ledger::Replenishment>> TerminalStore::reorderState(const std::string& sku, ledger::Date today,
                                                                        const ledger::ReplenishmentPolicy& policy)
{
    Database::Operation op(*m_db, "computing a product's reorder state");
    auto tx = ReadTransaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    std::optional<int64_t> id;
    TRY(m_db->prepare("SELECT id FROM products WHERE sku = ?").bind(1, sku).first([&](const Statement& r) { id = r.columnInt(0); }));
    if (!id) return std::optional<ledger::Replenishment>();
    auto in = gatherInputs(*m_db, id, windowStart(today, policy.windowDays), ledger::startOf(today));
    if (!in) return unexpected(in.error());
    return std::optional<ledger::Replenishment>(decide(in->at(*id), today, policy));
}

Result<std::vector<ledger::Replenishment>> TerminalStore::replenishment(ledger::Date today, const ledger::ReplenishmentPolicy& policy)
{
    Database::Operation op(*m_db, "computing replenishment");
    auto tx = ReadTransaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    auto in = gatherInputs(*m_db, std::nullopt, windowStart(today, policy.windowDays), ledger::startOf(today));
    if (!in) return unexpected(in.error());
    std::vector<ledger::Replenishment> out;
    out.reserve(in->size());
    for (const auto& [id, inputs] : *in) out.push_back(decide(inputs, today, policy));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.sku < b.sku; });
    return out;
}

Result<std::vector<ledger::VelocityRow>> TerminalStore::velocity(ledger::Date today, int32_t windowDays)
{
    Database::Operation op(*m_db, "ranking the fast movers");
    auto facts = pickFacts(*m_db, windowStart(today, windowDays), ledger::startOf(today));
    if (!facts) return unexpected(facts.error());
    return ledger::velocity(*facts, ledger::Date{today.days - windowDays}, today);
}

} // namespace backfill::store
