#include "store/TerminalStore.h"

#include "store/Schema.h"
#include "store/Uuid.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace backfill::store {

using ledger::Date;
using ledger::EventKind;
using ledger::ImportIssue;
using ledger::unexpected;

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return unexpected(r_.error());                                                      \
    } while (0)

namespace {

// eventBy starts a ledger event of `kind` for `qty` units, done by `actor` (who, where, when).
ledger::Event eventBy(const Actor& actor, EventKind kind, Qty qty)
{
    ledger::Event e;
    e.kind = kind;
    e.qty = qty;
    e.operatorName = actor.operatorName;
    e.device = actor.device;
    e.at = actor.at;
    return e;
}

Result<void> fromStatement(const Statement& s)
{
    if (s.lastError()) return unexpected(*s.lastError());
    return {};
}

} // namespace

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
    TRY(db.prepare("PRAGMA application_id").first([&](const Statement& r) { id.applicationId = r.columnInt(0); }));
    TRY(db.prepare("PRAGMA user_version").first([&](const Statement& r) { id.schema = r.columnInt(0); }));
    TRY(db.prepare("SELECT COUNT(*), COUNT(*) FILTER (WHERE name IN ('settings','events','outbox')) FROM sqlite_schema "
                   "WHERE type = 'table'")
            .first([&](const Statement& r) {
                id.tables = r.columnInt(0);
                id.hasOurTables = r.columnInt(1) == 3;
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
    open.vfs = options.vfs;
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

// allocatableOnHand: the product's stock outside quarantine locations.
Result<Qty> TerminalStore::allocatableOnHand(int64_t productId)
{
    Qty n = 0;
    TRY(m_db->prepare("SELECT COALESCE(SUM(s.qty), 0) FROM stock s WHERE s.product_id = ? AND NOT EXISTS("
                      "SELECT 1 FROM locations l WHERE l.code = s.location AND l.kind = 'quarantine')")
            .bind(1, productId)
            .first([&](const Statement& r) { n = r.columnInt(0); }));
    return n;
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
    auto epochText = setting("epoch");
    if (!epochText) return unexpected(epochText.error());
    const int64_t epoch = *epochText ? std::stoll(**epochText) : 0;
    // device_seq = last + 1 inside the same transaction: gap-free, and rolled back with it.
    TRY(m_db->prepare("INSERT INTO outbox(device_seq, op_id, epoch, kind, payload, created_at) "
                      "VALUES((SELECT COALESCE(MAX(device_seq), 0) + 1 FROM outbox), ?, ?, ?, ?, ?)")
            .bind(1, opId)
            .bind(2, epoch)
            .bind(3, kind)
            .bind(4, payload)
            .bind(5, at)
            .run());
    return {};
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
    if (stage) {
        TRY(m_db->prepare("UPDATE orders SET stage = ? WHERE order_id = ?").bind(1, *stage).bind(2, orderId).run());
        // The lane counts the order while it is open.
        if (open)
            TRY(m_db->prepare("UPDATE locations SET open_orders = open_orders + 1 WHERE code = ?").bind(1, *stage).run());
    }
    return stage;
}

Result<std::vector<StagedAllocation>> TerminalStore::allocateFree(int64_t productId, const Actor& actor,
                                                                   const std::string& opId, Qty arriving)
{
    std::vector<StagedAllocation> result;
    // Free = on hand outside quarantine (the product's stock rows, plus units arriving in this
    // transaction whose rows the caller writes afterwards) - allocated (its open lines').
    auto stocked = allocatableOnHand(productId);
    if (!stocked) return unexpected(stocked.error());
    const Qty onHand = *stocked + arriving;
    if (onHand <= 0) return result;

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
    const Qty freeQty = onHand - allocated;
    if (freeQty <= 0 || waiting.empty()) return result;

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

// ---------------------------------------------------------------------------------------
// Imports

namespace {

// addIssue records a database check's error, at most kMaxImportErrors of them like the
// parser (issue 2: every error up to 100); beyond that the report is marked truncated.
void addIssue(ImportReport& report, ImportIssue issue)
{
    if (report.errors.size() >= ledger::kMaxImportErrors) {
        report.truncated = true;
        return;
    }
    report.errors.push_back(std::move(issue));
}

template <class T>
ImportReport reportFor(const ledger::ParsedRows<T>& rows)
{
    ImportReport report;
    report.warnings = rows.warnings;
    return report;
}

} // namespace

Result<ImportReport> TerminalStore::importCatalog(const ledger::ParsedRows<ledger::Product>& rows, const Actor&)
{
    Database::Operation op(*m_db, "importing the catalog");
    ImportReport report = reportFor(rows);
    // A column the file lacks leaves that field of existing products as stored: a file of
    // sku,description,safety_stock does not wipe GTINs or lead times (docs/import.md).
    const bool hasGtin = rows.has("gtin"), hasCase = rows.has("case_gtin");
    std::string update = "description = excluded.description";
    if (hasGtin) update += ", gtin = excluded.gtin";
    if (hasCase) update += ", case_gtin = excluded.case_gtin, case_qty = excluded.case_qty";
    if (rows.has("safety_stock")) update += ", safety_stock = excluded.safety_stock";
    if (rows.has("lead_time_days")) update += ", lead_time_days = excluded.lead_time_days";
    const std::string upsert = "INSERT INTO products(sku, description, gtin, case_gtin, case_qty, safety_stock, lead_time_days) "
                               "VALUES(?,?,?,?,?,?,?) ON CONFLICT(sku) DO UPDATE SET " + update + " RETURNING id";
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    std::vector<int64_t> ids;
    for (const auto& p : rows.rows) {
        // The GTINs this file replaces: the stored ones of the columns it has.
        std::vector<std::string> replaced;
        TRY(m_db->prepare("SELECT gtin, case_gtin FROM products WHERE sku = ?").bind(1, p.sku).first([&](const Statement& r) {
            if (hasGtin && !r.columnIsNull(0)) replaced.push_back(r.columnText(0));
            if (hasCase && !r.columnIsNull(1)) replaced.push_back(r.columnText(1));
        }));
        int64_t id = 0;
        TRY(m_db->prepare(upsert)
                .bind(1, p.sku)
                .bind(2, p.description)
                .bindOptional(3, p.gtin)
                .bindOptional(4, p.caseGtin)
                .bind(5, p.caseQty)
                .bind(6, p.safetyStock)
                .bind(7, static_cast<int64_t>(p.leadTimeDays))
                .first([&](const Statement& r) { id = r.columnInt(0); }));
        ids.push_back(id);
        // Replaced as a whole below, so GTINs may move between products of the same file.
        for (const auto& gtin : replaced)
            TRY(m_db->prepare("DELETE FROM gtins WHERE gtin = ? AND product_id = ?").bind(1, gtin).bind(2, id).run());
    }
    for (size_t i = 0; i < rows.rows.size(); ++i) {
        if (report.truncated) break;
        const auto& p = rows.rows[i];
        const std::tuple<bool, const std::optional<std::string>*, const char*> keys[] = {{hasGtin, &p.gtin, "gtin"},
                                                                                        {hasCase, &p.caseGtin, "case_gtin"}};
        for (const auto& [present, gtin, column] : keys) {
            if (!present || !*gtin) continue;
            std::optional<std::string> owner;
            TRY(m_db->prepare("SELECT p.sku FROM gtins g JOIN products p ON p.id = g.product_id WHERE g.gtin = ?")
                    .bind(1, **gtin)
                    .first([&](const Statement& r) { owner = r.columnText(0); }));
            if (owner) {
                addIssue(report, {rows.lines[i], column, "duplicate_gtin", "GTIN " + **gtin + " already belongs to product " + *owner});
                continue;
            }
            TRY(m_db->prepare("INSERT INTO gtins(gtin, product_id, units) VALUES(?,?,?)")
                    .bind(1, **gtin)
                    .bind(2, ids[i])
                    .bind(3, gtin == &p.caseGtin ? p.caseQty : 1)
                    .run());
        }
    }
    if (!report.errors.empty()) return report; // the transaction rolls back
    TRY(tx->commit());
    report.imported = static_cast<int64_t>(rows.rows.size());
    return report;
}

Result<ImportReport> TerminalStore::importLocations(const ledger::ParsedRows<ledger::Location>& rows, const Actor&)
{
    Database::Operation op(*m_db, "importing locations");
    ImportReport report = reportFor(rows);
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    for (const auto& l : rows.rows)
        TRY(m_db->prepare("INSERT INTO locations(code, kind, sequence) VALUES(?,?,?) ON CONFLICT(code) DO UPDATE SET "
                          "kind = excluded.kind, sequence = excluded.sequence")
                .bind(1, l.code)
                .bind(2, ledger::locationKindName(l.kind))
                .bind(3, l.sequence)
                .run());
    TRY(tx->commit());
    report.imported = static_cast<int64_t>(rows.rows.size());
    return report;
}

Result<ImportReport> TerminalStore::importBackorders(const ledger::ParsedRows<ledger::OrderLine>& rows, const Actor& actor)
{
    Database::Operation op(*m_db, "importing backorders");
    ImportReport report = reportFor(rows);
    // Check first, without the write lock: a file refused at its last row never makes the
    // receivers beside it wait. Products are never deleted, so the ids stay valid below.
    std::map<std::string, int64_t, std::less<>> ids;
    for (size_t i = 0; i < rows.rows.size() && !report.truncated; ++i) {
        const auto& l = rows.rows[i];
        if (ids.count(l.sku)) continue;
        auto pid = productId(l.sku);
        if (!pid) {
            if (pid.error().code != "unknown_sku") return unexpected(pid.error());
            addIssue(report, {rows.lines[i], "sku", "unknown_sku", "unknown sku '" + l.sku + "'"});
            continue;
        }
        ids.emplace(l.sku, *pid);
    }
    if (!report.errors.empty()) return report;
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    std::set<int64_t> touchedProducts;
    std::set<std::string> touchedOrders;
    for (size_t i = 0; i < rows.rows.size(); ++i) {
        const auto& l = rows.rows[i];
        const auto pid = ids.find(l.sku);
        TRY(m_db->prepare("INSERT INTO orders(order_id, customer, email) VALUES(?,?,?) ON CONFLICT(order_id) DO UPDATE "
                          "SET customer = excluded.customer, email = excluded.email")
                .bind(1, l.orderId)
                .bind(2, l.customer)
                .bind(3, l.email)
                .run());
        std::optional<int64_t> lineId;
        int64_t oldProduct = 0;
        Qty allocated = 0, picked = 0;
        TRY(m_db->prepare("SELECT id, product_id, allocated, picked FROM order_lines WHERE order_id = ? AND line = ?")
                .bind(1, l.orderId)
                .bind(2, l.line)
                .first([&](const Statement& r) {
                    lineId = r.columnInt(0);
                    oldProduct = r.columnInt(1);
                    allocated = r.columnInt(2);
                    picked = r.columnInt(3);
                }));
        const bool cancelled = l.qty == 0;
        if (lineId) {
            // Free what the line no longer needs: all of it when cancelled or moved to another
            // product, the excess when its quantity fell below what it holds.
            Qty release = 0;
            if (cancelled || oldProduct != pid->second)
                release = allocated;
            else if (allocated + picked > l.qty)
                release = std::min(allocated, allocated + picked - l.qty);
            TRY(deallocate(*lineId, oldProduct, release, actor));
            touchedProducts.insert(oldProduct);
            TRY(m_db->prepare("UPDATE order_lines SET product_id = ?, qty = ?, priority = ?, ordered_at = ?, "
                              "promised_at = ?, cancelled = ? WHERE id = ?")
                    .bind(1, pid->second)
                    .bind(2, l.qty)
                    .bind(3, l.priority)
                    .bind(4, l.orderedAt)
                    .bindOptional(5, l.promisedAt)
                    .bind(6, cancelled ? 1 : 0)
                    .bind(7, *lineId)
                    .run());
        } else {
            // Lines are numbered in import order; the number never changes (events refer to it).
            TRY(m_db->prepare("INSERT INTO order_lines(id, order_id, line, product_id, qty, priority, ordered_at, promised_at, "
                              "cancelled) VALUES((SELECT COALESCE(MAX(id), 0) + 1 FROM order_lines),?,?,?,?,?,?,?,?)")
                    .bind(1, l.orderId)
                    .bind(2, l.line)
                    .bind(3, pid->second)
                    .bind(4, l.qty)
                    .bind(5, l.priority)
                    .bind(6, l.orderedAt)
                    .bindOptional(7, l.promisedAt)
                    .bind(8, cancelled ? 1 : 0)
                    .run());
        }
        touchedProducts.insert(pid->second);
        touchedOrders.insert(l.orderId);
    }
    for (const auto pid : touchedProducts) {
        auto allocations = allocateFree(pid, actor, "");
        if (!allocations) return unexpected(allocations.error());
        for (const auto& a : *allocations) touchedOrders.insert(a.orderId);
    }
    for (const auto& orderId : touchedOrders)
        TRY(refreshOrderOpen(orderId));
    TRY(tx->commit());
    report.imported = static_cast<int64_t>(rows.rows.size());
    return report;
}

Result<ImportReport> TerminalStore::importInbound(const ledger::ParsedRows<ledger::InboundLine>& rows, const Actor&)
{
    Database::Operation op(*m_db, "importing inbound shipments");
    ImportReport report = reportFor(rows);
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    for (size_t i = 0; i < rows.rows.size(); ++i) {
        if (report.truncated) break;
        const auto& l = rows.rows[i];
        auto pid = productId(l.sku);
        if (!pid) {
            if (pid.error().code != "unknown_sku") return unexpected(pid.error());
            addIssue(report, {rows.lines[i], "sku", "unknown_sku", "unknown sku '" + l.sku + "'"});
            continue;
        }
        if (l.sscc) {
            std::optional<std::string> other;
            TRY(m_db->prepare("SELECT inbound_id FROM inbound_lines WHERE sscc = ? AND inbound_id <> ? LIMIT 1")
                    .bind(1, *l.sscc)
                    .bind(2, l.inboundId)
                    .first([&](const Statement& r) { other = r.columnText(0); }));
            if (other) {
                addIssue(report, {rows.lines[i], "sscc", "sscc_conflict", "SSCC " + *l.sscc + " already belongs to inbound " + *other});
                continue;
            }
        }
        if (!report.errors.empty()) continue;
        TRY(m_db->prepare("INSERT INTO inbound_lines(inbound_id, supplier, product_id, qty, eta, sscc) VALUES(?,?,?,?,?,?) "
                          "ON CONFLICT(inbound_id, product_id, sscc) DO UPDATE SET supplier = excluded.supplier, "
                          "qty = excluded.qty, eta = excluded.eta")
                .bind(1, l.inboundId)
                .bind(2, l.supplier)
                .bind(3, *pid)
                .bind(4, l.qty)
                .bind(5, l.eta.days)
                .bind(6, l.sscc.value_or(""))
                .run());
    }
    if (!report.errors.empty()) return report;
    TRY(tx->commit());
    report.imported = static_cast<int64_t>(rows.rows.size());
    return report;
}

// ---------------------------------------------------------------------------------------
// Queries

Result<std::vector<StockRow>> TerminalStore::stock(const std::optional<std::string>& sku)
{
    Database::Operation op(*m_db, "reading stock");
    std::vector<StockRow> rows;
    // Derived: on hand from the stock rows, allocated from the open lines (migration 3).
    static constexpr const char* kTotals =
        "SELECT sku, (SELECT COALESCE(SUM(qty), 0) FROM stock WHERE product_id = p.id), "
        "(SELECT COALESCE(SUM(allocated), 0) FROM order_lines WHERE product_id = p.id AND cancelled = 0 AND picked < qty), "
        "(SELECT COALESCE(SUM(s.qty), 0) FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE s.product_id = p.id AND l.kind = 'quarantine') FROM products p ";
    auto& s = sku ? m_db->prepare(std::string(kTotals) + "WHERE sku = ?") : m_db->prepare(std::string(kTotals) + "ORDER BY sku");
    if (sku) s.bind(1, *sku);
    while (s.step()) rows.push_back({s.columnText(0), s.columnInt(1), s.columnInt(2), s.columnInt(3)});
    TRY(fromStatement(s));
    return rows;
}

Result<std::vector<BackorderRow>> TerminalStore::backorders()
{
    Database::Operation op(*m_db, "reading backorders");
    // Supply per product: open inbound in (eta, inbound_id, import order).
    std::map<int64_t, std::vector<ledger::InboundSupply>> supply;
    auto& in = m_db->prepare("SELECT product_id, eta, inbound_id, id, qty - received FROM inbound_lines "
                             "WHERE qty > received ORDER BY product_id, eta, inbound_id, id");
    while (in.step())
        supply[in.columnInt(0)].push_back(
            {Date{static_cast<int32_t>(in.columnInt(1))}, in.columnText(2), in.columnInt(3), in.columnInt(4)});
    TRY(fromStatement(in));
    in.reset();

    std::vector<BackorderRow> rows;
    auto& s = m_db->prepare("SELECT l.order_id, l.line, o.customer, o.email, p.sku, l.qty, l.priority, l.ordered_at, "
                            "l.promised_at, l.allocated, l.picked, l.cancelled, l.product_id FROM order_lines l "
                            "JOIN orders o ON o.order_id = l.order_id JOIN products p ON p.id = l.product_id "
                            "ORDER BY l.product_id");
    std::vector<int64_t> productOf;
    while (s.step()) {
        BackorderRow row;
        auto& l = row.line;
        l.orderId = s.columnText(0);
        l.line = s.columnInt(1);
        l.customer = s.columnText(2);
        l.email = s.columnText(3);
        l.sku = s.columnText(4);
        l.qty = s.columnInt(5);
        l.priority = s.columnInt(6);
        l.orderedAt = s.columnInt(7);
        l.promisedAt = s.columnOptionalInt(8);
        l.allocated = s.columnInt(9);
        l.picked = s.columnInt(10);
        l.cancelled = s.columnInt(11) != 0;
        productOf.push_back(s.columnInt(12));
        rows.push_back(std::move(row));
    }
    TRY(fromStatement(s));
    s.reset();

    // Project ETAs product by product (rows are grouped by product).
    for (size_t begin = 0; begin < rows.size();) {
        size_t end = begin;
        while (end < rows.size() && productOf[end] == productOf[begin]) ++end;
        std::vector<ledger::WaitingLine> waiting;
        std::vector<size_t> index;
        for (size_t i = begin; i < end; ++i) {
            const auto& l = rows[i].line;
            if (l.remaining() <= 0) continue;
            waiting.push_back({l.orderId, l.line, l.priority, l.promisedAt, l.orderedAt, l.remaining()});
            index.push_back(i);
        }
        const auto it = supply.find(productOf[begin]);
        if (!waiting.empty() && it != supply.end()) {
            const auto etas = ledger::projectEtas(waiting, it->second);
            for (size_t k = 0; k < index.size(); ++k) rows[index[k]].eta = etas[k];
        }
        begin = end;
    }
    for (auto& r : rows) {
        r.state = ledger::lineState(r.line, r.eta.has_value());
        // Only a line still waiting for goods carries an ETA.
        if (r.state != ledger::LineState::Backordered && r.state != ledger::LineState::PartiallyAllocated) r.eta.reset();
    }
    std::sort(rows.begin(), rows.end(), [](const BackorderRow& a, const BackorderRow& b) {
        return a.line.orderId != b.line.orderId ? a.line.orderId < b.line.orderId : a.line.line < b.line.line;
    });
    return rows;
}

Result<std::string> TerminalStore::defaultReceivingLocation()
{
    Database::Operation op(*m_db, "looking up the receiving location");
    std::string code = "DOCK";
    TRY(m_db->prepare("SELECT code FROM locations WHERE kind = 'receiving' ORDER BY sequence, code LIMIT 1")
            .first([&](const Statement& r) { code = r.columnText(0); }));
    return code;
}

Result<int64_t> TerminalStore::outboxCount()
{
    Database::Operation op(*m_db, "counting unsent ops");
    int64_t n = 0;
    TRY(m_db->prepare("SELECT COUNT(*) FROM outbox WHERE acked = 0").first([&](const Statement& r) { n = r.columnInt(0); }));
    return n;
}

Result<std::vector<ledger::Event>> TerminalStore::events()
{
    Database::Operation op(*m_db, "reading the ledger");
    std::vector<ledger::Event> result;
    auto& s = m_db->prepare("SELECT e.id, e.kind, p.sku, e.qty, e.location, e.to_location, e.lot, e.expiry, e.sscc, "
                            "l.order_id, l.line, e.operator, e.device, e.at FROM events e JOIN products p ON p.id = e.product_id "
                            "LEFT JOIN order_lines l ON l.id = e.order_line_id ORDER BY e.id");
    while (s.step()) {
        ledger::Event e;
        e.id = s.columnInt(0);
        e.kind = ledger::parseEventKind(s.columnText(1)).value_or(EventKind::Adjusted);
        e.sku = s.columnText(2);
        e.qty = s.columnInt(3);
        e.location = s.columnText(4);
        e.toLocation = s.columnText(5);
        e.lot = s.columnText(6);
        if (auto d = s.columnOptionalInt(7)) e.expiry = Date{static_cast<int32_t>(*d)};
        e.sscc = s.columnText(8);
        e.orderId = s.columnText(9);
        e.line = s.columnInt(10);
        e.operatorName = s.columnText(11);
        e.device = s.columnText(12);
        e.at = s.columnInt(13);
        result.push_back(std::move(e));
    }
    TRY(fromStatement(s));
    return result;
}

// ---------------------------------------------------------------------------------------
// Receiving

Result<void> TerminalStore::begin()
{
    Database::Operation op(*m_db, "starting a group of scans");
    TRY(m_db->prepare("BEGIN IMMEDIATE").run());
    m_inBatch = true;
    return {};
}

Result<void> TerminalStore::commit()
{
    Database::Operation op(*m_db, "committing a group of scans");
    if (!m_inBatch) return {};
    m_inBatch = false;
    if (auto r = m_db->prepare("COMMIT").run(); !r) {
        (void)m_db->prepare("ROLLBACK").run();
        return r;
    }
    return {};
}

Result<std::vector<ReceivedLine>> TerminalStore::receive(const ReceiptRequest& request, const Actor& actor)
{
    Database::Operation op(*m_db, "receiving a scan");
    if (m_inBatch) {
        Savepoint sp(*m_db);
        auto lines = receiveInTransaction(request, actor);
        if (lines) TRY(sp.release());
        return lines;
    }
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    auto lines = receiveInTransaction(request, actor);
    if (!lines) return lines;
    TRY(tx->commit());
    return lines;
}

Result<ReceivedLine> TerminalStore::receiveUnits(int64_t productId, const std::string& sku, Qty qty, bool quarantine,
                                                 const std::optional<std::string>& lot,
                                                 const std::optional<ledger::Date>& expiry,
                                                 const std::optional<std::string>& sscc, int64_t inboundLineId,
                                                 const std::string& location, const Actor& actor, const std::string& opId)
{
    ReceivedLine out;
    out.qty = qty;
    out.lot = lot;
    out.expiry = expiry;
    out.sscc = sscc;
    out.location = location;
    out.sku = sku;
    ledger::Event e = eventBy(actor, EventKind::Received, qty);
    e.location = location;
    e.lot = lot.value_or("");
    e.expiry = expiry;
    e.sscc = sscc.value_or("");
    TRY(appendEvent(e, productId, 0, opId));

    if (inboundLineId) {
        TRY(m_db->prepare("UPDATE inbound_lines SET received = received + ? WHERE id = ?").bind(1, qty).bind(2, inboundLineId).run());
    } else {
        // Loose receipts reduce the product's open inbound lines that are not on a pallet, in
        // (eta, inbound_id, file row) order; beyond them the receipt is an over-receipt.
        Qty left = qty;
        std::vector<std::pair<int64_t, Qty>> take;
        auto& open = m_db->prepare("SELECT id, qty - received FROM inbound_lines INDEXED BY inbound_loose "
                                   "WHERE product_id = ? AND sscc = '' AND qty > received ORDER BY eta, inbound_id, id");
        open.bind(1, productId);
        while (left > 0 && open.step()) {
            const Qty n = std::min(left, open.columnInt(1));
            take.emplace_back(open.columnInt(0), n);
            left -= n;
        }
        TRY(fromStatement(open));
        open.reset();
        for (const auto& [id, n] : take)
            TRY(m_db->prepare("UPDATE inbound_lines SET received = received + ? WHERE id = ?").bind(1, n).bind(2, id).run());
        out.overReceipt = left;
    }

    // The received units are free stock for the allocation; their stock rows are written after
    // it, net of what goes on to staging lanes (one write per location).
    // Units received into quarantine are held there: on hand, not for customers.
    auto allocations = quarantine ? Result<std::vector<StagedAllocation>>(std::vector<StagedAllocation>{}) : allocateFree(productId, actor, opId, qty);
    if (!allocations) return unexpected(allocations.error());
    Qty allocatedQty = 0, staged = 0;
    for (const auto& a : *allocations) {
        allocatedQty += a.qty;
        // The receiver carries allocated units straight to the order's staging lane.
        if (a.stage && *a.stage != location) {
            ledger::Event move = e;
            move.kind = EventKind::Moved;
            move.qty = a.qty;
            move.toLocation = *a.stage;
            move.sscc.clear();
            TRY(appendEvent(move, productId, 0, opId));
            TRY(addStock(productId, *a.stage, e.lot, a.qty));
            staged += a.qty;
        }
    }
    if (qty > staged) TRY(addStock(productId, location, e.lot, qty - staged));
    out.allocations = std::move(*allocations);
    out.toStock = qty - allocatedQty;
    return out;
}

Result<std::vector<ReceivedLine>> TerminalStore::receiveInTransaction(const ReceiptRequest& request, const Actor& actor)
{
    std::vector<ReceivedLine> lines;
    bool quarantine = false;
    {
        // An empty location table (no master data yet) accepts the default DOCK.
        bool known = false, haveLocations = false;
        TRY(m_db->prepare("SELECT (SELECT kind FROM locations WHERE code = ?), EXISTS(SELECT 1 FROM locations)")
                .bind(1, request.location)
                .first([&](const Statement& r) {
                    known = !r.columnIsNull(0);
                    quarantine = known && r.columnText(0) == "quarantine";
                    haveLocations = r.columnInt(1) != 0;
                }));
        if (!known && haveLocations)
            return ledger::fail("unknown_location", "location '" + request.location + "' is not in the locations list");
    }
    nlohmann::ordered_json payload{{"scan", request.scan}, {"location", request.location}};
    // The op_id is made first so every event of the scan carries it; the outbox row is
    // written once, at the end, with the whole intent.
    const std::string opId = newUuid();

    if (request.sscc) {
        const std::string& sscc = *request.sscc;
        auto received = m_db->prepare("SELECT 1 FROM received_ssccs WHERE sscc = ?").bind(1, sscc).first([](const Statement&) {});
        if (!received) return unexpected(received.error());
        if (*received) return ledger::fail("sscc_received", "pallet SSCC " + sscc + " was already received");
        std::vector<std::tuple<int64_t, int64_t, Qty, std::string>> palletLines; // inbound line id, product, qty, sku
        auto& q = m_db->prepare("SELECT l.id, l.product_id, l.qty, p.sku FROM inbound_lines l JOIN products p ON p.id = l.product_id "
                                "WHERE l.sscc = ? AND l.sscc <> '' ORDER BY l.id");
        q.bind(1, sscc);
        while (q.step()) palletLines.emplace_back(q.columnInt(0), q.columnInt(1), q.columnInt(2), q.columnText(3));
        TRY(fromStatement(q));
        q.reset();
        if (palletLines.empty())
            return ledger::fail("sscc_unannounced", "pallet SSCC " + sscc + " is not announced by any inbound: "
                                                    "receive its cases one by one or import the ASN");
        for (const auto& [lineId, pid, qty, sku] : palletLines) {
            auto line = receiveUnits(pid, sku, qty, quarantine, std::nullopt, std::nullopt, sscc, lineId, request.location, actor, opId);
            if (!line) return unexpected(line.error());
            lines.push_back(std::move(*line));
        }
        TRY(m_db->prepare("INSERT INTO received_ssccs(sscc, event_id) VALUES(?, (SELECT MAX(id) FROM events))").bind(1, sscc).run());
    } else if (request.gtin) {
        std::optional<std::tuple<int64_t, Qty, std::string>> found;
        TRY(m_db->prepare("SELECT g.product_id, g.units, p.sku FROM gtins g JOIN products p ON p.id = g.product_id WHERE g.gtin = ?")
                .bind(1, *request.gtin)
                .first([&](const Statement& r) { found.emplace(r.columnInt(0), r.columnInt(1), r.columnText(2)); }));
        if (!found)
            return ledger::fail("unknown_gtin", "GTIN " + *request.gtin + " is not in the catalog: check the label or "
                                                "add the product");
        if (request.count <= 0) return ledger::fail("bad_count", "count must be at least 1");
        const auto& [pid, units, sku] = *found;
        auto line = receiveUnits(pid, sku, units * request.count, quarantine, request.lot, request.expiry, std::nullopt, 0,
                                 request.location, actor, opId);
        if (!line) return unexpected(line.error());
        lines.push_back(std::move(*line));
    } else {
        return ledger::fail("not_receivable", "the scan names neither a pallet (00) nor a product (01/02)");
    }

    auto& jl = payload["lines"] = nlohmann::ordered_json::array();
    for (const auto& l : lines) {
        nlohmann::ordered_json claims = nlohmann::ordered_json::array();
        for (const auto& a : l.allocations) claims.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty}});
        jl.push_back({{"sku", l.sku}, {"qty", l.qty}, {"lot", l.lot.value_or("")}, {"sscc", l.sscc.value_or("")},
                      {"claims", claims}});
    }
    TRY(appendOutbox(opId, "receive", payload.dump(), actor.at));
    return lines;
}

// ---------------------------------------------------------------------------------------
// Picking

Result<void> TerminalStore::pick(const std::string& orderId, int64_t line, Qty qty,
                                 const std::optional<std::string>& location, const Actor& actor)
{
    Database::Operation op(*m_db, "picking");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    int64_t lineId = 0, pid = 0;
    Qty allocated = 0;
    std::optional<std::string> stage;
    auto found = m_db->prepare("SELECT l.id, l.product_id, l.allocated, o.stage FROM order_lines l JOIN orders o "
                               "ON o.order_id = l.order_id WHERE l.order_id = ? AND l.line = ?")
                     .bind(1, orderId)
                     .bind(2, line)
                     .first([&](const Statement& r) {
                         lineId = r.columnInt(0);
                         pid = r.columnInt(1);
                         allocated = r.columnInt(2);
                         stage = r.columnOptionalText(3);
                     });
    if (!found) return unexpected(found.error());
    if (!*found) return ledger::fail("unknown_line", "order line " + orderId + "/" + std::to_string(line) + " does not exist");
    if (qty <= 0) return ledger::fail("bad_qty", "pick quantity must be at least 1");
    if (qty > allocated)
        return ledger::fail("not_allocated", "order line " + orderId + "/" + std::to_string(line) + " has " +
                                                 std::to_string(allocated) + " allocated, cannot pick " + std::to_string(qty));
    std::string from;
    if (location) {
        from = *location;
        bool quarantined = false;
        TRY(m_db->prepare("SELECT kind FROM locations WHERE code = ?").bind(1, from).first([&](const Statement& r) {
            quarantined = r.columnText(0) == "quarantine";
        }));
        if (quarantined)
            return ledger::fail("quarantined", "location '" + from + "' is a quarantine location: its stock is held, "
                                               "not picked for customers");
    } else {
        // The order's lane first, then where most is; never from quarantine.
        TRY(m_db->prepare("SELECT location, SUM(qty) AS n FROM stock s WHERE product_id = ? AND qty > 0 AND NOT EXISTS("
                          "SELECT 1 FROM locations l WHERE l.code = s.location AND l.kind = 'quarantine') "
                          "GROUP BY location ORDER BY location = ? DESC, n DESC, location LIMIT 1")
                .bind(1, pid)
                .bind(2, stage.value_or(""))
                .first([&](const Statement& r) { from = r.columnText(0); }));
    }
    std::vector<std::pair<std::string, Qty>> lots;
    Qty available = 0;
    auto& s = m_db->prepare("SELECT lot, qty FROM stock WHERE product_id = ? AND location = ? AND qty > 0 ORDER BY lot");
    s.bind(1, pid).bind(2, from);
    while (s.step()) {
        lots.emplace_back(s.columnText(0), s.columnInt(1));
        available += s.columnInt(1);
    }
    TRY(fromStatement(s));
    s.reset();
    if (available < qty)
        return ledger::fail("no_stock", "location '" + from + "' holds " + std::to_string(available) + " of the product, cannot pick " +
                                            std::to_string(qty));
    const std::string opId = newUuid();
    TRY(appendOutbox(opId, "pick",
                     nlohmann::ordered_json{{"order_id", orderId}, {"line", line}, {"qty", qty}, {"location", from}}.dump(),
                     actor.at));
    Qty left = qty;
    for (const auto& [lot, n] : lots) {
        if (left == 0) break;
        const Qty take = std::min(left, n);
        ledger::Event e = eventBy(actor, EventKind::Picked, take);
        e.location = from;
        e.lot = lot;
        TRY(appendEvent(e, pid, lineId, opId));
        TRY(addStock(pid, from, lot, -take));
        left -= take;
    }
    TRY(m_db->prepare("UPDATE order_lines SET allocated = allocated - ?1, picked = picked + ?1 WHERE product_id = ?2 AND id = ?3")
            .bind(1, qty)
            .bind(2, pid)
            .bind(3, lineId)
            .run());
    TRY(refreshOrderOpen(orderId));
    return tx->commit();
}

} // namespace backfill::store
