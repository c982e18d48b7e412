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
#include "ledger/Replenishment.h"
#include "ledger/Reports.h"
#include "ledger/Result.h"
#include "ledger/Types.h"
#include "link/Link.h"
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

// StockLocation is one (location, lot) stock row of a product, as `stock --sku` shows it:
// `qty` units on the book there, `held` of them on hold (a short pick's missing units).
struct StockLocation {
    std::string location;
    std::optional<std::string> lot;
    std::optional<ledger::Date> expiry;
    Qty qty = 0;
    Qty held = 0;
};

// StockRow: on hand counts every location. What cannot be allocated is split without
// overlap, first matching rule: units in a quarantine location are `quarantined`; units of a
// lot expired before today elsewhere are `expired` (held or not); held units elsewhere are
// `held`. free() is what the allocation rule may still hand out (docs/operations.md,
// Picking); it is negative when a lot expired after its units were allocated.
struct StockRow {
    std::string sku;
    Qty onHand = 0;
    Qty allocated = 0;
    Qty quarantined = 0;
    Qty held = 0;
    Qty expired = 0;
    std::vector<StockLocation> locations; // only when stock() names one sku; sorted by (location, lot)
    Qty free() const { return onHand - quarantined - expired - held - allocated; }
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
    Qty staged = 0; // of a receipt's allocation: its units the receiver carries on to `stage`
};

using ledger::ReceiptRequest;

// ReleasedAllocation: `qty` units of an order line's allocation given back (the line waits
// again) because its product's allocatable units dropped (into quarantine, held, expired).
struct ReleasedAllocation {
    std::string orderId;
    int64_t line = 0;
    Qty qty = 0;
};

// ReceivedLine is one product line of a receipt, as confirmed to the operator. `released`:
// allocations given back because the receipt made a lot known to be expired, so units
// allocated from that lot before are no longer allocatable (docs/operations.md, Picking).
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
    std::vector<ReleasedAllocation> released;
};

// Moves and put-away (TerminalStoreMoves.cpp; docs/operations.md, Moves and put-away).
// MovedLot: `qty` units of `lot` (nullopt: no lot) went from -> to.
struct MovedLot {
    std::optional<std::string> lot;
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

// --- Picking types (TerminalStorePicking.cpp; docs/operations.md, Picking) ---
// PickTake: take `qty` units of `lot` (nullopt: no lot) at `location`.
struct PickTake {
    std::string location;
    std::optional<std::string> lot;
    std::optional<ledger::Date> expiry;
    Qty qty = 0;
};
// PicklistLine: an order line's allocated, unpicked units and where to take them, in
// pick-path order; `unplaced` units have no pickable stock (a lot expired or units were held
// after they were allocated).
struct PicklistLine {
    int64_t line = 0;
    std::string sku;
    Qty allocated = 0;
    std::vector<PickTake> take;
    Qty unplaced = 0;
};
struct PicklistOrder {
    std::string orderId;
    std::optional<std::string> stage;
    std::vector<PicklistLine> lines; // by line number
};
// ShortRequest: at `location` the picker found only `found` of the units the book says are
// there for order line (orderId, line); `reason` is a reason code of kind short.
struct ShortRequest {
    std::string orderId;
    int64_t line = 0;
    std::string location;
    Qty found = 0;
    std::string reason;
};
struct ShortResult {
    std::string sku;
    Qty expected = 0;                      // min(line allocated, pickable units at the location)
    Qty missing = 0;                       // expected - found: put on hold, taken off the line
    std::vector<PickTake> held;           // lot by lot, at the location
    std::vector<StagedAllocation> allocated; // the allocation rule's run right after
    int64_t countTask = 0;                 // count_tasks.id
};
// --- end Picking types

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
    // list when unknown) and fills its per-location rows. Lots expired before `today` count
    // as expired (the default, 1970-01-01, counts none).
    Result<std::vector<StockRow>> stock(const std::optional<std::string>& sku, ledger::Date today = {});
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

