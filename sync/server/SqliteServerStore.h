#pragma once
// SqliteServerStore: ServerStore on one SQLite file in WAL mode with synchronous=FULL and a busy
// timeout (store::Database, the terminal's SQLite wrapper), so `backfilld import`, `enrol` and
// `log` run beside a serving `backfilld serve` on the same file. Numbered migrations in
// server/ServerSchema.h; the file carries application_id "BFSV" and a file that is not ours
// (another application_id, or tables without it) is refused untouched (`not_backfilld_db`), as
// is a schema newer than this binary (`newer_schema`). One connection: not thread-safe.

#include "server/ProductMemory.h"
#include "server/ServerStore.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace backfill::store {
class Database;
}

namespace backfill::server {

struct SqliteOpenOptions {
    bool create = true;                              // false: a missing file is no_database
    std::chrono::milliseconds busyTimeout{60000};    // wait for another process's write
};

class SqliteServerStore final : public ServerStore {
public:
    static Result<std::unique_ptr<SqliteServerStore>> open(const std::string& path, const SqliteOpenOptions& options = {});
    ~SqliteServerStore() override;

    Result<void> transact(const char* what, const std::function<Result<void>()>& body) override;
    Result<bool> savepoint(const std::function<Result<bool>()>& body) override;
    int64_t writesSoFar() const override;
    void checkpointIfDue() override;
    // backup writes a consistent copy of the server's database to `path` while it serves
    // (`backfilld backup`; store::Database::backupTo: backup_exists, backup_failed, db_*).
    struct BackupReport {
        int64_t pages = 0;
        int64_t bytes = 0;
    };
    Result<BackupReport> backup(const std::string& path);

    // Back office (SqliteServerBackoffice.cpp).
    Result<void> snapshot(const char* what, const std::function<Result<void>()>& body) override;
    void setLogTime(std::optional<ledger::Timestamp> at) override { m_logTime = at; }
    std::optional<ledger::Timestamp> logTime() const override { return m_logTime; }
    Result<std::vector<TimedLogEntry>> logEntries(int64_t cursor, size_t max, std::span<const std::string> kinds) override;
    Result<void> replaceSuppliers(std::string_view sku, std::span<const ledger::Supplier> suppliers) override;
    Result<std::vector<ledger::Supplier>> suppliers() override;
    Result<int64_t> addPromotion(const ledger::Promotion& promotion) override;
    Result<std::vector<ledger::Promotion>> promotions() override;
    Result<std::vector<ledger::ProductPosition>> productPositions(ledger::Timestamp demandFrom, ledger::Timestamp demandTo) override;

    // Customer notifications (SqliteServerNotify.cpp).
    Result<bool> queueNotification(std::string_view event, const ledger::Notice& notice, const ledger::MailText& text,
                                   int64_t now) override;
    Result<std::vector<NotificationRecord>> notifications(std::string_view state) override;
    Result<std::vector<NotificationRecord>> dueNotifications(int64_t now, bool ignoreBackoff, int64_t afterId, size_t max) override;
    Result<bool> markNotification(int64_t id, std::string_view state, int64_t now, int64_t nextAttemptAt,
                                  std::optional<std::string_view> error) override;
    Result<std::map<std::pair<std::string, int64_t>, EtaMemoryRecord>> etaMemories(std::string_view sku) override;
    Result<void> saveEtaMemory(std::string_view orderId, int64_t line, const EtaMemoryRecord& record) override;
    Result<std::vector<std::string>> deferredSkus() override;
    Result<bool> addToWaitlist(std::string_view email, std::string_view sku, ledger::Date day) override;
    Result<std::vector<std::string>> waitlist(std::string_view sku) override;
    Result<bool> anyWaitlisted() override;
    Result<void> markWaitlistNotified(std::string_view email, std::string_view sku, ledger::Date day) override;
    Result<bool> unsubscribe(std::string_view email, ledger::Date day, int64_t& dropped) override;
    Result<std::map<std::string, int64_t>> notificationCounts() override;
    Result<std::string> notifyInstance() override;

    Result<std::optional<DeviceRecord>> device(std::string_view deviceId) override;
    Result<std::vector<DeviceRecord>> devices() override;
    Result<void> saveDevice(const DeviceRecord& record) override;
    Result<void> addSession(std::string_view idHash, const SessionRecord& session) override;
    Result<std::optional<SessionRecord>> session(std::string_view idHash) override;

    Result<std::optional<AppliedOp>> appliedOp(std::string_view opId) override;
    Result<int64_t> lastDeviceSeq(std::string_view deviceId, int64_t epoch) override;
    Result<void> recordOp(const AppliedOp& op) override;

