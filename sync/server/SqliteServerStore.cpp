#include "server/SqliteServerStore.h"

#include "server/ServerSchema.h"
#include "store/Database.h"

namespace backfill::server {

using ledger::unexpected;
using store::fromStatement;
using store::Statement;

namespace {

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return ::backfill::ledger::unexpected(r_.error());                                  \
    } while (0)


// checkOurs runs before anything is written: an empty file or one stamped "BFSV" is ours.
Result<void> checkOurs(store::Database& db)
{
    int64_t applicationId = 0, schema = 0, tables = 0;
    TRY(db.prepare("SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version), "
                   "(SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table')")
            .first([&](const Statement& r) {
                applicationId = r.columnInt(0);
                schema = r.columnInt(1);
                tables = r.columnInt(2);
            }));
    const bool empty = applicationId == 0 && schema == 0 && tables == 0;
    if (!empty && applicationId != kServerApplicationId)
        return ledger::fail("not_backfilld_db", db.path() + ": not a backfilld database (application_id " +
                                                    std::to_string(applicationId) + ", " + std::to_string(tables) +
                                                    " tables): refusing to touch it; check --db");
    if (schema > static_cast<int64_t>(kServerMigrations.size()))
        return ledger::fail("newer_schema", db.path() + ": the database has schema version " + std::to_string(schema) +
                                                ", this backfilld knows up to " + std::to_string(kServerMigrations.size()) +
                                                ": upgrade backfilld (the file was not changed)");
    return {};
}

const char* statusText(protocol::OpStatus s) { return protocol::opStatusName(s); }

protocol::OpStatus statusFrom(const std::string& text)
{
    if (text == "flagged") return protocol::OpStatus::Flagged;
    if (text == "rejected") return protocol::OpStatus::Rejected;
    if (text == "duplicate") return protocol::OpStatus::Duplicate;
    return protocol::OpStatus::Applied;
}

ledger::OrderLine lineFrom(const Statement& r)
{
    ledger::OrderLine l;
    l.orderId = r.columnText(0);
    l.line = r.columnInt(1);
    l.customer = r.columnText(2);
    l.email = r.columnText(3);
    l.sku = r.columnText(4);
    l.qty = r.columnInt(5);
    l.priority = r.columnInt(6);
    l.orderedAt = r.columnInt(7);
    l.promisedAt = r.columnOptionalInt(8);
    l.allocated = r.columnInt(9);
    l.picked = r.columnInt(10);
    l.cancelled = r.columnInt(11) != 0;
    return l;
}

constexpr const char* kLineColumns =
    "order_id, line, customer, email, sku, qty, priority, ordered_at, promised_at, allocated, picked, cancelled";

} // namespace

SqliteServerStore::SqliteServerStore(std::unique_ptr<store::Database> db) : m_db(std::move(db)) {}
SqliteServerStore::~SqliteServerStore() = default;

Result<std::unique_ptr<SqliteServerStore>> SqliteServerStore::open(const std::string& path, const SqliteOpenOptions& options)
{
    store::OpenOptions open;
    open.create = options.create;
    open.busyTimeout = options.busyTimeout;
    open.inspect = checkOurs;
    auto db = store::Database::open(path, open);
    if (!db) return unexpected(db.error());
    auto s = std::unique_ptr<SqliteServerStore>(new SqliteServerStore(std::move(*db)));
    TRY(s->migrate());
    return s;
}

// migrate decides inside BEGIN IMMEDIATE, so processes opening a new file at once take turns.
Result<void> SqliteServerStore::migrate()
{
    store::Database::Operation op(*m_db, "upgrading the database schema");
    int64_t current = 0, applicationId = 0;
    auto readHeader = [&]() -> Result<void> {
        TRY(m_db->prepare("PRAGMA user_version").first([&](const Statement& r) { current = r.columnInt(0); }));
        TRY(m_db->prepare("PRAGMA application_id").first([&](const Statement& r) { applicationId = r.columnInt(0); }));
        return {};
    };
    TRY(readHeader());
    if (current == static_cast<int64_t>(kServerMigrations.size()) && applicationId == kServerApplicationId) return {};
    auto tx = store::Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    TRY(readHeader());
    TRY(checkOurs(*m_db));
    for (auto v = current; v < static_cast<int64_t>(kServerMigrations.size()); ++v)
        TRY(m_db->exec(kServerMigrations[static_cast<size_t>(v)]));
    TRY(m_db->exec("PRAGMA user_version=" + std::to_string(kServerMigrations.size())));
    TRY(m_db->exec("PRAGMA application_id=" + std::to_string(kServerApplicationId)));
    return tx->commit();
}