    // importReasons upserts reason codes by code (kind and description replaced) in one
    // transaction (TerminalStoreImports.cpp). Like the other master data it writes no outbox
    // op. Codes not in the file stay.
    Result<ImportReport> importReasons(const ledger::ParsedRows<ledger::Reason>& rows, const Actor& actor);

    // picklist lists the allocated, unpicked units of open order lines, grouped by order, the
    // orders in allocation order (of their first line by ledger::allocatesBefore), lines by
    // number. Each line says where to take its units: first the order's staging lane, then
    // first-expiry-first (no expiry last) over the other locations, ties by pick path
    // (sequence, then code; other orders' staging lanes last); never quarantine, held units or
    // lots expired before `today`. The takes are listed in pick-path order (the staging lane
    // first). Units are shared out in allocation order, as pickers would take them. `orderId`
    // narrows the list to one order (empty for an unknown one). Reads only.
    Result<std::vector<PicklistOrder>> picklist(const std::optional<std::string>& orderId, ledger::Date today);

    // pickLot is pick() with a lot: nullopt takes the location's lots first-expiry-first (no
    // expiry last). Never takes held units, quarantine or lots expired before actor.today.
    // Refusals, nothing written: unknown_line, bad_qty, not_allocated, quarantined, expired
    // (the named lot, or every unit that could serve, is expired), no_stock.
    Result<void> pickLot(const std::string& orderId, int64_t line, Qty qty, const std::optional<std::string>& location,
                         const std::optional<std::string>& lot, const Actor& actor);

    // shortPick records a short pick in one transaction (docs/operations.md, Picking): of the
    // expected units, min(the line's allocated units, the pickable units of its product at
    // the location), the missing ones (expected - found) go on hold there (`held` events,
    // stock.held; the later lots first-expiry-first, so the found ones are those a pick takes
    // first), are taken off the line (`deallocated`), the allocation rule runs for the product
    // at once, a count task is raised for (location, product), and one outbox op (kind
    // `short`) is written. Refusals, nothing written: unknown_line, unknown_location,
    // quarantined, unknown_reason (unknown, or not of kind short), bad_qty (found < 0),
    // not_allocated (the line has nothing allocated), no_stock (no pickable unit of the
    // product at the location), not_short (found >= expected).
    Result<ShortResult> shortPick(const ShortRequest& request, const Actor& actor);

    // --- Counts, approvals and count tasks (TerminalStoreCounts.cpp) ---
    // A blind count of one product (and lot) at one location, and what becomes of it
    // (issue 10 item 4; docs/operations.md, Counts). One key = (product, location, lot).
    //
    //   count() --variance within the threshold----------------------------------> Applied
    //      | beyond, first attempt
    //      v
    //   Recount --count() of the same key--> that row becomes Recounted, and the new row:
    //                                          within -> Applied, beyond -> Pending
    //   Pending --approveCount()--> Applied
    //           --rejectCount()---> Rejected
    //
    // Applied, Rejected and Recounted are final. Only Applied changes stock.
    enum class CountState { Recount, Pending, Applied, Rejected, Recounted };
    // countStateName gives the CLI/JSON spelling (`recount`, `pending`, `applied`, `rejected`,
    // `recounted`); parseCountState reads it (nullopt for anything else).
    static std::string_view countStateName(CountState state);
    static std::optional<CountState> parseCountState(std::string_view text);

