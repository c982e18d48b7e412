// TerminalStore: master data imports (catalog, locations, backorders, inbound, reasons).

#include "store/StoreSupport.h"

#include "ledger/LocationLabels.h"

#include <algorithm>
#include <map>
#include <set>

namespace backfill::store {

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
    // A GS1 location label names one location: the stored-label rule shared with the server.
    auto stored = ledger::checkStoredGlns(rows, [&](const std::string& gln, const std::string& extension) -> Result<std::optional<std::string>> {
        std::optional<std::string> owner;
        TRY(m_db->prepare("SELECT code FROM locations WHERE gln = ? AND gln_ext = ?")
                .bind(1, gln)
                .bind(2, extension)
                .first([&](const Statement& r) { owner = r.columnText(0); }));
        return owner;
    });
    if (!stored) return unexpected(stored.error());
    for (auto& issue : *stored) addIssue(report, std::move(issue));
    if (!report.errors.empty()) return report;
    // A row without a gln keeps the GLN stored; one with it replaces it. The file's GLNs are
    // let go of first, so two locations trading labels never collide half-way.
    for (const auto& l : rows.rows)
        if (l.gln) TRY(m_db->prepare("UPDATE locations SET gln = NULL, gln_ext = '' WHERE code = ?").bind(1, l.code).run());
    for (const auto& l : rows.rows)
        TRY(m_db->prepare("INSERT INTO locations(code, kind, sequence, gln, gln_ext) VALUES(?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET "
                          "kind = excluded.kind, sequence = excluded.sequence, gln = COALESCE(excluded.gln, locations.gln), "
                          "gln_ext = CASE WHEN excluded.gln IS NULL THEN locations.gln_ext ELSE excluded.gln_ext END")
                .bind(1, l.code)
                .bind(2, ledger::locationKindName(l.kind))
                .bind(3, l.sequence)
                .bindOptional(4, l.gln)
                .bind(5, l.glnExtension)
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

Result<ImportReport> TerminalStore::importReasons(const ledger::ParsedRows<ledger::Reason>& rows, const Actor&)
{
    Database::Operation op(*m_db, "importing reason codes");
    ImportReport report = reportFor(rows);
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    for (const auto& r : rows.rows)
        TRY(m_db->prepare("INSERT INTO reasons(code, kind, description) VALUES(?,?,?) ON CONFLICT(code) DO UPDATE SET "
                          "kind = excluded.kind, description = excluded.description")
                .bind(1, r.code)
                .bind(2, ledger::reasonKindName(r.kind))
                .bind(3, r.description)
                .run());
    TRY(tx->commit());
    report.imported = static_cast<int64_t>(rows.rows.size());
    return report;
}

} // namespace backfill::store
