#include "store/TerminalStore.h"

// TerminalStore: opening (identity, migrations), settings and the ledger primitives every
// operation shares. The operations live one family per file: TerminalStoreImports.cpp,
// TerminalStoreQueries.cpp, TerminalStoreReceiving.cpp, TerminalStorePicking.cpp.

#include "store/Outbox.h"
#include "store/Schema.h"
#include "store/StoreSupport.h"
#include "store/Uuid.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace backfill::store {

namespace {

// What a file holds before we touch it.
struct FileIdentity {
    int64_t applicationId = 0;
    int64_t schema = 0;            // PRAGMA user_version
    int64_t tables = 0;            // every table in sqlite_schema
    bool hasOurTables = false;     // settings, events and outbox: a Backfill file before kApplicationId
};

Result<FileIdentity> identify(Database& db)
{
    FileIdentity id;
    Database::Operation op(db, "reading the file header");
    // One statement, so one snapshot: another process may be committing the schema meanwhile.
    TRY(db.prepare("SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version), "
                   "COUNT(*), COUNT(*) FILTER (WHERE name IN ('settings','events','outbox')) FROM sqlite_schema "
                   "WHERE type = 'table'")
            .first([&](const Statement& r) {
                id.applicationId = r.columnInt(0);
                id.schema = r.columnInt(1);
                id.tables = r.columnInt(2);
                id.hasOurTables = r.columnInt(3) == 3;
            }));
    return id;
}

Result<void> refuseNewer(const Database& db, int64_t schema)
{
    if (schema <= static_cast<int64_t>(kMigrations.size())) return {};
    return ledger::fail("newer_schema", db.path() + ": the database has schema version " + std::to_string(schema) +
                                            ", this backfill knows up to " + std::to_string(kMigrations.size()) +
                                            ": upgrade backfill (the file was not changed)");
}

// checkOurs decides, before anything is written, whether the file may be used: an empty or
// new file and a file stamped with kApplicationId are ours; so is a file of our schema from
// before the stamp (it is stamped by migrate()). Anything else is refused untouched.
Result<void> checkOurs(Database& db)
{
    auto id = identify(db);
    if (!id) return unexpected(id.error());
    const bool stamped = id->applicationId == kApplicationId;
    const bool empty = id->applicationId == 0 && id->tables == 0 && id->schema == 0;
    const bool before = id->applicationId == 0 && id->hasOurTables && id->schema >= 1;
    if (!stamped && !empty && !before)
        return ledger::fail("not_backfill_db", db.path() + ": not a Backfill terminal database (application_id " +
                                                   std::to_string(id->applicationId) + ", " +
                                                   std::to_string(id->tables) +
                                                   " tables): refusing to touch it; check --db");
    return refuseNewer(db, id->schema);
}

} // namespace

Result<std::unique_ptr<TerminalStore>> TerminalStore::open(const std::string& path, const StoreOpenOptions& options)
{
    OpenOptions open;
    open.create = options.create;
    open.busyTimeout = options.busyTimeout;
    open.inspect = checkOurs;
    auto db = Database::open(path, open);
    if (!db) return unexpected(db.error());
    auto store = std::unique_ptr<TerminalStore>(new TerminalStore(std::move(*db)));
    TRY(store->migrate());
    return store;
}

// migrate decides inside BEGIN IMMEDIATE, so processes opening a new file at once take turns:
// the first runs every migration, the others find them done.
Result<void> TerminalStore::migrate()
{
    Database::Operation op(*m_db, "upgrading the database schema");
    int64_t current = 0;
    int64_t applicationId = 0;
    auto readHeader = [&]() -> Result<void> {
        TRY(m_db->prepare("PRAGMA user_version").first([&](const Statement& r) { current = r.columnInt(0); }));
        TRY(m_db->prepare("PRAGMA application_id").first([&](const Statement& r) { applicationId = r.columnInt(0); }));
        return {};
    };
    // Most opens find nothing to do: decide that without taking the write lock.
    TRY(readHeader());
    if (current == static_cast<int64_t>(kMigrations.size()) && applicationId == kApplicationId) return {};
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    TRY(readHeader());
    TRY(refuseNewer(*m_db, current));
    for (auto v = current; v < static_cast<int64_t>(kMigrations.size()); ++v) TRY(m_db->exec(kMigrations[static_cast<size_t>(v)]));
    TRY(m_db->exec("PRAGMA user_version=" + std::to_string(kMigrations.size())));
    TRY(m_db->exec("PRAGMA application_id=" + std::to_string(kApplicationId)));
    return tx->commit();
}