    // CountRequest: `counted` units of `sku` (of `lot`; nullopt: the stock without a lot) seen
    // at `location` by a counter who knew the ledger up to event `basis` (nullopt: now).
    struct CountRequest {
        std::string sku;
        std::string location;
        std::optional<std::string> lot;
        Qty counted = 0;
        std::optional<int64_t> basis;
    };
    // CountRow is one count as recorded. `bookAtBasis` is the book quantity of the key as of
    // event `basis`; `variance` = counted - bookAtBasis. `adjusted` is the stock change an
    // applied count made (nullopt until applied; it differs from `variance` only when the
    // location would go below zero, see docs). `recountOf` names the count this one recounts.
    struct CountRow {
        int64_t countId = 0;
        CountState state = CountState::Recount;
        std::string sku;
        std::string location;
        std::optional<std::string> lot;
        Qty counted = 0;
        int64_t basis = 0;
        std::optional<std::string> basisOpId; // the op of the basis event, for the server
        Qty bookAtBasis = 0;
        Qty variance = 0;
        int64_t attempt = 1;
        std::optional<int64_t> recountOf;
        std::optional<Qty> adjusted;
        std::optional<std::string> reason;
        std::optional<std::string> note;
        std::string operatorName;
        ledger::Timestamp at = 0;
        std::optional<std::string> decidedBy;
        std::optional<ledger::Timestamp> decidedAt;
        std::string opId; // the count's outbox op
        // The basis as the server knows it (DESIGN.md P6; docs/sync.md, Counts): the server
        // cursor pulled when event `basis` was the latest, and this device's last op written
        // by then, as (epoch, wire device_seq). Nullopt for counts recorded before migration 12.
        std::optional<int64_t> basisCursor;
        std::optional<int64_t> basisEpoch;
        std::optional<int64_t> basisDeviceSeq;
    };
    // CountOutcome: a recorded count and, when it was applied, what applying it did.
    struct CountOutcome {
        CountRow count;
        Qty holdsCleared = 0;                    // held units released at the key
        std::vector<int64_t> tasksDone;          // count tasks closed, by id
        std::vector<ReleasedAllocation> released; // allocations the lower count no longer covers
        std::vector<StagedAllocation> allocated;  // the allocation rule on the units freed/found
    };
    // CountTask is a location/product to count, raised by a short pick.
    struct CountTask {
        int64_t taskId = 0;
        std::string sku;
        std::string location;
        std::string reason;
        std::optional<std::string> orderId;
        std::optional<int64_t> line;
        Qty missing = 0;
        std::string createdBy;
        ledger::Timestamp createdAt = 0;
        std::optional<ledger::Timestamp> doneAt;
    };

    // count records one blind count in one transaction: a `counted` event, its counts row and
    // one outbox op (kind `count`); within the threshold (setting `count_threshold`, default
    // "2,5%": max(2 units, 5 % of the book at the basis)) it is applied at once (applyCount).
    // A count of a key in Recount is its recount. Refused with nothing written: unknown_sku,
    // unknown_location, bad_qty (counted < 0), bad_basis (negative or after the latest
    // event), count_pending (the key has a count waiting for a supervisor), bad_setting.
    Result<CountOutcome> count(const CountRequest& request, const Actor& actor);
    // approveCount applies a Pending count with an `adjust` reason, in one transaction (op
    // `count_approve`). Refused: unknown_count, not_pending, unknown_reason.
    Result<CountOutcome> approveCount(int64_t countId, const std::string& reason, const std::optional<std::string>& note,
                                      const Actor& actor);
    // rejectCount drops a Pending count (no stock change; holds and tasks stay) with a note,
    // in one transaction (op `count_reject`). Refused: unknown_count, not_pending.
    Result<CountRow> rejectCount(int64_t countId, const std::string& note, const Actor& actor);
    // counts lists counts sorted by count_id, only those in `state` when given. Reads only.
    Result<std::vector<CountRow>> counts(std::optional<CountState> state);
    // countTasks lists count tasks sorted by id: the open ones, or every one with `all`.
    Result<std::vector<CountTask>> countTasks(bool all);
    // latestEventId is the ledger position now (0 for an empty ledger): a count's basis.
    Result<int64_t> latestEventId();