    Result<int64_t> appendLog(std::string_view kind, std::string_view payloadJson) override;
    Result<std::vector<protocol::LogEntry>> entriesAfter(int64_t cursor, size_t max) override;
    Result<int64_t> headSeq() override;

    Result<std::optional<ledger::Product>> product(std::string_view sku) override;
    Result<bool> hasProduct(std::string_view sku) override;
    Result<std::optional<std::string>> gtinOwner(std::string_view gtin) override;
    Result<void> saveProduct(const ledger::Product& product) override;
    Result<std::optional<ledger::LocationKind>> locationKind(std::string_view code) override;
    Result<bool> hasLocations() override;
    Result<std::optional<ledger::Location>> location(std::string_view code) override;
    Result<std::optional<std::string>> glnOwner(std::string_view gln, std::string_view extension) override;
    Result<void> clearGln(std::string_view code) override;
    Result<void> saveLocation(const ledger::Location& location) override;
    Result<void> saveReason(const ledger::Reason& reason) override;

    Result<std::vector<ledger::OrderLine>> openLines(std::string_view sku) override;
    Result<std::optional<ledger::OrderLine>> orderLine(std::string_view orderId, int64_t line) override;
    Result<std::vector<ledger::OrderLine>> orderLines() override;
    Result<void> saveOrderLine(const ledger::OrderLine& line) override;
    Result<void> changeLine(std::string_view orderId, int64_t line, Qty allocatedDelta, Qty pickedDelta) override;
    Result<void> fillLine(std::string_view orderId, int64_t line, Qty qty, std::string_view device) override;
    Result<std::optional<std::string>> filledBy(std::string_view orderId, int64_t line) override;
    Result<std::optional<std::string>> orderStage(std::string_view orderId) override;
    Result<void> setOrderStage(std::string_view orderId, std::string_view stage) override;

    Result<std::vector<OpenInbound>> openInbound(std::string_view sku, std::string_view sscc) override;
    Result<void> addInboundReceived(int64_t id, Qty qty) override;
    Result<std::vector<ReceivedInbound>> receivedInbound(std::string_view sku, std::string_view sscc) override;
    Result<std::vector<ledger::InboundSupply>> inboundSupply(std::string_view sku) override;
    Result<std::optional<std::string>> inboundOfSscc(std::string_view sscc) override;
    Result<void> saveInboundLine(const ledger::InboundLine& line) override;

    Result<Qty> allocatableOnHand(std::string_view sku) override;
    Result<ledger::Date> registerLotExpiry(std::string_view sku, std::string_view lot, ledger::Date expiry) override;
    Result<std::vector<StockRow>> stock(std::string_view sku) override;
    Result<void> addStock(std::string_view sku, std::string_view location, std::string_view lot, Qty delta) override;
    Result<void> addHeld(std::string_view sku, std::string_view location, std::string_view lot, Qty delta) override;
    // Movements (SqliteServerMovements.cpp).
    Result<void> addMovements(const MovementSource& source, std::span<const Movement> movements) override;
    Result<UnknownMovements> movementsUnknownTo(std::string_view sku, std::string_view location, std::string_view lot,
                                                const CountBasis& basis) override;
    Result<bool> ssccReceived(std::string_view sscc) override;
    Result<void> markSsccReceived(std::string_view sscc, int64_t globalSeq) override;
    Result<void> unmarkSsccReceived(std::string_view sscc) override;

    Result<std::vector<UserRecord>> users() override;
    Result<void> saveUser(const UserRecord& user) override;
    Result<bool> removeUser(std::string_view name) override;

    Result<int64_t> addException(const ExceptionRecord& record) override;
    Result<std::vector<ExceptionRecord>> exceptions() override;
    Result<bool> resolveException(int64_t id, std::string_view note) override;

private:
    explicit SqliteServerStore(std::unique_ptr<store::Database> db);
    Result<void> migrate();
    // forgetRead drops what this connection remembers of the database (a rollback may have
    // undone what it read).
    void forgetRead();
    std::unique_ptr<store::Database> m_db;
    std::optional<ledger::Timestamp> m_logTime;
    // Products hasProduct found, and (within write transactions only) products with no open
    // order line (openLines) and no open inbound line (openInbound), as this connection last
    // read them. Every receipt asks all three, and for most products the answers stay the same
    // for hours. Found products stay found (none is ever deleted); the other two facts are
    // forgotten when this connection writes lines that may open one (an import, a pick undone,
    // a receipt undone) and when another connection committed anything (PRAGMA data_version,
    // read as each write transaction begins). Everything is forgotten on a rollback.
    ProductMemory m_products;
    int64_t m_dataVersion = -1;
    bool m_writing = false;
};

} // namespace backfill::server