Result<SqliteServerStore::BackupReport> SqliteServerStore::backup(const std::string& path)
{
    store::Database::Operation op(*m_db, "copying it for a backup");
    auto done = m_db->backupTo(path);
    if (!done) return unexpected(done.error());
    return BackupReport{done->pages, done->bytes};
}

Result<void> SqliteServerStore::transact(const char* what, const std::function<Result<void>()>& body)
{
    store::Database::Operation op(*m_db, what);
    auto tx = store::Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    // Begun (the write lock held): what another connection committed since this one's last
    // transaction shows in data_version.
    int64_t version = -1;
    TRY(m_db->prepare("PRAGMA data_version").first([&](const Statement& r) { version = r.columnInt(0); }));
    if (version != m_dataVersion) {
        m_products.linesMayOpen();
        m_products.inboundMayOpen();
        m_dataVersion = version;
    }
    // While the body runs the open-line memory is used; unless the transaction commits
    // (an error, an exception), what it remembered is forgotten: it may have been rolled back.
    struct Writing {
        SqliteServerStore& store;
        bool committed = false;
        explicit Writing(SqliteServerStore& s) : store(s) { store.m_writing = true; }
        ~Writing()
        {
            store.m_writing = false;
            if (!committed) store.forgetRead();
        }
    } writing(*this);
    TRY(body());
    writing.store.m_writing = false;
    TRY(tx->commit());
    writing.committed = true;
    return {};
}

void SqliteServerStore::forgetRead()
{
    m_products.forget();
}

void SqliteServerStore::checkpointIfDue() { m_db->checkpointIfDue(); }

Result<bool> SqliteServerStore::savepoint(const std::function<Result<bool>()>& body)
{
    TRY(m_db->prepare("SAVEPOINT unit").run());
    auto keep = body();
    if (keep && *keep) {
        TRY(m_db->prepare("RELEASE unit").run());
        return true;
    }
    // ROLLBACK TO undoes the unit's writes and leaves the savepoint open; RELEASE closes it.
    forgetRead();
    if (auto undone = m_db->prepare("ROLLBACK TO unit").run(); !undone) return unexpected(undone.error());
    TRY(m_db->prepare("RELEASE unit").run());
    if (!keep) return unexpected(keep.error());
    return false;
}

int64_t SqliteServerStore::writesSoFar() const { return m_db->totalChanges(); }

// ---------------------------------------------------------------------------------------
// Devices and sessions

namespace {
DeviceRecord deviceFrom(const Statement& r)
{
    return {r.columnText(0), r.columnInt(1), r.columnText(2), r.columnText(3), r.columnInt(4) != 0, r.columnOptionalInt(5)};
}
constexpr const char* kDeviceColumns = "device_id, epoch, token_hash, enrol_hash, revoked, last_seen";
} // namespace