    // --- Undo of the operator's last receipt (TerminalStoreUndo.cpp) ---
    // The rules (what "picked or moved since" means, which receipt is the last) are in
    // docs/operations.md, Undo.

    // UndoneStage: `qty` units the receipt had carried on to staging lane `stage`, brought back.
    struct UndoneStage {
        std::string stage;
        Qty qty = 0;
    };
    // UndoneLine is one product line of the undone receipt: `qty` units of `lot` taken back at
    // `location` (after `staged` came back from the lanes); `inbound` of them had counted
    // against open inbound lines (the pallet's lines, or the product's loose lines), which
    // wait for them again.
    struct UndoneLine {
        std::string sku;
        Qty qty = 0;
        std::optional<std::string> lot;
        std::optional<ledger::Date> expiry;
        std::optional<std::string> sscc;
        std::string location;
        std::vector<UndoneStage> staged;
        Qty inbound = 0;
    };
    struct UndoResult {
        std::string opId;                    // the undo's own op (outbox kind `undo`)
        std::string undoneOpId;              // the receipt's op
        std::optional<std::string> scan;     // the receipt's scan (from its op, while the outbox holds it)
        ledger::Timestamp receivedAt = 0;    // when the receipt was made
        std::vector<UndoneLine> lines;
        std::vector<ReleasedAllocation> released; // the receipt's claims given back, then any excess
        std::vector<StagedAllocation> allocated;  // waiting lines covered again from other free stock
    };
    // undoLastReceipt reverses `actor`'s last receipt on this device (actor.operatorName,
    // actor.device) in one transaction, by appending reversing events, never deleting any:
    // staging moves moved back, `received` with minus quantities, the receipt's allocations
    // released (`deallocated`), inbound progress and the pallet's SSCC given back, stock rows,
    // then the quarantine rule's release of excess allocations and the allocation rule; and
    // one outbox op (kind `undo`, naming the undone op_id). Refused with nothing written:
    // nothing_to_undo (no receipt by this operator, or the last one is already undone),
    // undo_blocked (units of the receipt's products were picked, moved, held or counted at
    // its locations since, or its units there are no longer all unheld stock).
    Result<UndoResult> undoLastReceipt(const Actor& actor);

    // --- Sync with backfilld (TerminalStoreSync.cpp; docs/sync.md, Terminal link) ---
    // This database's side of sync/link: identity and epoch, the outbox as the wire carries
    // it, the pull cursor, the server's state folded from the pulled log (server_stock,
    // server_lines) and the corrections of this device's claims. The view model: master data
    // comes from the server as pulled; stock and allocations are set to the server's state at
    // the cursor whenever no op waits for the server (settleView), with `adjusted`, `held`,
    // `allocated` and `deallocated` events for the differences, so the ledger still adds up.

    // SyncStatus is what `backfill sync --status` prints (nullopt fields before enrolment).
    struct SyncStatus {
        std::optional<std::string> server;
        std::optional<std::string> device;
        int64_t epoch = 0;
        int64_t unsent = 0;
        int64_t cursor = 0;
        std::optional<std::string> lastSync;
    };
    // linkStore is this database as sync/link's LinkStore, stamping the events settleView
    // writes with `at`; it must not outlive the store.
    std::unique_ptr<link::LinkStore> linkStore(ledger::Timestamp at);
    // enrolled: the terminal has an identity at a server (import and user admin refuse then).
    Result<bool> enrolled();
    Result<SyncStatus> syncStatus();
    // takeCorrections returns the pulled corrections of this device's claims not reported
    // yet (JSON payloads, log order) and marks them reported, in one transaction.
    Result<std::vector<std::string>> takeCorrections();
    // The LinkStore functions (sync/link/Link.h says what each does).
    Result<std::optional<link::Identity>> syncIdentity();
    Result<std::optional<std::string>> enrolBlocker(const link::Identity& next);
    Result<void> saveEnrolment(const link::Identity& identity);
    // unsentOps: the oldest `limit` unacknowledged ops, or those after the wire position
    // `after` (epoch, device_seq).
    Result<std::vector<protocol::Op>> unsentOps(size_t limit, std::optional<std::pair<int64_t, int64_t>> after = std::nullopt);
    Result<void> markAcked(const std::vector<std::string>& opIds);
    Result<void> resendFrom(int64_t epoch, int64_t seq);
    Result<int64_t> syncCursor();
    Result<link::Applied> applyChanges(const protocol::Changes& changes, const link::Identity& pulledFor);
    // settleView does nothing while an op waits (checked in its own transaction).
    Result<void> settleView(ledger::Timestamp at);
    Result<void> recordSync(const std::string& at);
    // --- end Sync

