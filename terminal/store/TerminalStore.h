#pragma once
// TerminalStore is the handheld's SQLite database: master data, the append-only ledger with
// its derived stock and allocations, the outbox of ops for the server, and settings.
//
// Every action is one transaction that writes its events, the derived rows and an outbox
// row together; an action is confirmed to the operator only after its commit returned.

#include "ledger/Allocation.h"
#include "ledger/MasterDataCsv.h"
#include "ledger/Move.h"
#include "ledger/Projection.h"
#include "ledger/Receipt.h"
#include "ledger/Result.h"
#include "ledger/Types.h"
#include "store/Database.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace backfill::store {

using ledger::Qty;

// Actor names who did something, where and when (every ledger event carries it).
// `today` decides which lots are expired (expiry before today: never picked or allocated);
// the CLI sets it from --today.
struct Actor {
    std::string operatorName = "cli";
    std::string device = "local";
    ledger::Timestamp at = 0;
    ledger::Date today{};
};

// StockRow: on hand counts every location; units in a quarantine location are on hand but
// neither allocated nor free.
struct StockRow {
    std::string sku;
    Qty onHand = 0;
    Qty allocated = 0;
    Qty quarantined = 0;
    Qty free() const { return onHand - quarantined - allocated; }
};

struct BackorderRow {
    ledger::OrderLine line;
    ledger::LineState state = ledger::LineState::OutOfStock;
    std::optional<ledger::Date> eta;
};

// Allocation made while receiving or importing: `stage` is the order's staging location.
struct StagedAllocation {
    std::string orderId;
    int64_t line = 0;
    Qty qty = 0;
    std::optional<std::string> stage;
};

using ledger::ReceiptRequest;

// ReceivedLine is one product line of a receipt, as confirmed to the operator.
struct ReceivedLine {
    std::string sku;
    Qty qty = 0;
    std::optional<std::string> lot;
    std::optional<ledger::Date> expiry;
    std::optional<std::string> sscc;
    std::string location;
    std::vector<StagedAllocation> allocations;
    Qty toStock = 0;
    Qty overReceipt = 0;
};

// Moves and put-away (TerminalStoreMoves.cpp; docs/operations.md, Moves and put-away).
// MovedLot: `qty` units of `lot` (nullopt: no lot) went from -> to.
struct MovedLot {
    std::optional<std::string> lot;
    Qty qty = 0;
};
// ReleasedAllocation: `qty` units of an order line's allocation given back (the line waits
// again) because its product's units went into quarantine.
struct ReleasedAllocation {
    std::string orderId;
    int64_t line = 0;
    Qty qty = 0;
};
struct MoveResult {
    std::string sku;
    Qty qty = 0;
    std::string from;
    std::string to;
    std::optional<std::string> lot;        // the lot asked for (nullopt: any)
    std::vector<MovedLot> lots;            // what moved, lot by lot
    std::vector<ReleasedAllocation> released;
    std::vector<StagedAllocation> allocated;
};
// PutawayRow: `qty` unallocated units of (sku, lot) waiting at receiving location `from`, and
// the storage location suggested for them (nullopt: none).
struct PutawayRow {
    std::string sku;
    std::optional<std::string> lot;
    std::optional<ledger::Date> expiry;
    std::string from;
    Qty qty = 0;
    std::optional<std::string> suggest;
    Qty suggestHolds = 0;                  // units of the product already in `suggest`
};

// ImportReport is the outcome of an import: the count on success, or every error (with
// file lines) when nothing was imported.
struct ImportReport {
    int64_t imported = 0;
    std::vector<ledger::ImportIssue> errors;     // at most ledger::kMaxImportErrors
    std::vector<ledger::ImportIssue> warnings;
    bool truncated = false;                      // the cap was reached: the rest was not checked
};

// StoreOpenOptions: how a command opens the terminal database.
struct StoreOpenOptions {
    // create: false for commands that only read; a missing file is then no_database.
    bool create = true;
    // busyTimeout: how long to wait for another process's write lock (OpenOptions).
    std::chrono::milliseconds busyTimeout{60000};
};

class TerminalStore {
public:
    // open opens (or creates) the database and applies the numbered migrations in one
    // BEGIN IMMEDIATE transaction, stamping kApplicationId. Refused with nothing written:
    // no_database (missing, create off), not_backfill_db (another program's SQLite file),
    // newer_schema (written by a newer Backfill); otherwise db_* codes.
    static Result<std::unique_ptr<TerminalStore>> open(const std::string& path, const StoreOpenOptions& options = {});

    // Settings: small key/value pairs (device id, epoch, GS substitute, ...).
    Result<std::optional<std::string>> setting(const std::string& key);
    Result<void> setSetting(const std::string& key, const std::string& value);

    // Imports apply already-parsed rows (ledger::parse*Csv) in one transaction. Rows that
    // the database rejects (unknown_sku, duplicate_gtin, sscc_conflict) are reported with
    // their lines and nothing changes. Importing order lines allocates free stock at once.
    Result<ImportReport> importCatalog(const ledger::ParsedRows<ledger::Product>& rows, const Actor& actor);
    Result<ImportReport> importLocations(const ledger::ParsedRows<ledger::Location>& rows, const Actor& actor);
    Result<ImportReport> importBackorders(const ledger::ParsedRows<ledger::OrderLine>& rows, const Actor& actor);
    Result<ImportReport> importInbound(const ledger::ParsedRows<ledger::InboundLine>& rows, const Actor& actor);