Result<std::optional<DeviceRecord>> SqliteServerStore::device(std::string_view deviceId)
{
    std::optional<DeviceRecord> d;
    TRY(m_db->prepare(std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE device_id = ?")
            .bind(1, deviceId)
            .first([&](const Statement& r) { d = deviceFrom(r); }));
    return d;
}

Result<std::vector<DeviceRecord>> SqliteServerStore::devices()
{
    std::vector<DeviceRecord> out;
    auto& q = m_db->prepare(std::string("SELECT ") + kDeviceColumns + " FROM devices ORDER BY device_id");
    while (q.step()) out.push_back(deviceFrom(q));
    TRY(fromStatement(q));
    q.reset();
    return out;
}

Result<void> SqliteServerStore::saveDevice(const DeviceRecord& d)
{
    return m_db->prepare("INSERT OR REPLACE INTO devices(device_id, epoch, token_hash, enrol_hash, revoked, last_seen) "
                         "VALUES(?,?,?,?,?,?)")
        .bind(1, d.deviceId)
        .bind(2, d.epoch)
        .bind(3, d.tokenHash)
        .bind(4, d.enrolHash)
        .bind(5, int64_t{d.revoked ? 1 : 0})
        .bindOptional(6, d.lastSeen)
        .run();
}

Result<void> SqliteServerStore::addSession(std::string_view idHash, const SessionRecord& s)
{
    TRY(m_db->prepare("INSERT INTO sessions(id_hash, device_id, epoch, issued_at) VALUES(?,?,?,?)")
            .bind(1, idHash)
            .bind(2, s.deviceId)
            .bind(3, s.epoch)
            .bind(4, s.issuedAt)
            .run());
    // The device keeps its latest kSessionsPerDevice (migration 8).
    return m_db->prepare("DELETE FROM sessions WHERE device_id = ?1 AND id <= (SELECT id FROM sessions WHERE device_id = ?1 "
                         "ORDER BY id DESC LIMIT 1 OFFSET ?2)")
        .bind(1, s.deviceId)
        .bind(2, kSessionsPerDevice)
        .run();
}

Result<std::optional<SessionRecord>> SqliteServerStore::session(std::string_view idHash)
{
    std::optional<SessionRecord> s;
    TRY(m_db->prepare("SELECT device_id, epoch, issued_at FROM sessions WHERE id_hash = ?").bind(1, idHash).first([&](const Statement& r) {
        s = SessionRecord{r.columnText(0), r.columnInt(1), r.columnInt(2)};
    }));
    return s;
}

// ---------------------------------------------------------------------------------------
// Applied ops and the log

Result<std::optional<AppliedOp>> SqliteServerStore::appliedOp(std::string_view opId)
{
    std::optional<AppliedOp> op;
    TRY(m_db->prepare("SELECT op_id, device_id, epoch, device_seq, kind, status, code, message, global_seq, result "
                      "FROM applied_ops WHERE op_id = ?")
            .bind(1, opId)
            .first([&](const Statement& r) {
                op = AppliedOp{r.columnText(0), r.columnText(1), r.columnInt(2),   r.columnInt(3),  r.columnText(4),
                               statusFrom(r.columnText(5)), r.columnText(6), r.columnText(7), r.columnInt(8), r.columnText(9)};
            }));
    return op;
}

Result<int64_t> SqliteServerStore::lastDeviceSeq(std::string_view deviceId, int64_t epoch)
{
    int64_t seq = 0;
    TRY(m_db->prepare("SELECT COALESCE(MAX(device_seq), 0) FROM applied_ops WHERE device_id = ? AND epoch = ?")
            .bind(1, deviceId)
            .bind(2, epoch)
            .first([&](const Statement& r) { seq = r.columnInt(0); }));
    return seq;
}

Result<void> SqliteServerStore::recordOp(const AppliedOp& op)
{
    return m_db
        ->prepare("INSERT INTO applied_ops(op_id, device_id, epoch, device_seq, kind, status, code, message, global_seq, result) "
                  "VALUES(?,?,?,?,?,?,?,?,?,?)")
        .bind(1, op.opId)
        .bind(2, op.deviceId)
        .bind(3, op.epoch)
        .bind(4, op.deviceSeq)
        .bind(5, op.kind)
        .bind(6, statusText(op.status))
        .bind(7, op.code)
        .bind(8, op.message)
        .bind(9, op.globalSeq)
        .bind(10, op.result)
        .run();
}

Result<int64_t> SqliteServerStore::appendLog(std::string_view kind, std::string_view payloadJson)
{
    // An entry no Changes reply could carry would stop every terminal's pull at it: the write
    // fails instead, and its transaction with it (docs/server.md, Applying a push).
    if (payloadJson.size() > protocol::kMaxEntryBytes)
        return ledger::fail("entry_too_large", std::string(kind) + ": the log entry would be " + std::to_string(payloadJson.size()) +
                                                   " bytes, at most " + std::to_string(protocol::kMaxEntryBytes));
    // seq = last + 1 inside the write transaction: writers are serialised, so seqs become
    // visible in order and a reader's cursor never passes a seq that may still appear.
    const ledger::Timestamp at = entryTimeOf(*this);
    TRY(m_db->prepare("INSERT INTO log(seq, kind, payload, at) VALUES((SELECT COALESCE(MAX(seq), 0) + 1 FROM log), ?, ?, ?)")
            .bind(1, kind)
            .bind(2, payloadJson)
            .bind(3, at)
            .run());
    return m_db->lastInsertRowId();
}

Result<std::vector<protocol::LogEntry>> SqliteServerStore::entriesAfter(int64_t cursor, size_t max)
{
    std::vector<protocol::LogEntry> out;
    auto& q = m_db->prepare("SELECT seq, kind, payload FROM log WHERE seq > ? ORDER BY seq LIMIT ?");
    q.bind(1, cursor).bind(2, static_cast<int64_t>(max));
    while (q.step()) out.push_back({q.columnInt(0), q.columnText(1), q.columnText(2)});
    TRY(fromStatement(q));
    q.reset();
    return out;
}

Result<int64_t> SqliteServerStore::headSeq()
{
    int64_t seq = 0;
    TRY(m_db->prepare("SELECT COALESCE(MAX(seq), 0) FROM log").first([&](const Statement& r) { seq = r.columnInt(0); }));
    return seq;
}

// ---------------------------------------------------------------------------------------
// Master data

Result<std::optional<ledger::Product>> SqliteServerStore::product(std::string_view sku)
{
    std::optional<ledger::Product> p;
    TRY(m_db->prepare("SELECT sku, description, gtin, case_gtin, case_qty, safety_stock, lead_time_days FROM products WHERE sku = ?")
            .bind(1, sku)
            .first([&](const Statement& r) {
                p = ledger::Product{r.columnText(0), r.columnText(1), r.columnOptionalText(2), r.columnOptionalText(3),
                                    r.columnInt(4),  r.columnInt(5),  static_cast<int32_t>(r.columnInt(6))};
            }));
    return p;
}

Result<bool> SqliteServerStore::hasProduct(std::string_view sku)
{
    if (m_products.known(sku)) return true;
    bool found = false;
    TRY(m_db->prepare("SELECT 1 FROM products WHERE sku = ?").bind(1, sku).first([&](const Statement&) { found = true; }));
    if (found) m_products.markKnown(sku);
    return found;
}

Result<std::optional<std::string>> SqliteServerStore::gtinOwner(std::string_view gtin)
{
    std::optional<std::string> sku;
    TRY(m_db->prepare("SELECT sku FROM gtins WHERE gtin = ?").bind(1, gtin).first([&](const Statement& r) { sku = r.columnText(0); }));
    return sku;
}

Result<void> SqliteServerStore::saveProduct(const ledger::Product& p)
{
    TRY(m_db->prepare("INSERT INTO products(sku, description, gtin, case_gtin, case_qty, safety_stock, lead_time_days) "
                      "VALUES(?,?,?,?,?,?,?) ON CONFLICT(sku) DO UPDATE SET description = excluded.description, "
                      "gtin = excluded.gtin, case_gtin = excluded.case_gtin, case_qty = excluded.case_qty, "
                      "safety_stock = excluded.safety_stock, lead_time_days = excluded.lead_time_days")
            .bind(1, p.sku)
            .bind(2, p.description)
            .bindOptional(3, p.gtin)
            .bindOptional(4, p.caseGtin)
            .bind(5, p.caseQty)
            .bind(6, p.safetyStock)
            .bind(7, int64_t{p.leadTimeDays})
            .run());
    TRY(m_db->prepare("DELETE FROM gtins WHERE sku = ?").bind(1, p.sku).run());
    if (p.gtin) TRY(m_db->prepare("INSERT INTO gtins(gtin, sku, units) VALUES(?,?,1)").bind(1, *p.gtin).bind(2, p.sku).run());
    if (p.caseGtin)
        TRY(m_db->prepare("INSERT INTO gtins(gtin, sku, units) VALUES(?,?,?)").bind(1, *p.caseGtin).bind(2, p.sku).bind(3, p.caseQty).run());
    return {};
}

Result<std::optional<ledger::LocationKind>> SqliteServerStore::locationKind(std::string_view code)
{
    std::optional<ledger::LocationKind> kind;
    TRY(m_db->prepare("SELECT kind FROM locations WHERE code = ?").bind(1, code).first([&](const Statement& r) {
        kind = ledger::parseLocationKind(r.columnText(0));
    }));
    return kind;
}

Result<bool> SqliteServerStore::hasLocations()
{
    bool any = false;
    TRY(m_db->prepare("SELECT EXISTS(SELECT 1 FROM locations)").first([&](const Statement& r) { any = r.columnInt(0) != 0; }));
    return any;
}

Result<std::optional<ledger::Location>> SqliteServerStore::location(std::string_view code)
{
    std::optional<ledger::Location> found;
    TRY(m_db->prepare("SELECT code, kind, sequence, gln, gln_ext FROM locations WHERE code = ?").bind(1, code).first([&](const Statement& r) {
        ledger::Location l;
        l.code = r.columnText(0);
        l.kind = ledger::parseLocationKind(r.columnText(1)).value_or(ledger::LocationKind::Storage);
        l.sequence = r.columnInt(2);
        if (!r.columnIsNull(3)) l.gln = r.columnText(3);
        l.glnExtension = r.columnText(4);
        found = std::move(l);
    }));
    return found;
}

Result<std::optional<std::string>> SqliteServerStore::glnOwner(std::string_view gln, std::string_view extension)
{
    std::optional<std::string> owner;
    TRY(m_db->prepare("SELECT code FROM locations WHERE gln = ? AND gln_ext = ?").bind(1, gln).bind(2, extension).first([&](const Statement& r) {
        owner = r.columnText(0);
    }));
    return owner;
}

Result<void> SqliteServerStore::clearGln(std::string_view code)
{
    return m_db->prepare("UPDATE locations SET gln = NULL, gln_ext = '' WHERE code = ?").bind(1, code).run();
}

Result<void> SqliteServerStore::saveLocation(const ledger::Location& l)
{
    return m_db
        ->prepare("INSERT INTO locations(code, kind, sequence, gln, gln_ext) VALUES(?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET "
                  "kind = excluded.kind, sequence = excluded.sequence, gln = COALESCE(excluded.gln, locations.gln), "
                  "gln_ext = CASE WHEN excluded.gln IS NULL THEN locations.gln_ext ELSE excluded.gln_ext END")
        .bind(1, l.code)
        .bind(2, ledger::locationKindName(l.kind))
        .bind(3, l.sequence)
        .bindOptional(4, l.gln)
        .bind(5, l.glnExtension)
        .run();
}

Result<void> SqliteServerStore::saveReason(const ledger::Reason& r)
{
    return m_db
        ->prepare("INSERT INTO reasons(code, kind, description) VALUES(?,?,?) ON CONFLICT(code) DO UPDATE SET "
                  "kind = excluded.kind, description = excluded.description")
        .bind(1, r.code)
        .bind(2, ledger::reasonKindName(r.kind))
        .bind(3, r.description)
        .run();
}

// ---------------------------------------------------------------------------------------
// Order lines

Result<std::vector<ledger::OrderLine>> SqliteServerStore::openLines(std::string_view sku)
{
    std::vector<ledger::OrderLine> out;
    if (m_writing && m_products.noOpenLines(sku)) return out;
    // Every op reads it (settle): the text is made once, not per call.
    static const std::string kSql =
        std::string("SELECT ") + kLineColumns + " FROM order_lines WHERE sku = ? AND cancelled = 0 AND picked < qty ORDER BY order_id, line";
    auto& q = m_db->prepare(kSql);
    q.bind(1, sku);
    while (q.step()) out.push_back(lineFrom(q));
    TRY(fromStatement(q));
    q.reset();
    if (m_writing && out.empty()) m_products.markNoOpenLines(sku);
    return out;
}

Result<std::optional<ledger::OrderLine>> SqliteServerStore::orderLine(std::string_view orderId, int64_t line)
{
    std::optional<ledger::OrderLine> out;
    TRY(m_db->prepare(std::string("SELECT ") + kLineColumns + " FROM order_lines WHERE order_id = ? AND line = ?")
            .bind(1, orderId)
            .bind(2, line)
            .first([&](const Statement& r) { out = lineFrom(r); }));
    return out;
}

Result<std::vector<ledger::OrderLine>> SqliteServerStore::orderLines()
{
    std::vector<ledger::OrderLine> out;
    auto& q = m_db->prepare(std::string("SELECT ") + kLineColumns + " FROM order_lines ORDER BY order_id, line");
    while (q.step()) out.push_back(lineFrom(q));
    TRY(fromStatement(q));
    q.reset();
    return out;
}

Result<void> SqliteServerStore::saveOrderLine(const ledger::OrderLine& l)
{
    m_products.linesMayOpen(); // a new line, or one changed: it may be open
    return m_db
        ->prepare("INSERT INTO order_lines(order_id, line, customer, email, sku, qty, priority, ordered_at, promised_at, cancelled) "
                  "VALUES(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(order_id, line) DO UPDATE SET customer = excluded.customer, "
                  "email = excluded.email, sku = excluded.sku, qty = excluded.qty, priority = excluded.priority, "
                  "ordered_at = excluded.ordered_at, promised_at = excluded.promised_at, cancelled = excluded.cancelled")
        .bind(1, l.orderId)
        .bind(2, l.line)
        .bind(3, l.customer)
        .bind(4, l.email)
        .bind(5, l.sku)
        .bind(6, l.qty)
        .bind(7, l.priority)
        .bind(8, l.orderedAt)
        .bindOptional(9, l.promisedAt)
        .bind(10, int64_t{l.cancelled ? 1 : 0})
        .run();
}

Result<void> SqliteServerStore::changeLine(std::string_view orderId, int64_t line, Qty allocatedDelta, Qty pickedDelta)
{
    if (pickedDelta < 0) m_products.linesMayOpen(); // a pick undone may open its line again
    return m_db->prepare("UPDATE order_lines SET allocated = allocated + ?, picked = picked + ? WHERE order_id = ? AND line = ?")
        .bind(1, allocatedDelta)
        .bind(2, pickedDelta)
        .bind(3, orderId)
        .bind(4, line)
        .run();
}

Result<void> SqliteServerStore::fillLine(std::string_view orderId, int64_t line, Qty qty, std::string_view device)
{
    auto& q = m_db->prepare("UPDATE order_lines SET allocated = allocated + ?, filled_by = ? WHERE order_id = ? AND line = ?");
    q.bind(1, qty);
    if (device.empty())
        q.bind(2, std::nullopt);
    else
        q.bind(2, device);
    return q.bind(3, orderId).bind(4, line).run();
}

Result<std::optional<std::string>> SqliteServerStore::filledBy(std::string_view orderId, int64_t line)
{
    std::optional<std::string> out;
    TRY(m_db->prepare("SELECT filled_by FROM order_lines WHERE order_id = ? AND line = ?")
            .bind(1, orderId)
            .bind(2, line)
            .first([&](const Statement& r) { out = r.columnOptionalText(0); }));
    return out;
}

Result<std::optional<std::string>> SqliteServerStore::orderStage(std::string_view orderId)
{
    std::optional<std::string> out;
    TRY(m_db->prepare("SELECT stage FROM order_stages WHERE order_id = ?").bind(1, orderId).first([&](const Statement& r) {
        out = r.columnText(0);
    }));
    return out;
}

Result<void> SqliteServerStore::setOrderStage(std::string_view orderId, std::string_view stage)
{
    return m_db->prepare("INSERT INTO order_stages(order_id, stage) VALUES(?,?)")
        .bind(1, orderId)
        .bind(2, stage)
        .run();
}

// ---------------------------------------------------------------------------------------
// Inbound

Result<std::vector<OpenInbound>> SqliteServerStore::openInbound(std::string_view sku, std::string_view sscc)
{
    std::vector<OpenInbound> out;
    if (m_writing && m_products.noOpenInbound(sku)) return out;
    auto& q = m_db->prepare("SELECT id, qty - received FROM inbound_lines WHERE sku = ? AND sscc = ? AND qty > received "
                            "ORDER BY eta, inbound_id, id");
    q.bind(1, sku).bind(2, sscc);
    while (q.step()) out.push_back({q.columnInt(0), q.columnInt(1)});
    TRY(fromStatement(q));
    q.reset();
    if (m_writing && out.empty()) {
        // None for this pallet: is any line of the product open at all?
        bool open = false;
        TRY(m_db->prepare("SELECT 1 FROM inbound_lines WHERE sku = ? AND qty > received LIMIT 1").bind(1, sku).first([&](const Statement&) {
            open = true;
        }));
        if (!open) m_products.markNoOpenInbound(sku);
    }
    return out;
}

Result<std::vector<ledger::InboundSupply>> SqliteServerStore::inboundSupply(std::string_view sku)
{
    std::vector<ledger::InboundSupply> out;
    auto& q = m_db->prepare("SELECT eta, inbound_id, id, qty - received FROM inbound_lines WHERE sku = ? AND qty > received "
                            "ORDER BY eta, inbound_id, id");
    q.bind(1, sku);
    while (q.step()) {
        const auto eta = ledger::parseDate(q.columnText(0));
        if (eta) out.push_back({*eta, q.columnText(1), q.columnInt(2), q.columnInt(3)});
    }
    TRY(fromStatement(q));
    q.reset();
    return out;
}

Result<std::vector<ReceivedInbound>> SqliteServerStore::receivedInbound(std::string_view sku, std::string_view sscc)
{
    std::vector<ReceivedInbound> out;
    auto& q = m_db->prepare("SELECT id, received FROM inbound_lines WHERE sku = ? AND sscc = ? AND received > 0 "
                            "ORDER BY eta, inbound_id, id");
    q.bind(1, sku).bind(2, sscc);
    while (q.step()) out.push_back({q.columnInt(0), q.columnInt(1)});
    TRY(fromStatement(q));
    q.reset();
    return out;
}

Result<void> SqliteServerStore::addInboundReceived(int64_t id, Qty qty)
{
    if (qty < 0) m_products.inboundMayOpen(); // a receipt undone: its line waits again
    return m_db->prepare("UPDATE inbound_lines SET received = received + ? WHERE id = ?").bind(1, qty).bind(2, id).run();
}

Result<std::optional<std::string>> SqliteServerStore::inboundOfSscc(std::string_view sscc)
{
    std::optional<std::string> id;
    TRY(m_db->prepare("SELECT inbound_id FROM inbound_lines WHERE sscc = ? AND sscc <> '' LIMIT 1").bind(1, sscc).first([&](const Statement& r) {
        id = r.columnText(0);
    }));
    return id;
}

Result<void> SqliteServerStore::saveInboundLine(const ledger::InboundLine& l)
{
    m_products.inboundMayOpen(); // a new line, or one changed: it may be open
    return m_db
        ->prepare("INSERT INTO inbound_lines(id, inbound_id, supplier, sku, qty, eta, sscc) "
                  "VALUES((SELECT COALESCE(MAX(id), 0) + 1 FROM inbound_lines),?,?,?,?,?,?) "
                  "ON CONFLICT(inbound_id, sku, sscc) DO UPDATE SET supplier = excluded.supplier, qty = excluded.qty, "
                  "eta = excluded.eta")
        .bind(1, l.inboundId)
        .bind(2, l.supplier)
        .bind(3, l.sku)
        .bind(4, l.qty)
        .bind(5, ledger::formatDate(l.eta))
        .bind(6, l.sscc.value_or(""))
        .run();
}

// ---------------------------------------------------------------------------------------
// Stock

Result<Qty> SqliteServerStore::allocatableOnHand(std::string_view sku)
{
    Qty qty = 0;
    TRY(m_db->prepare("SELECT COALESCE(SUM(s.qty - MIN(MAX(s.held, 0), MAX(s.qty, 0))), 0) FROM stock s "
                      "LEFT JOIN locations l ON l.code = s.location LEFT JOIN lots x ON x.sku = s.sku AND x.lot = s.lot "
                      "WHERE s.sku = ?1 AND COALESCE(l.kind, '') <> 'quarantine' AND (x.expiry IS NULL OR x.expiry >= ?2)")
            .bind(1, sku)
            .bind(2, entryDayOf(*this).days)
            .first([&](const Statement& r) { qty = r.columnInt(0); }));
    return qty;
}

Result<ledger::Date> SqliteServerStore::registerLotExpiry(std::string_view sku, std::string_view lot, ledger::Date expiry)
{
    TRY(m_db->prepare("INSERT OR IGNORE INTO lots(sku, lot, expiry) VALUES(?,?,?)").bind(1, sku).bind(2, lot).bind(3, expiry.days).run());
    ledger::Date kept = expiry;
    TRY(m_db->prepare("SELECT expiry FROM lots WHERE sku = ? AND lot = ?")
            .bind(1, sku)
            .bind(2, lot)
            .first([&](const Statement& r) { kept = ledger::Date{static_cast<int32_t>(r.columnInt(0))}; }));
    return kept;
}

Result<std::vector<StockRow>> SqliteServerStore::stock(std::string_view sku)
{
    std::vector<StockRow> out;
    auto& q = m_db->prepare("SELECT s.sku, s.location, s.lot, s.qty, s.held, x.expiry FROM stock s "
                            "LEFT JOIN lots x ON x.sku = s.sku AND x.lot = s.lot "
                            "WHERE (?1 = '' OR s.sku = ?1) AND (s.qty <> 0 OR s.held <> 0) ORDER BY s.sku, s.location, s.lot");
    q.bind(1, sku);
    while (q.step()) {
        StockRow r{q.columnText(0), q.columnText(1), q.columnText(2), q.columnInt(3), q.columnInt(4), std::nullopt};
        if (auto e = q.columnOptionalInt(5)) r.expiry = ledger::Date{static_cast<int32_t>(*e)};
        out.push_back(std::move(r));
    }
    TRY(fromStatement(q));
    q.reset();
    return out;
}

Result<void> SqliteServerStore::addStock(std::string_view sku, std::string_view location, std::string_view lot, Qty delta)
{
    return m_db
        ->prepare("INSERT INTO stock(sku, location, lot, qty) VALUES(?,?,?,?) ON CONFLICT(sku, location, lot) DO UPDATE SET "
                  "qty = qty + excluded.qty")
        .bind(1, sku)
        .bind(2, location)
        .bind(3, lot)
        .bind(4, delta)
        .run();
}

Result<void> SqliteServerStore::addHeld(std::string_view sku, std::string_view location, std::string_view lot, Qty delta)
{
    return m_db
        ->prepare("INSERT INTO stock(sku, location, lot, qty, held) VALUES(?,?,?,0,?) ON CONFLICT(sku, location, lot) DO UPDATE SET "
                  "held = held + excluded.held")
        .bind(1, sku)
        .bind(2, location)
        .bind(3, lot)
        .bind(4, delta)
        .run();
}

Result<bool> SqliteServerStore::ssccReceived(std::string_view sscc)
{
    bool found = false;
    TRY(m_db->prepare("SELECT 1 FROM received_ssccs WHERE sscc = ?").bind(1, sscc).first([&](const Statement&) { found = true; }));
    return found;
}

Result<void> SqliteServerStore::markSsccReceived(std::string_view sscc, int64_t globalSeq)
{
    return m_db->prepare("INSERT INTO received_ssccs(sscc, global_seq) VALUES(?,?)").bind(1, sscc).bind(2, globalSeq).run();
}

Result<void> SqliteServerStore::unmarkSsccReceived(std::string_view sscc)
{
    return m_db->prepare("DELETE FROM received_ssccs WHERE sscc = ?").bind(1, sscc).run();
}

// ---------------------------------------------------------------------------------------
// Users

Result<std::vector<UserRecord>> SqliteServerStore::users()
{
    std::vector<UserRecord> out;
    auto& q = m_db->prepare("SELECT name, role, pin_hash FROM users ORDER BY name");
    while (q.step())
        out.push_back({q.columnText(0), ledger::parseRole(q.columnText(1)).value_or(ledger::Role::Receiver), q.columnText(2)});
    TRY(fromStatement(q));
    q.reset();
    return out;
}

Result<void> SqliteServerStore::saveUser(const UserRecord& u)
{
    return m_db->prepare("INSERT OR REPLACE INTO users(name, role, pin_hash) VALUES(?,?,?)")
        .bind(1, u.name)
        .bind(2, ledger::roleName(u.role))
        .bind(3, u.pinHash)
        .run();
}

Result<bool> SqliteServerStore::removeUser(std::string_view name)
{
    TRY(m_db->prepare("DELETE FROM users WHERE name = ?").bind(1, name).run());
    return m_db->changes() > 0;
}

// ---------------------------------------------------------------------------------------
// Exceptions

Result<int64_t> SqliteServerStore::addException(const ExceptionRecord& e)
{
    TRY(m_db->prepare("INSERT INTO exceptions(code, op_id, device_id, payload) VALUES(?,?,?,?)")
            .bind(1, e.code)
            .bind(2, e.opId)
            .bind(3, e.deviceId)
            .bind(4, e.payload)
            .run());
    return m_db->lastInsertRowId();
}

Result<std::vector<ExceptionRecord>> SqliteServerStore::exceptions()
{
    std::vector<ExceptionRecord> out;
    auto& q = m_db->prepare("SELECT id, code, op_id, device_id, payload, resolved_note FROM exceptions ORDER BY id");
    while (q.step())
        out.push_back({q.columnInt(0), q.columnText(1), q.columnText(2), q.columnText(3), q.columnText(4), q.columnOptionalText(5)});
    TRY(fromStatement(q));
    q.reset();
    return out;
}

Result<bool> SqliteServerStore::resolveException(int64_t id, std::string_view note)
{
    TRY(m_db->prepare("UPDATE exceptions SET resolved_note = ? WHERE id = ?").bind(1, note).bind(2, id).run());
    return m_db->changes() > 0;
}

} // namespace backfill::server