Result<std::optional<std::string>> TerminalStore::setting(const std::string& key)
{
    Database::Operation op(*m_db, "reading a setting");
    std::optional<std::string> value;
    TRY(m_db->prepare("SELECT value FROM settings WHERE key = ?").bind(1, key).first([&](const Statement& r) {
        value = r.columnText(0);
    }));
    return value;
}

Result<void> TerminalStore::setSetting(const std::string& key, const std::string& value)
{
    Database::Operation op(*m_db, "saving a setting");
    return m_db->prepare("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, key)
        .bind(2, value)
        .run();
}

Result<int64_t> TerminalStore::productId(const std::string& sku)
{
    int64_t id = 0;
    auto found = m_db->prepare("SELECT id FROM products WHERE sku = ?").bind(1, sku).first([&](const Statement& r) {
        id = r.columnInt(0);
    });
    if (!found) return unexpected(found.error());
    if (*found) return id;
    return ledger::fail("unknown_sku", "unknown sku '" + sku + "': import it in the catalog first");
}

// ---------------------------------------------------------------------------------------
// Ledger primitives

Result<void> TerminalStore::appendEvent(const ledger::Event& e, int64_t productId, int64_t orderLineId,
                                        const std::string& opId)
{
    auto& s = m_db->prepare("INSERT INTO events(kind, product_id, qty, location, to_location, lot, expiry, sscc, "
                            "order_line_id, operator, device, at, op_id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, ledger::eventKindName(e.kind)).bind(2, productId).bind(3, e.qty).bind(4, e.location);
    s.bind(5, e.toLocation).bind(6, e.lot);
    s.bindOptional(7, e.expiry ? std::optional<int64_t>(e.expiry->days) : std::nullopt);
    s.bind(8, e.sscc);
    s.bindOptional(9, orderLineId ? std::optional<int64_t>(orderLineId) : std::nullopt);
    s.bind(10, e.operatorName).bind(11, e.device).bind(12, e.at);
    s.bindOptional(13, opId.empty() ? std::nullopt : std::optional<std::string>(opId));
    return s.run();
}

// allocatableOnHand: the product's stock outside quarantine locations, less held units and
// lots expired before `today` (docs/operations.md, Picking).
Result<Qty> TerminalStore::allocatableOnHand(int64_t productId, ledger::Date today)
{
    Qty n = 0;
    TRY(m_db->prepare("SELECT COALESCE(SUM(s.qty - s.held), 0) FROM stock s WHERE s.product_id = ?1 AND NOT EXISTS("
                      "SELECT 1 FROM locations l WHERE l.code = s.location AND l.kind = 'quarantine') AND NOT EXISTS("
                      "SELECT 1 FROM lots x WHERE x.product_id = ?1 AND x.lot = s.lot AND x.expiry < ?2)")
            .bind(1, productId)
            .bind(2, int64_t(today.days))
            .first([&](const Statement& r) { n = r.columnInt(0); }));
    return n;
}

Result<void> TerminalStore::registerLot(int64_t productId, const std::string& lot, ledger::Date expiry)
{
    return m_db->prepare("INSERT OR IGNORE INTO lots(product_id, lot, expiry) VALUES(?,?,?)")
        .bind(1, productId)
        .bind(2, lot)
        .bind(3, int64_t(expiry.days))
        .run();
}

Result<void> TerminalStore::addStock(int64_t productId, const std::string& location, const std::string& lot, Qty delta)
{
    TRY(m_db->prepare("INSERT INTO stock(product_id, location, lot, qty) VALUES(?,?,?,?) "
                      "ON CONFLICT(product_id, location, lot) DO UPDATE SET qty = qty + excluded.qty")
            .bind(1, productId)
            .bind(2, location)
            .bind(3, lot)
            .bind(4, delta)
            .run());
    return {};
}

Result<void> TerminalStore::appendOutbox(const std::string& opId, const std::string& kind, const std::string& payload,
                                         ledger::Timestamp at)
{
    return appendOutboxOp(*m_db, opId, kind, payload, at);
}

Result<std::optional<std::string>> TerminalStore::stageFor(const std::string& orderId)
{
    std::optional<std::string> stage;
    int64_t open = 0;
    TRY(m_db->prepare("SELECT stage, open FROM orders WHERE order_id = ?").bind(1, orderId).first([&](const Statement& r) {
        stage = r.columnOptionalText(0);
        open = r.columnInt(1);
    }));
    if (stage) return stage;
    // The order's first allocation: the staging location with the fewest open orders, then
    // by sequence (then code, so the choice is total).
    TRY(m_db->prepare("SELECT code FROM locations WHERE kind = 'staging' ORDER BY open_orders, sequence, code LIMIT 1")
            .first([&](const Statement& r) { stage = r.columnText(0); }));
    if (stage) TRY(setOrderLane(*m_db, orderId, std::nullopt, open != 0, *stage));
    return stage;
}

Result<std::vector<StagedAllocation>> TerminalStore::allocateFree(int64_t productId, const Actor& actor,
                                                                   const std::string& opId, Qty arriving)
{
    std::vector<StagedAllocation> result;
    // The open lines first: with none waiting there is nothing to allocate, and the on-hand
    // sum below (every stock row of the product: one per location and lot) is not read. A
    // product received as 100,000 lots paid that sum on every receipt (bench/README.md, Touch
    // terminal).
    std::vector<ledger::WaitingLine> waiting;
    std::vector<int64_t> ids;
    Qty allocated = 0;
    auto& q = m_db->prepare("SELECT id, order_id, line, priority, promised_at, ordered_at, qty - allocated - picked, allocated "
                            "FROM order_lines WHERE product_id = ? AND cancelled = 0 AND picked < qty");
    q.bind(1, productId);
    while (q.step()) {
        allocated += q.columnInt(7);
        if (q.columnInt(6) <= 0) continue; // fully allocated, waiting to be picked
        ids.push_back(q.columnInt(0));
        waiting.push_back({q.columnText(1), q.columnInt(2), q.columnInt(3), q.columnOptionalInt(4), q.columnInt(5),
                           q.columnInt(6)});
    }
    TRY(fromStatement(q));
    q.reset();
    if (waiting.empty()) return result;
    // Free = on hand outside quarantine (the product's stock rows, plus units arriving in this
    // transaction whose rows the caller writes afterwards) - allocated (its open lines').
    auto stocked = allocatableOnHand(productId, actor.today);
    if (!stocked) return unexpected(stocked.error());
    const Qty freeQty = *stocked + arriving - allocated;
    if (freeQty <= 0) return result;

    for (const auto& a : ledger::allocate(freeQty, waiting)) {
        const auto& w = waiting[a.index];
        auto stage = stageFor(w.orderId);
        if (!stage) return unexpected(stage.error());
        TRY(m_db->prepare("UPDATE order_lines SET allocated = allocated + ? WHERE product_id = ? AND id = ?")
                .bind(1, a.qty)
                .bind(2, productId)
                .bind(3, ids[a.index])
                .run());
        ledger::Event e = eventBy(actor, EventKind::Allocated, a.qty);
        e.toLocation = stage->value_or("");
        TRY(appendEvent(e, productId, ids[a.index], opId));
        result.push_back({w.orderId, w.line, a.qty, *stage});
    }
    return result;
}

// An order is open (and counts against its staging lane) until every line is picked or
// cancelled.
Result<void> TerminalStore::refreshOrderOpen(const std::string& orderId)
{
    int64_t wasOpen = 0, isOpen = 0;
    std::optional<std::string> stage;
    TRY(m_db->prepare("SELECT open, stage, EXISTS(SELECT 1 FROM order_lines WHERE order_id = ?1 AND cancelled = 0 "
                      "AND picked < qty) FROM orders WHERE order_id = ?1")
            .bind(1, orderId)
            .first([&](const Statement& r) {
                wasOpen = r.columnInt(0);
                stage = r.columnOptionalText(1);
                isOpen = r.columnInt(2);
            }));
    if (wasOpen == isOpen) return {}; // also when the order does not exist
    TRY(m_db->prepare("UPDATE orders SET open = ? WHERE order_id = ?").bind(1, isOpen).bind(2, orderId).run());
    if (stage)
        TRY(m_db->prepare("UPDATE locations SET open_orders = open_orders + ? WHERE code = ?")
                .bind(1, isOpen - wasOpen)
                .bind(2, *stage)
                .run());
    return {};
}

Result<void> TerminalStore::deallocate(int64_t lineId, int64_t productId, Qty qty, const Actor& actor)
{
    if (qty <= 0) return {};
    TRY(m_db->prepare("UPDATE order_lines SET allocated = allocated - ? WHERE product_id = ? AND id = ?")
            .bind(1, qty)
            .bind(2, productId)
            .bind(3, lineId)
            .run());
    return appendEvent(eventBy(actor, EventKind::Deallocated, qty), productId, lineId, "");
}

} // namespace backfill::store