    // --- Lookups for the touch UI (TerminalStoreLookups.cpp). Read only. ---
    // ProductRef: a product as a screen names it; `units` is what one scan of the GTIN looked
    // up stands for (1 when found by sku or text).
    struct ProductRef {
        std::string sku;
        std::string description;
        Qty units = 1;
    };
    // productByGtin resolves a GTIN-14 (nullopt: not in the catalog).
    Result<std::optional<ProductRef>> productByGtin(const std::string& gtin);
    // findProducts lists products whose sku or description contains `text` (ASCII case
    // insensitive), sorted by sku, at most `limit`.
    Result<std::vector<ProductRef>> findProducts(const std::string& text, size_t limit);
    // reasons lists the reason codes of `kind`, sorted by code.
    Result<std::vector<ledger::Reason>> reasons(ledger::ReasonKind kind);
    // AnnouncedPallet: a pallet an ASN announced (inbound lines with its SSCC) that is not
    // received yet: what the receiver expects, line by line.
    struct AnnouncedPallet {
        std::string sscc;
        std::string inboundId;
        std::string supplier;
        ledger::Date eta;
        std::vector<std::pair<std::string, Qty>> lines; // sku, qty, in import order
    };
    // announcedPallets lists them by ETA, inbound id and SSCC, at most `limit`.
    Result<std::vector<AnnouncedPallet>> announcedPallets(size_t limit);
    // InboundSupply is one open inbound line of a product: units an ASN or a purchase still
    // brings (qty - received > 0).
    struct InboundSupply {
        std::string inboundId;
        std::string supplier;
        ledger::Date eta;
        std::string sscc; // "" for loose units
        Qty due = 0;
    };
    // inboundFor lists the open inbound lines of `sku` by ETA, inbound id and import order, at
    // most `limit` (the Stock card).
    Result<std::vector<InboundSupply>> inboundFor(const std::string& sku, size_t limit);
    // palletsDue counts them with an ETA on or before `today` (the Receive tile).
    Result<int64_t> palletsDue(ledger::Date today);
    // locationByGln is the location a GS1 location label names: GLN `gln` (AI 414) with
    // extension `extension` (AI 254, "" for none), as imported (nullopt: none).
    Result<std::optional<std::string>> locationByGln(const std::string& gln, const std::string& extension);
    // --- end Lookups

    // --- The corrections inbox of the Sync screen (TerminalStoreInbox.cpp; docs/ui.md) ---
    // A pulled correction of this device's claims (docs/sync.md) with what the terminal
    // knows of the claim: where its units were carried (`stagedAt`: the staging lane the
    // receipt moved them to, else the location they were received at).
    struct Correction {
        int64_t seq = 0;                        // the server log entry
        std::string orderId;
        int64_t line = 0;
        std::string sku;
        Qty oldQty = 0;                         // claimed here (released here, for a release)
        Qty newQty = 0;                         // granted by the server (released by it)
        bool release = false;                   // the op's releases differed, not a claim (`release`)
        std::string message;                    // the server's words
        std::string opId;                       // this device's op whose claim was cut
        std::optional<std::string> filledBy;    // the other device that filled the line (`filled_by`), when the server named one
        std::optional<std::string> stagedAt;
        std::optional<std::string> ackedBy;
        std::optional<ledger::Timestamp> ackedAt;
    };
    // corrections lists the pulled corrections in log order: only those no operator
    // acknowledged yet with `open`, else all.
    Result<std::vector<Correction>> corrections(bool open);
    // acknowledgeCorrection records that `actor` saw correction `seq` and acts on it. Refused:
    // unknown_correction, already_acknowledged (naming who and when).
    Result<Correction> acknowledgeCorrection(int64_t seq, const Actor& actor);
    // --- end Inbox