    // stock lists every product, sorted by sku bytewise; `sku` narrows it to one (empty
    // list when unknown).
    Result<std::vector<StockRow>> stock(const std::optional<std::string>& sku);
    // backorders lists every imported order line sorted by (order_id, line) with its state
    // and projected ETA.
    Result<std::vector<BackorderRow>> backorders();

    // defaultReceivingLocation is the first `receiving` location by sequence, else "DOCK".
    Result<std::string> defaultReceivingLocation();

    // Group commit: begin() opens a transaction that the following receive() calls join
    // (each in its own savepoint, so a refused scan undoes only itself); commit() makes them
    // durable together. Without begin(), each receive() commits on its own.
    Result<void> begin();
    Result<void> commit();

    // receive records one receipt scan: ledger events, stock, matching against open
    // inbound, allocation to waiting lines (with staging) and an outbox op. Refusals:
    // unknown_gtin, sscc_unannounced, sscc_received, unknown_location. Nothing is written
    // for a refused scan.
    Result<std::vector<ReceivedLine>> receive(const ReceiptRequest& request, const Actor& actor);

    // pick issues `qty` allocated units of an order line from `location` (default: the
    // order's staging location when it holds the product, else the location with most of
    // it). Fails with unknown_line, not_allocated (qty > allocated), no_stock.
    Result<void> pick(const std::string& orderId, int64_t line, Qty qty, const std::optional<std::string>& location,
                      const Actor& actor);

    // locationKind is the kind of location `code`, nullopt when it is not in the list.
    Result<std::optional<ledger::LocationKind>> locationKind(const std::string& code);
    // move records one move in one transaction: its moved events (one per lot), the stock
    // rows, the quarantine rules and one outbox op (kind `move`). Into quarantine: if the
    // product's allocations then exceed its stock outside quarantine, the lines served last
    // give their units back (ledger::releaseLastServed); out of quarantine: the allocation
    // rule runs. Refused with nothing written: same_location, unknown_location, unknown_gtin,
    // unknown_sku, bad_qty, insufficient_stock (the message says how many are there).
    Result<MoveResult> move(const ledger::MoveRequest& request, const Actor& actor);
    // putaway lists unallocated units at receiving locations with a suggested storage bin,
    // sorted by (from, sku, lot). Reads only.
    Result<std::vector<PutawayRow>> putaway();

    // --- Picking: picklist, FEFO lots, short picks, reasons (TerminalStorePicking.cpp) ---

    // --- Counts, approvals and count tasks (TerminalStoreCounts.cpp) ---

    // --- Undo of the operator's last receipt (TerminalStoreUndo.cpp) ---

    // outboxCount is the number of ops not yet acknowledged by the server.
    Result<int64_t> outboxCount();
    // events lists the ledger in order (tests, audits).
    Result<std::vector<ledger::Event>> events();

    Database& database() { return *m_db; }

private:
    explicit TerminalStore(std::unique_ptr<Database> db) : m_db(std::move(db)) {}
    Result<void> migrate();
    Result<int64_t> productId(const std::string& sku);
    Result<std::vector<StagedAllocation>> allocateFree(int64_t productId, const Actor& actor, const std::string& opId,
                                                       Qty arriving = 0);
    Result<std::optional<std::string>> stageFor(const std::string& orderId);
    Result<void> deallocate(int64_t lineId, int64_t productId, Qty qty, const Actor& actor);
    Result<void> refreshOrderOpen(const std::string& orderId);
    Result<void> appendEvent(const ledger::Event& e, int64_t productId, int64_t orderLineId, const std::string& opId);
    // allocatableOnHand: the product's stock outside quarantine, minus held units, minus lots
    // expired before `today`.
    Result<Qty> allocatableOnHand(int64_t productId, ledger::Date today);
    // registerLot records a lot's expiry the first time the lot arrives with one.
    Result<void> registerLot(int64_t productId, const std::string& lot, ledger::Date expiry);
    Result<void> addStock(int64_t productId, const std::string& location, const std::string& lot, Qty delta);
    // appendOutbox writes the op with the next device_seq under the current epoch.
    Result<void> appendOutbox(const std::string& opId, const std::string& kind, const std::string& payload,
                              ledger::Timestamp at);
    Result<ReceivedLine> receiveUnits(int64_t productId, const std::string& sku, Qty qty, bool quarantine,
                                      const std::optional<std::string>& lot,
                                      const std::optional<ledger::Date>& expiry, const std::optional<std::string>& sscc,
                                      int64_t inboundLineId, const std::string& location, const Actor& actor,
                                      const std::string& opId);
    Result<std::vector<ReceivedLine>> receiveInTransaction(const ReceiptRequest& request, const Actor& actor);
    Result<MoveResult> moveInTransaction(const ledger::MoveRequest& request, const Actor& actor);
    Result<std::vector<ReleasedAllocation>> releaseExcess(int64_t productId, const Actor& actor, const std::string& opId);

    // --- private helpers of picking / counts / undo, each under its family's heading ---
    // Picking:

    // Counts:

    // Undo:

    std::unique_ptr<Database> m_db;
    bool m_inBatch = false;
};

} // namespace backfill::store
