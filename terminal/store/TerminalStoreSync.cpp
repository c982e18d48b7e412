// TerminalStore: sync with backfilld, this database's side of sync/link (docs/sync.md,
// Terminal link).

#include "store/StoreSupport.h"

#include "ledger/Decimal.h"
#include "protocol/LogStock.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <map>
#include <set>
#include <tuple>

namespace backfill::store {

// ---------------------------------------------------------------------------------------
// Sync

namespace {

// nlohmann::json: objects keep their keys sorted (not ordered_json as elsewhere).
using SortedJson = nlohmann::json;

// Settings keys of the identity (migration 9). `epoch` is also what appendOutboxOp stamps.
constexpr const char* kServer = "server_url";
constexpr const char* kDevice = "device_id";
constexpr const char* kEpoch = "epoch";
constexpr const char* kToken = "device_token";
constexpr const char* kCa = "tls_ca";
constexpr const char* kTlsName = "tls_server_name";
constexpr const char* kCursor = "sync_cursor";
constexpr const char* kLastSync = "last_sync";

Result<std::optional<std::string>> readSetting(Database& db, const char* key)
{
    std::optional<std::string> value;
    TRY(db.prepare("SELECT value FROM settings WHERE key = ?").bind(1, std::string_view(key)).first([&](const Statement& r) {
        value = r.columnText(0);
    }));
    return value;
}

Result<void> writeSetting(Database& db, const char* key, const std::string& value)
{
    return db.prepare("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, std::string_view(key))
        .bind(2, value)
        .run();
}

int64_t toInt(const std::optional<std::string>& text)
{
    int64_t n = 0;
    if (text) std::from_chars(text->data(), text->data() + text->size(), n);
    return n;
}

// The payload readers tolerate what the server leaves out (a missing list is empty).
std::string str(const SortedJson& j, const char* key)
{
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t num(const SortedJson& j, const char* key)
{
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}
const SortedJson& list(const SortedJson& j, const char* key)
{
    static const SortedJson kEmpty = SortedJson::array();
    auto it = j.find(key);
    return it != j.end() && it->is_array() ? *it : kEmpty;
}

Result<void> addServerStock(Database& db, const std::string& sku, const std::string& location, const std::string& lot, Qty qty,
                            Qty held)
{
    if (qty == 0 && held == 0) return {};
    return db.prepare("INSERT INTO server_stock(sku, location, lot, qty, held) VALUES(?,?,?,?,?) "
                      "ON CONFLICT(sku, location, lot) DO UPDATE SET qty = qty + excluded.qty, held = held + excluded.held")
        .bind(1, sku)
        .bind(2, location)
        .bind(3, lot)
        .bind(4, qty)
        .bind(5, held)
        .run();
}

Result<void> addServerLine(Database& db, const std::string& orderId, int64_t line, Qty allocated, Qty picked)
{
    return db.prepare("INSERT INTO server_lines(order_id, line, allocated, picked) VALUES(?,?,?,?) "
                      "ON CONFLICT(order_id, line) DO UPDATE SET allocated = allocated + excluded.allocated, "
                      "picked = picked + excluded.picked")
        .bind(1, orderId)
        .bind(2, line)
        .bind(3, allocated)
        .bind(4, picked)
        .run();
}

// addServerInbound spreads a received line's units over the inbound the server still
// expected, by the server's rule (docs/server.md, Op kinds applied: receive): the pallet's
// lines for an SSCC, else the loose lines, in (eta, inbound_id, file order); the rest was an
// over-receipt. The terminal holds the server's inbound lines in the server's order (pulled
// in log order), so the same rule lands on the same lines.
Result<void> addServerInbound(Database& db, const std::string& sku, const std::string& sscc, Qty qty)
{
    std::vector<std::pair<int64_t, Qty>> take;
    auto& open = db.prepare("SELECT l.id, l.qty - COALESCE(s.received, 0) FROM inbound_lines l JOIN products p ON p.id = l.product_id "
                            "LEFT JOIN server_inbound s ON s.inbound_line_id = l.id "
                            "WHERE p.sku = ? AND l.sscc = ? AND l.qty > COALESCE(s.received, 0) ORDER BY l.eta, l.inbound_id, l.id");
    open.bind(1, sku).bind(2, sscc);
    Qty left = qty;
    while (left > 0 && open.step()) {
        const Qty n = std::min(left, open.columnInt(1));
        take.emplace_back(open.columnInt(0), n);
        left -= n;
    }
    TRY(fromStatement(open));
    open.reset();
    for (const auto& [id, n] : take)
        TRY(db.prepare("INSERT INTO server_inbound(inbound_line_id, received) VALUES(?, ?) "
                       "ON CONFLICT(inbound_line_id) DO UPDATE SET received = received + excluded.received")
                .bind(1, id)
                .bind(2, n)
                .run());
    return {};
}

Result<int64_t> productIdOf(Database& db, const std::string& sku)
{
    int64_t id = 0;
    TRY(db.prepare("SELECT id FROM products WHERE sku = ?").bind(1, sku).first([&](const Statement& r) { id = r.columnInt(0); }));
    if (id == 0) return ledger::fail("unknown_sku", "pulled log names product " + sku + ", which no pulled product entry created");
    return id;
}

// applyMasterData upserts one pulled master data row (docs/server.md, The log: product,
// location, reason, order_line, inbound_line, suppliers, promotion); the server is the
// master for all of them.
Result<void> applyMasterData(Database& db, const std::string& kind, const SortedJson& e)
{
    auto optText = [](const SortedJson& j, const char* key) -> std::optional<std::string> {
        auto it = j.find(key);
        if (it == j.end() || !it->is_string()) return std::nullopt;
        return it->get<std::string>();
    };
    if (kind == "product") {
        int64_t id = 0;
        TRY(db.prepare("INSERT INTO products(sku, description, gtin, case_gtin, case_qty, safety_stock, lead_time_days) "
                       "VALUES(?,?,?,?,?,?,?) ON CONFLICT(sku) DO UPDATE SET description = excluded.description, "
                       "gtin = excluded.gtin, case_gtin = excluded.case_gtin, case_qty = excluded.case_qty, "
                       "safety_stock = excluded.safety_stock, lead_time_days = excluded.lead_time_days RETURNING id")
                .bind(1, str(e, "sku"))
                .bind(2, str(e, "description"))
                .bindOptional(3, optText(e, "gtin"))
                .bindOptional(4, optText(e, "case_gtin"))
                .bind(5, num(e, "case_qty"))
                .bind(6, num(e, "safety_stock"))
                .bind(7, num(e, "lead_time_days"))
                .first([&](const Statement& r) { id = r.columnInt(0); }));
        TRY(db.prepare("DELETE FROM gtins WHERE product_id = ?").bind(1, id).run());
        auto gtin = [&](const std::optional<std::string>& g, int64_t units) -> Result<void> {
            if (!g) return {};
            return db.prepare("INSERT OR REPLACE INTO gtins(gtin, product_id, units) VALUES(?,?,?)").bind(1, *g).bind(2, id).bind(3, units).run();
        };
        TRY(gtin(optText(e, "gtin"), 1));
        TRY(gtin(optText(e, "case_gtin"), num(e, "case_qty")));
        return {};
    }
    if (kind == "location") {
        // The entry is the location as the server stores it, its GS1 label included (none
        // when `gln` is absent). The label is taken off whichever location held it here
        // first: when the server moved it (two locations trading labels in one import), the
        // old holder's own entry may come later, and the unique index would refuse the pair
        // twice meanwhile. Upsert, not INSERT OR REPLACE, which would delete that holder.
        const std::string code = str(e, "code");
        const auto gln = optText(e, "gln");
        const std::string extension = gln ? optText(e, "gln_extension").value_or("") : "";
        if (gln)
            TRY(db.prepare("UPDATE locations SET gln = NULL, gln_ext = '' WHERE gln = ? AND gln_ext = ? AND code <> ?")
                    .bind(1, *gln)
                    .bind(2, extension)
                    .bind(3, code)
                    .run());
        return db.prepare("INSERT INTO locations(code, kind, sequence, gln, gln_ext) VALUES(?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET "
                          "kind = excluded.kind, sequence = excluded.sequence, gln = excluded.gln, gln_ext = excluded.gln_ext")
            .bind(1, code)
            .bind(2, str(e, "kind"))
            .bind(3, num(e, "sequence"))
            .bindOptional(4, gln)
            .bind(5, extension)
            .run();
    }
    if (kind == "reason")
        return db.prepare("INSERT OR REPLACE INTO reasons(code, kind, description) VALUES(?,?,?)")
            .bind(1, str(e, "code"))
            .bind(2, str(e, "kind"))
            .bind(3, str(e, "description"))
            .run();
    if (kind == "order_line") {
        auto product = productIdOf(db, str(e, "sku"));
        if (!product) return unexpected(product.error());
        const std::string orderId = str(e, "order_id");
        const int64_t line = num(e, "line");
        TRY(db.prepare("INSERT INTO orders(order_id, customer, email) VALUES(?,?,?) ON CONFLICT(order_id) DO UPDATE SET "
                       "customer = excluded.customer, email = excluded.email")
                .bind(1, orderId)
                .bind(2, str(e, "customer"))
                .bind(3, str(e, "email"))
                .run());
        std::optional<int64_t> promised;
        if (auto it = e.find("promised_at"); it != e.end() && it->is_number_integer()) promised = it->get<int64_t>();
        TRY(db.prepare("INSERT INTO order_lines(product_id, id, order_id, line, qty, priority, ordered_at, promised_at, cancelled) "
                       "VALUES(?1, (SELECT COALESCE(MAX(id), 0) + 1 FROM order_lines), ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                       "ON CONFLICT(order_id, line) DO UPDATE SET product_id = excluded.product_id, qty = excluded.qty, "
                       "priority = excluded.priority, ordered_at = excluded.ordered_at, promised_at = excluded.promised_at, "
                       "cancelled = excluded.cancelled")
                .bind(1, *product)
                .bind(2, orderId)
                .bind(3, line)
                .bind(4, num(e, "qty"))
                .bind(5, num(e, "priority"))
                .bind(6, num(e, "ordered_at"))
                .bindOptional(7, promised)
                .bind(8, int64_t(e.value("cancelled", false) ? 1 : 0))
                .run());
        return addServerLine(db, orderId, line, 0, 0);
    }
    if (kind == "inbound_line") {
        auto product = productIdOf(db, str(e, "sku"));
        if (!product) return unexpected(product.error());
        const auto eta = ledger::parseDate(str(e, "eta"));
        return db.prepare("INSERT INTO inbound_lines(inbound_id, supplier, product_id, qty, eta, sscc) VALUES(?,?,?,?,?,?) "
                          "ON CONFLICT(inbound_id, product_id, sscc) DO UPDATE SET supplier = excluded.supplier, "
                          "qty = excluded.qty, eta = excluded.eta")
            .bind(1, str(e, "inbound_id"))
            .bind(2, str(e, "supplier"))
            .bind(3, *product)
            .bind(4, num(e, "qty"))
            .bind(5, int64_t(eta ? eta->days : 0))
            .bind(6, optText(e, "sscc").value_or(""))
            .run();
    }
    if (kind == "suppliers") {
        // The product's whole supplier list, as the server's import replaced it.
        auto product = productIdOf(db, str(e, "sku"));
        if (!product) return unexpected(product.error());
        TRY(db.prepare("DELETE FROM suppliers WHERE product_id = ?").bind(1, *product).run());
        for (const auto& s : list(e, "suppliers"))
            TRY(db.prepare("INSERT OR REPLACE INTO suppliers(product_id, supplier, lead_time_days, min_order_qty, unit_cost) "
                           "VALUES(?,?,?,?,?)")
                    .bind(1, *product)
                    .bind(2, str(s, "supplier"))
                    .bind(3, num(s, "lead_time_days"))
                    .bind(4, num(s, "min_order_qty"))
                    .bind(5, str(s, "unit_cost"))
                    .run());
        return {};
    }
    if (kind == "promotion") {
        auto product = productIdOf(db, str(e, "sku"));
        if (!product) return unexpected(product.error());
        const auto until = ledger::parseDate(str(e, "until"));
        if (!until || !ledger::parseDecimal(str(e, "factor")))
            return ledger::fail("bad_log_entry", "pulled promotion " + std::to_string(num(e, "id")) + " has no date 'until' or factor");
        return db.prepare("INSERT OR REPLACE INTO promotions(id, product_id, factor, until) VALUES(?,?,?,?)")
            .bind(1, num(e, "id"))
            .bind(2, *product)
            .bind(3, str(e, "factor"))
            .bind(4, int64_t(until->days))
            .run();
    }
    return {};
}

// takeServerLane gives the order the staging lane the server keeps for it (a receive entry's
// `lanes`: docs/server.md, One lane per order), so this terminal's next allocations to the
// order, and its pick list, use the lane another terminal gave it. An open order moves its
// count from the lane this terminal had chosen to the server's.
Result<void> takeServerLane(Database& db, const std::string& orderId, const std::string& stage)
{
    std::optional<std::string> had;
    int64_t open = 0;
    bool known = false;
    TRY(db.prepare("SELECT stage, open FROM orders WHERE order_id = ?").bind(1, orderId).first([&](const Statement& r) {
        known = true;
        had = r.columnOptionalText(0);
        open = r.columnInt(1);
    }));
    if (!known || had == stage) return {};
    return setOrderLane(db, orderId, had, open != 0, stage);
}

// foldEntry adds one pulled op or allocation entry to the server's state (server_stock,
// server_lines), as tests/server/apply_property_test.cpp's replay folds the log (P4). Its
// stock changes are read as the server reads them (protocol/LogStock.h).
Result<void> foldEntry(Database& db, const std::string& kind, const SortedJson& e)
{
    for (const auto& d : protocol::stockDeltasOfEntry(kind, e)) TRY(addServerStock(db, d.sku, d.location, d.lot, d.qty, d.held));
    if (kind == "receive") {
        for (const auto& l : list(e, "lines")) {
            TRY(addServerInbound(db, str(l, "sku"), str(l, "sscc"), num(l, "qty")));
            if (!str(l, "sscc").empty())
                TRY(db.prepare("INSERT OR IGNORE INTO received_ssccs(sscc, event_id) VALUES(?, 0)").bind(1, str(l, "sscc")).run());
            // The lot's expiry as the server keeps it (its first receipt's, from any terminal):
            // FEFO picking and expired stock here know lots received elsewhere, and the
            // server's replaces one this terminal registered from a label that disagreed.
            const auto expiry = ledger::parseDate(str(l, "expiry"));
            if (expiry && !str(l, "lot").empty())
                TRY(db.prepare("INSERT INTO lots(product_id, lot, expiry) SELECT id, ?2, ?3 FROM products WHERE sku = ?1 "
                               "ON CONFLICT(product_id, lot) DO UPDATE SET expiry = excluded.expiry")
                        .bind(1, str(l, "sku"))
                        .bind(2, str(l, "lot"))
                        .bind(3, expiry->days)
                        .run());
        }
        for (const auto& lane : list(e, "lanes")) TRY(takeServerLane(db, str(lane, "order_id"), str(lane, "stage")));
    } else if (kind == "pick") {
        TRY(addServerLine(db, str(e, "order_id"), num(e, "line"), -num(e, "deallocated"), num(e, "qty")));
    } else if (kind == "short") {
        TRY(addServerLine(db, str(e, "order_id"), num(e, "line"), -num(e, "deallocated"), 0));
    } else if (kind == "undo") {
        // The server reversed its receipt: its units left (above), its allocations come back,
        // and the pallet may be received again (docs/server.md, Undo).
        for (const auto& l : list(e, "lines"))
            if (!str(l, "sscc").empty()) TRY(db.prepare("DELETE FROM received_ssccs WHERE sscc = ?").bind(1, str(l, "sscc")).run());
        for (const auto& d : list(e, "deallocated")) TRY(addServerLine(db, str(d, "order_id"), num(d, "line"), -num(d, "qty"), 0));
    }
    for (const auto& a : list(e, "allocations")) TRY(addServerLine(db, str(a, "order_id"), num(a, "line"), num(a, "qty"), 0));
    for (const auto& r : list(e, "releases")) TRY(addServerLine(db, str(r, "order_id"), num(r, "line"), -num(r, "qty"), 0));
    return db.prepare("DELETE FROM server_stock WHERE qty = 0 AND held = 0").run();
}

// TerminalLinkStore adapts the store to sync/link's port.
class TerminalLinkStore final : public link::LinkStore {
public:
    TerminalLinkStore(TerminalStore& store, ledger::Timestamp at) : m_store(store), m_at(at) {}
    Result<std::optional<link::Identity>> identity() override { return m_store.syncIdentity(); }
    Result<std::optional<std::string>> enrolBlocker(const link::Identity& next) override { return m_store.enrolBlocker(next); }
    Result<void> saveEnrolment(const link::Identity& identity) override { return m_store.saveEnrolment(identity); }
    Result<std::vector<protocol::Op>> unsentOps(size_t limit, std::optional<std::pair<int64_t, int64_t>> after) override
    {
        return m_store.unsentOps(limit, after);
    }
    Result<void> markAcked(const std::vector<std::string>& opIds) override { return m_store.markAcked(opIds); }
    Result<void> resendFrom(int64_t epoch, int64_t seq) override { return m_store.resendFrom(epoch, seq); }
    Result<int64_t> cursor() override { return m_store.syncCursor(); }
    Result<link::Applied> applyChanges(const protocol::Changes& c, const link::Identity& pulledFor) override
    {
        return m_store.applyChanges(c, pulledFor);
    }
    Result<void> settleView() override { return m_store.settleView(m_at); }
    Result<void> recordSync(const std::string& at) override { return m_store.recordSync(at); }
    void checkpointIfDue() override { m_store.checkpointIfDue(); }

private:
    TerminalStore& m_store;
    ledger::Timestamp m_at;
};

} // namespace

std::unique_ptr<link::LinkStore> TerminalStore::linkStore(ledger::Timestamp at)
{
    return std::make_unique<TerminalLinkStore>(*this, at);
}

Result<std::optional<link::Identity>> TerminalStore::syncIdentity()
{
    Database::Operation op(*m_db, "reading the sync identity");
    link::Identity id;
    auto server = readSetting(*m_db, kServer);
    if (!server) return unexpected(server.error());
    auto token = readSetting(*m_db, kToken);
    if (!token) return unexpected(token.error());
    if (!*server || !*token) return std::optional<link::Identity>{};
    id.server = **server;
    id.token = **token;
    auto device = readSetting(*m_db, kDevice);
    auto epoch = readSetting(*m_db, kEpoch);
    auto ca = readSetting(*m_db, kCa);
    auto name = readSetting(*m_db, kTlsName);
    for (auto* r : {&device, &epoch, &ca, &name})
        if (!*r) return unexpected(r->error());
    id.deviceId = device->value_or("");
    id.epoch = toInt(*epoch);
    id.caFile = ca->value_or("");
    id.tlsServerName = name->value_or("");
    return std::optional<link::Identity>(std::move(id));
}

Result<bool> TerminalStore::enrolled()
{
    auto id = syncIdentity();
    if (!id) return unexpected(id.error());
    return id->has_value();
}

Result<std::optional<std::string>> TerminalStore::enrolBlocker(const link::Identity& next)
{
    Database::Operation op(*m_db, "checking the outbox before enrolment");
    int64_t neverEnrolled = 0, unsent = 0;
    TRY(m_db->prepare("SELECT COALESCE(SUM(epoch = 0), 0), COUNT(*) FROM outbox WHERE acked = 0").first([&](const Statement& r) {
        neverEnrolled = r.columnInt(0);
        unsent = r.columnInt(1);
    }));
    // Issue 11: enrolment refuses while the database holds ops never acknowledged by a server.
    // Ops written before any enrolment name local master data that the server's replaces.
    if (neverEnrolled > 0)
        return std::optional<std::string>(m_db->path() + ": " + std::to_string(neverEnrolled) +
                                          " ops were recorded before this terminal was enrolled and no server has them; "
                                          "enrolment would replace the master data they name: enrol a new database (--db) instead");
    auto current = syncIdentity();
    if (!current) return unexpected(current.error());
    // A revoked terminal keeps its unsent ops and sends them once re-enrolled, to the same
    // server as the same device: anything else would send them where they do not belong.
    if (unsent > 0 && *current && !link::sameEnrolment(**current, next))
        return std::optional<std::string>(m_db->path() + ": " + std::to_string(unsent) + " ops of device " + (*current)->deviceId + " at " +
                                          (*current)->server + " are not sent yet: run `backfill sync` with that server first");
    return std::optional<std::string>{};
}

Result<void> TerminalStore::saveEnrolment(const link::Identity& identity)
{
    Database::Operation op(*m_db, "storing the enrolment");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    // Decided under the write lock, like everything a concurrent sync may change. The outbox
    // is checked again here: `enroll` checked it before connecting, and a receipt the touch UI
    // recorded since would otherwise lose its events and stock to the new server's master
    // data while its op waited for a server it does not belong to.
    auto blocker = enrolBlocker(identity);
    if (!blocker) return unexpected(blocker.error());
    if (*blocker) return ledger::fail("unsynced_ops", **blocker);
    auto current = syncIdentity();
    if (!current) return unexpected(current.error());
    const bool sameServer = *current && link::sameEnrolment(**current, identity);
    if (!sameServer) {
        // Issue 11: local master data is replaced by the server's, and with it every row that
        // names it; the pull from cursor 0 brings the server's. enrolBlocker made sure no
        // unsent op is lost here.
        TRY(m_db->exec("DELETE FROM gtins; DELETE FROM count_tasks; DELETE FROM counts; DELETE FROM order_lines; "
                       "DELETE FROM orders; DELETE FROM inbound_lines; DELETE FROM received_ssccs; DELETE FROM stock; "
                       "DELETE FROM lots; DELETE FROM events; DELETE FROM products; DELETE FROM locations; "
                       "DELETE FROM reasons; DELETE FROM users; DELETE FROM server_stock; DELETE FROM server_lines; "
                       "DELETE FROM sync_corrections; DELETE FROM server_inbound; DELETE FROM sync_marks; DELETE FROM outbox WHERE acked = 1"));
        TRY(writeSetting(*m_db, kCursor, "0"));
    }
    int64_t lastSeq = 0;
    TRY(m_db->prepare("SELECT COALESCE(MAX(device_seq), 0) FROM outbox").first([&](const Statement& r) { lastSeq = r.columnInt(0); }));
    TRY(m_db->prepare("INSERT OR REPLACE INTO sync_epochs(epoch, seq_base) VALUES(?, ?)").bind(1, identity.epoch).bind(2, lastSeq).run());
    TRY(writeSetting(*m_db, kServer, identity.server));
    TRY(writeSetting(*m_db, kDevice, identity.deviceId));
    TRY(writeSetting(*m_db, kEpoch, std::to_string(identity.epoch)));
    TRY(writeSetting(*m_db, kToken, identity.token));
    TRY(writeSetting(*m_db, kCa, identity.caFile));
    TRY(writeSetting(*m_db, kTlsName, identity.tlsServerName));
    return tx->commit();
}

Result<std::vector<protocol::Op>> TerminalStore::unsentOps(size_t limit, std::optional<std::pair<int64_t, int64_t>> after)
{
    Database::Operation op(*m_db, "reading unsent ops");
    std::vector<protocol::Op> ops;
    // The wire counts device_seq from 1 within each epoch; the outbox counts on across them.
    // `after` is a wire position (epoch, device_seq): the outbox's is seq_base + device_seq.
    auto& s = m_db->prepare("SELECT o.device_seq - e.seq_base, o.op_id, o.epoch, o.kind, o.payload, o.created_at FROM outbox o "
                            "JOIN sync_epochs e ON e.epoch = o.epoch WHERE o.acked = 0 AND o.device_seq > "
                            "COALESCE((SELECT seq_base FROM sync_epochs WHERE epoch = ?2) + ?3, -1) ORDER BY o.device_seq LIMIT ?1");
    s.bind(1, static_cast<int64_t>(limit));
    if (after)
        s.bind(2, after->first).bind(3, after->second);
    else
        s.bind(2, std::nullopt).bind(3, std::nullopt);
    while (s.step())
        ops.push_back({s.columnText(1), s.columnInt(0), s.columnInt(2), s.columnText(3), s.columnText(4), s.columnInt(5)});
    TRY(fromStatement(s));
    return ops;
}

Result<void> TerminalStore::markAcked(const std::vector<std::string>& opIds)
{
    if (opIds.empty()) return {};
    Database::Operation op(*m_db, "marking ops acknowledged");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    for (const auto& id : opIds) TRY(m_db->prepare("UPDATE outbox SET acked = 1 WHERE op_id = ?").bind(1, id).run());
    return tx->commit();
}

Result<void> TerminalStore::resendFrom(int64_t epoch, int64_t seq)
{
    Database::Operation op(*m_db, "marking ops to send again");
    return m_db->prepare("UPDATE outbox SET acked = 0 WHERE epoch = ?1 AND device_seq >= ?2 + "
                         "(SELECT seq_base FROM sync_epochs WHERE epoch = ?1)")
        .bind(1, epoch)
        .bind(2, seq)
        .run();
}

Result<int64_t> TerminalStore::syncCursor()
{
    auto c = readSetting(*m_db, kCursor);
    if (!c) return unexpected(c.error());
    return toInt(*c);
}

Result<link::Applied> TerminalStore::applyChanges(const protocol::Changes& changes, const link::Identity& pulledFor)
{
    const std::string& deviceId = pulledFor.deviceId;
    Database::Operation op(*m_db, "applying pulled changes");
    link::Applied applied;
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    // The cursor as it is now, under the write lock: another process on this file (the UI's
    // sync worker, a `backfill sync` beside it) may have applied some or all of these entries
    // since this pull was asked for. Those are skipped and the cursor never moves back, so an
    // entry is folded once however many processes pulled it (docs/sync.md, "Two syncs at once").
    auto current = syncCursor();
    if (!current) return unexpected(current.error());
    // Enrolled at another server, or as another device, since this pull was asked for
    // (`enroll` beside a running sync): its entries are the other log's.
    auto enrolled = syncIdentity();
    if (!enrolled) return unexpected(enrolled.error());
    if (*enrolled && !link::sameEnrolment(**enrolled, pulledFor))
        return ledger::fail("enrolment_changed", "this terminal was enrolled as " + (*enrolled)->deviceId + " at " + (*enrolled)->server +
                                                     " while a pull for " + pulledFor.deviceId + " at " + pulledFor.server +
                                                     " ran: nothing of it is applied; run sync again");
    for (const auto& entry : changes.entries) {
        if (entry.seq <= *current) continue;
        const SortedJson e = SortedJson::parse(entry.payload, nullptr, false);
        if (e.is_discarded() || !e.is_object())
            return ledger::fail("bad_log_entry", "server log entry " + std::to_string(entry.seq) + " (" + entry.kind + ") is not a JSON object");
        if (entry.kind == "correction") {
            if (str(e, "device") == deviceId) {
                TRY(m_db->prepare("INSERT OR IGNORE INTO sync_corrections(seq, payload) VALUES(?, ?)").bind(1, entry.seq).bind(2, entry.payload).run());
                applied.corrections.push_back(entry.payload);
            }
        } else if (entry.kind == "user") {
            // The server is the master for users: its entry carries the PIN's hash, so the
            // operator signs in here offline. A changed hash or role starts a fresh count.
            TRY(m_db->prepare("INSERT INTO users(name, role, pin_hash, created_at) VALUES(?,?,?,0) ON CONFLICT(name) DO UPDATE SET "
                              "role = excluded.role, pin_hash = excluded.pin_hash, failed = 0, locked_until = 0")
                    .bind(1, str(e, "name"))
                    .bind(2, str(e, "role"))
                    .bind(3, str(e, "pin_hash"))
                    .run());
        } else if (entry.kind == "user_removed") {
            TRY(m_db->prepare("DELETE FROM users WHERE name = ?").bind(1, str(e, "name")).run());
        } else if (entry.kind == "product" || entry.kind == "location" || entry.kind == "reason" || entry.kind == "order_line" ||
                   entry.kind == "inbound_line" || entry.kind == "suppliers" || entry.kind == "promotion") {
            TRY(applyMasterData(*m_db, entry.kind, e));
        } else {
            TRY(foldEntry(*m_db, entry.kind, e));
        }
        ++applied.entries;
    }
    if (changes.nextCursor > *current) {
        TRY(writeSetting(*m_db, kCursor, std::to_string(changes.nextCursor)));
        // The cursor at this ledger position, for the basis of counts (migration 12).
        TRY(m_db->prepare("INSERT OR REPLACE INTO sync_marks(event_id, cursor) VALUES((SELECT COALESCE(MAX(id), 0) FROM events), ?)")
                .bind(1, changes.nextCursor)
                .run());
    }
    TRY(tx->commit());
    return applied;
}

Result<void> TerminalStore::settleView(ledger::Timestamp at)
{
    Database::Operation op(*m_db, "setting the view to the server's state");
    Actor actor;
    actor.operatorName = "sync";
    actor.device = "server";
    actor.at = at;
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    // Only when no op waits for the server, decided under the write lock: another process
    // (the touch UI, a `receive` beside a `sync`) may have recorded one since the caller
    // looked. Settling then would take that receipt's units and allocations out of the view
    // until the next sync.
    auto unsent = outboxCount();
    if (!unsent) return unexpected(unsent.error());
    if (*unsent > 0) return {};

    // Order lines first: the server's allocated and picked win. A picked difference (another
    // terminal's pick) is a `picked` event, as ledger::replay folds it: it takes the units off
    // the line's allocation and out of stock at a location of the product here (the stock
    // pass below then sets every cell to the server's with `adjusted` events, so the pick's
    // real location comes out right). The allocation difference left is an `allocated` or
    // `deallocated` event.
    struct LineDiff {
        int64_t id, productId;
        std::string orderId;
        Qty allocated, picked;
    };
    std::vector<LineDiff> diffs;
    {
        auto& s = m_db->prepare("SELECT l.id, l.product_id, l.order_id, COALESCE(v.allocated, 0), COALESCE(v.picked, 0) FROM order_lines l "
                                "LEFT JOIN server_lines v ON v.order_id = l.order_id AND v.line = l.line "
                                "WHERE l.allocated <> COALESCE(v.allocated, 0) OR l.picked <> COALESCE(v.picked, 0)");
        while (s.step()) diffs.push_back({s.columnInt(0), s.columnInt(1), s.columnText(2), s.columnInt(3), s.columnInt(4)});
        TRY(fromStatement(s));
    }
    std::set<std::string> orders;
    for (const auto& d : diffs) {
        Qty allocated = 0, picked = 0;
        TRY(m_db->prepare("SELECT allocated, picked FROM order_lines WHERE id = ?").bind(1, d.id).first([&](const Statement& r) {
            allocated = r.columnInt(0);
            picked = r.columnInt(1);
        }));
        if (d.picked != picked) {
            const Qty n = d.picked - picked;
            std::string where = "DOCK";
            TRY(m_db->prepare("SELECT location FROM (SELECT location, qty FROM stock WHERE product_id = ?1 UNION ALL "
                              "SELECT s.location, s.qty FROM server_stock s JOIN products p ON p.sku = s.sku WHERE p.id = ?1) "
                              "ORDER BY qty DESC, location LIMIT 1")
                    .bind(1, d.productId)
                    .first([&](const Statement& r) { where = r.columnText(0); }));
            auto e = eventBy(actor, EventKind::Picked, n);
            e.location = where;
            TRY(appendEvent(e, d.productId, d.id, ""));
            TRY(addStock(d.productId, where, "", -n));
            allocated -= n;
        }
        if (d.allocated != allocated) {
            auto e = eventBy(actor, d.allocated > allocated ? EventKind::Allocated : EventKind::Deallocated, std::abs(d.allocated - allocated));
            TRY(appendEvent(e, d.productId, d.id, ""));
        }
        TRY(m_db->prepare("UPDATE order_lines SET allocated = ?, picked = ? WHERE id = ?").bind(1, d.allocated).bind(2, d.picked).bind(3, d.id).run());
        orders.insert(d.orderId);
    }
    for (const auto& o : orders) TRY(refreshOrderOpen(o));

    // Stock: the server's cell wins; the difference is an `adjusted` (and `held`) event.
    using Key = std::tuple<int64_t, std::string, std::string>;
    std::map<Key, std::pair<Qty, Qty>> local, server;
    {
        auto& s = m_db->prepare("SELECT product_id, location, lot, qty, held FROM stock");
        while (s.step()) local[{s.columnInt(0), s.columnText(1), s.columnText(2)}] = {s.columnInt(3), s.columnInt(4)};
        TRY(fromStatement(s));
    }
    {
        auto& s = m_db->prepare("SELECT p.id, s.location, s.lot, s.qty, s.held FROM server_stock s JOIN products p ON p.sku = s.sku");
        while (s.step()) server[{s.columnInt(0), s.columnText(1), s.columnText(2)}] = {s.columnInt(3), s.columnInt(4)};
        TRY(fromStatement(s));
    }
    std::set<Key> keys;
    for (const auto& [k, v] : local) keys.insert(k);
    for (const auto& [k, v] : server) keys.insert(k);
    for (const auto& k : keys) {
        const auto l = local.contains(k) ? local[k] : std::pair<Qty, Qty>{0, 0};
        const auto s = server.contains(k) ? server[k] : std::pair<Qty, Qty>{0, 0};
        if (l == s) continue;
        const auto& [productId, location, lot] = k;
        if (s.first != l.first) {
            auto e = eventBy(actor, EventKind::Adjusted, s.first - l.first);
            e.location = location;
            e.lot = lot;
            TRY(appendEvent(e, productId, 0, ""));
        }
        if (s.second != l.second) {
            auto e = eventBy(actor, EventKind::Held, s.second - l.second);
            e.location = location;
            e.lot = lot;
            TRY(appendEvent(e, productId, 0, ""));
        }
        if (s.first == 0 && s.second == 0)
            TRY(m_db->prepare("DELETE FROM stock WHERE product_id = ? AND location = ? AND lot = ?").bind(1, productId).bind(2, location).bind(3, lot).run());
        else
            TRY(m_db->prepare("INSERT INTO stock(product_id, location, lot, qty, held) VALUES(?,?,?,?,?) ON CONFLICT(product_id, location, lot) "
                              "DO UPDATE SET qty = excluded.qty, held = excluded.held")
                    .bind(1, productId)
                    .bind(2, location)
                    .bind(3, lot)
                    .bind(4, s.first)
                    .bind(5, s.second)
                    .run());
    }

    // Inbound progress: the server's (it counts every terminal's receipts).
    TRY(m_db->exec("UPDATE inbound_lines SET received = COALESCE((SELECT s.received FROM server_inbound s WHERE s.inbound_line_id = "
                   "inbound_lines.id), 0) WHERE received <> COALESCE((SELECT s.received FROM server_inbound s WHERE "
                   "s.inbound_line_id = inbound_lines.id), 0)"));
    return tx->commit();
}

Result<void> TerminalStore::recordSync(const std::string& at) { return writeSetting(*m_db, kLastSync, at); }

Result<TerminalStore::SyncStatus> TerminalStore::syncStatus()
{
    Database::Operation op(*m_db, "reading the sync status");
    SyncStatus status;
    auto server = readSetting(*m_db, kServer);
    auto device = readSetting(*m_db, kDevice);
    auto epoch = readSetting(*m_db, kEpoch);
    auto cursor = readSetting(*m_db, kCursor);
    auto last = readSetting(*m_db, kLastSync);
    for (auto* r : {&server, &device, &epoch, &cursor, &last})
        if (!*r) return unexpected(r->error());
    status.server = *server;
    status.device = *device;
    status.epoch = toInt(*epoch);
    status.cursor = toInt(*cursor);
    status.lastSync = *last;
    auto unsent = outboxCount();
    if (!unsent) return unexpected(unsent.error());
    status.unsent = *unsent;
    return status;
}

Result<std::vector<std::string>> TerminalStore::takeCorrections()
{
    Database::Operation op(*m_db, "reading corrections");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    std::vector<std::string> out;
    auto& s = m_db->prepare("SELECT payload FROM sync_corrections WHERE reported = 0 ORDER BY seq");
    while (s.step()) out.push_back(s.columnText(0));
    TRY(fromStatement(s));
    TRY(m_db->exec("UPDATE sync_corrections SET reported = 1 WHERE reported = 0"));
    TRY(tx->commit());
    return out;
}

} // namespace backfill::store