    // --- The back office on the terminal (TerminalStoreReplenish.cpp; docs/backoffice.md) ---
    // The Stock screen's reorder state and fast movers, decided by the server's rules
    // (ledger/Replenishment.h, ledger/Reports.h) over this terminal's view: on hand outside
    // quarantine net of holds, open inbound, the allocated and waiting units of open lines, the
    // demand of the lines ordered in [today - windowDays, today), the pulled suppliers and
    // promotions, and the `picked` events of the window (this terminal's picks when made,
    // other terminals' when a pull brought them). In step with the server, each figure is the
    // one `backfilld replenish` and `backfilld report velocity` print. Read only, each call in
    // one read transaction.
    // reorderState of one product; nullopt when the sku is not in the catalog. (Its rank
    // among the movers is velocity()'s, read once for every product.)
    Result<std::optional<ledger::Replenishment>> reorderState(const std::string& sku, ledger::Date today,
                                                              const ledger::ReplenishmentPolicy& policy);
    // replenishment decides for every product of the catalog, by sku.
    Result<std::vector<ledger::Replenishment>> replenishment(ledger::Date today, const ledger::ReplenishmentPolicy& policy);
    // velocity ranks the products picked in [today - windowDays, today), fastest first.
    Result<std::vector<ledger::VelocityRow>> velocity(ledger::Date today, int32_t windowDays);
    // --- end Back office

    // outboxCount is the number of ops not yet acknowledged by the server.
    Result<int64_t> outboxCount();
    // events lists the ledger in order (tests, audits).
    Result<std::vector<ledger::Event>> events();

    Database& database() { return *m_db; }
    // checkpointIfDue: Database::checkpointIfDue, for a writer whose result is out.
    void checkpointIfDue() { m_db->checkpointIfDue(); }

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
    Result<void> pickInTransaction(const std::string& orderId, int64_t line, Qty qty,
                                   const std::optional<std::string>& location, const std::optional<std::string>& lot,
                                   const Actor& actor);
    Result<ShortResult> shortInTransaction(const ShortRequest& request, const Actor& actor);

    // Counts:
    Result<CountOutcome> countInTransaction(const CountRequest& request, const Actor& actor);
    // bookAtBasis: the key's stock now minus the stock deltas of the events after `basis`.
    Result<Qty> bookAtBasis(int64_t productId, const std::string& location, const std::string& lot, int64_t basis);
    // serverBasis fills `c`'s basisCursor, basisEpoch and basisDeviceSeq for its basis
    // (`latest`: the ledger position now, before the count writes anything).
    Result<void> serverBasis(CountRow& c, int64_t latest);
    // withinCountThreshold: |variance| is within setting count_threshold for `book`.
    Result<bool> withinCountThreshold(Qty variance, Qty book);
    // applyCount makes a count's adjustment on top of the current book, lifts the key's holds,
    // closes the product's count tasks there when no hold is left, and releases or allocates.
    Result<void> applyCount(CountOutcome& out, int64_t productId, const Actor& actor, const std::string& opId);
    Result<std::optional<CountRow>> readCount(int64_t countId);

    // Undo:
    Result<UndoResult> undoInTransaction(const Actor& actor);

    std::unique_ptr<Database> m_db;
    bool m_inBatch = false;
};

} // namespace backfill::store
