#pragma once
// ServerStore: what backfilld keeps, behind an interface of its own (issue 11 item 3), so a
// PostgreSQL backend can follow without touching the protocol or the rules. The rules
// (server/Apply.h, server/Imports.h) only call these functions; a backend only stores and
// finds. SqliteServerStore (server/SqliteServerStore.h) is the backend today.
//
// Every function fails with the backend's error values (db_busy, db_full, db_io, ...), never
// with a rule's code. Functions that change something must run inside transact().

#include "ledger/Date.h"
#include "ledger/MasterDataCsv.h"
#include "ledger/Notifications.h"
#include "ledger/Projection.h"
#include "ledger/Replenishment.h"
#include "ledger/Result.h"
#include "ledger/Roles.h"
#include "ledger/Types.h"
#include "protocol/Messages.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace backfill::server {

using ledger::Qty;
using ledger::Result;

// DeviceRecord is one terminal known to the server. `tokenHash` is the hash of the device's
// secret for `epoch` (empty before the first enrolment); `enrolHash` the hash of a pending
// one-time enrolment token (empty when none waits). Hashes are server/Tokens.h's.
struct DeviceRecord {
    std::string deviceId;
    int64_t epoch = 0;
    std::string tokenHash;
    std::string enrolHash;
    bool revoked = false;
    std::optional<int64_t> lastSeen; // seconds since 1970 of the last accepted Hello
};

// SessionRecord is what a session id (stored hashed) is bound to.
struct SessionRecord {
    std::string deviceId;
    int64_t epoch = 0;
    int64_t issuedAt = 0; // seconds since 1970 (migration 11; 0 for sessions issued before it)
};

// AppliedOp is one op the server has handled for good: applied, flagged, or rejected for a
// reason retrying cannot cure. Its `result` is returned verbatim to a duplicate.
struct AppliedOp {
    std::string opId;
    std::string deviceId;
    int64_t epoch = 0;
    int64_t deviceSeq = 0;
    std::string kind;
    protocol::OpStatus status = protocol::OpStatus::Applied;
    std::string code;
    std::string message;
    int64_t globalSeq = 0; // 0 when rejected
    std::string result;    // JSON
};

// OpenInbound is an inbound line with units still expected.
struct OpenInbound {
    int64_t id = 0;
    Qty open = 0;
};

// ReceivedInbound is an inbound line that has received units (what an undo may give back).
struct ReceivedInbound {
    int64_t id = 0;
    Qty received = 0;
};

// UserRecord is an operator the server is the master of; terminals receive it by the log
// (with the hash, so they sign operators in offline). `pinHash` is pin/PinHash.h's.
struct UserRecord {
    std::string name;
    ledger::Role role = ledger::Role::Receiver;
    std::string pinHash;
};

// StockRow is the stock of one product at one location in one lot ("" = none).
struct StockRow {
    std::string sku;
    std::string location;
    std::string lot;
    Qty qty = 0;
    Qty held = 0;
    std::optional<ledger::Date> expiry; // the lot's (lots table); none for no lot or no expiry known
};

// ExceptionRecord is something that needs a person (a second receipt of one SSCC, stock
// that went negative, an over-pick).
struct ExceptionRecord {
    int64_t id = 0;
    std::string code;
    std::string opId;
    std::string deviceId;
    std::string payload; // JSON
    std::optional<std::string> resolvedNote; // set once a person resolved it
};

// TimedLogEntry is a log entry with when it happened (`at`, seconds since 1970; nullopt for
// entries written before the log kept times).
struct TimedLogEntry {
    int64_t seq = 0;
    std::string kind;
    std::string payload; // JSON
    std::optional<ledger::Timestamp> at;
};

// NotificationRecord is one queued customer message (docs/backoffice.md, Notifications).
// `state`: pending (to send), sent (the relay accepted it), failed (the relay refused it for
// good), unsubscribed (its address was unsubscribed before it went out: never sent).
struct NotificationRecord {
    int64_t id = 0;
    std::string event;     // what queued it (JSON array): queued once per event
    ledger::Notice notice; // kind, email, customer, order, line, sku, qty, dates
    ledger::MailText text;
    std::string state;
    int64_t attempts = 0;
    int64_t nextAttemptAt = 0; // seconds since 1970; 0 = at once
    int64_t queuedAt = 0;
    std::optional<int64_t> sentAt;
    std::optional<std::string> lastError;
};

// EtaMemoryRecord is a line's ledger::EtaMemory with whether a change of it waits for a
// later day (the daily limit held it back).
struct EtaMemoryRecord {
    ledger::EtaMemory memory;
    bool deferred = false;
};

// Movement is one change of on-hand units at (sku, location, lot) that an op made, as its
// log entry records it (server/Movements.h). MovementSource says which op: its log entry's
// seq and the device op (device, epoch, device_seq).
struct Movement {
    std::string sku;
    std::string location;
    std::string lot;
    Qty qty = 0;
};
struct MovementSource {
    int64_t seq = 0;
    std::string deviceId;
    int64_t epoch = 0;
    int64_t deviceSeq = 0;
};

// CountBasis is what a counting terminal knew (DESIGN.md P6; docs/sync.md, Counts): every
// log entry up to `cursor`, and its own ops up to (epoch, deviceSeq) (every op of an earlier
// epoch, and those of `epoch` with device_seq <= deviceSeq).
struct CountBasis {
    int64_t cursor = 0;
    std::string deviceId;
    int64_t epoch = 0;
    int64_t deviceSeq = 0;
};

// UnknownMovements sums the movements at a key that a basis did not know: their net units,
// how many there are, and how many of them other devices made.
struct UnknownMovements {
    Qty net = 0;
    int64_t count = 0;
    int64_t byOthers = 0;
};

class ServerStore {
public:
    virtual ~ServerStore() = default;

    // transact runs `body` in one write transaction: committed when it succeeds, rolled back
    // (nothing of it kept) when it or the commit fails. `what` names it for error messages.
    virtual Result<void> transact(const char* what, const std::function<Result<void>()>& body) = 0;

    // savepoint runs `body` inside the open transaction as a unit of its own: its writes are
    // kept when it returns true, undone when it returns false or fails (the error is returned),
    // and the rest of the transaction goes on either way. A push applies each op that may be
    // refused after writing in one, so it leaves nothing behind while the ops around it stay.
    virtual Result<bool> savepoint(const std::function<Result<bool>()>& body) = 0;
    // writesSoFar counts the rows this store has written since it opened: a unit run without
    // a savepoint (an op that refuses before writing) is checked with it.
    virtual int64_t writesSoFar() const = 0;

    // checkpointIfDue is for the writer between two transactions, once their requests are
    // answered: housekeeping that would otherwise land inside a later commit runs here
    // (SQLite: the WAL checkpoint, store/Checkpointer.h).
    virtual void checkpointIfDue() = 0;

    // Back office (issue 13; docs/backoffice.md).
    // snapshot runs `body` in one read transaction: every read sees the same state, and
    // writers (pushes) are not held up meanwhile. `body` must not write.
    virtual Result<void> snapshot(const char* what, const std::function<Result<void>()>& body) = 0;
    // setLogTime sets when the entries appended from now on happened (an op's device time,
    // a command's --today); nullopt: the system clock at each append. logTime reads it back.
    virtual void setLogTime(std::optional<ledger::Timestamp> at) = 0;
    virtual std::optional<ledger::Timestamp> logTime() const = 0;
    // logEntries returns at most `max` entries with seq > cursor whose kind is one of `kinds`
    // (every kind when empty), in seq order, with their times.
    virtual Result<std::vector<TimedLogEntry>> logEntries(int64_t cursor, size_t max, std::span<const std::string> kinds) = 0;
    // replaceSuppliers makes `suppliers` the whole supplier list of product `sku`.
    virtual Result<void> replaceSuppliers(std::string_view sku, std::span<const ledger::Supplier> suppliers) = 0;
    // suppliers: every product's suppliers by (sku, supplier).
    virtual Result<std::vector<ledger::Supplier>> suppliers() = 0;
    // addPromotion stores a promotion (its id is ignored) and returns the new id.
    virtual Result<int64_t> addPromotion(const ledger::Promotion& promotion) = 0;
    // promotions: every promotion, active or not, by (sku, id).
    virtual Result<std::vector<ledger::Promotion>> promotions() = 0;
    // productPositions: every product of the catalog by sku, with its stock, open inbound,
    // open lines and the quantity of the lines (not cancelled) ordered in [demandFrom, demandTo).
    virtual Result<std::vector<ledger::ProductPosition>> productPositions(ledger::Timestamp demandFrom, ledger::Timestamp demandTo) = 0;

    // Customer notifications (issue 13 item 3; server/Notify.h).
    // queueNotification stores a message for `event` unless that event was queued before
    // (then false and nothing changes). The message is `unsubscribed` at once when its address
    // is. `now` is the queue time (seconds since 1970).
    virtual Result<bool> queueNotification(std::string_view event, const ledger::Notice& notice, const ledger::MailText& text,
                                           int64_t now) = 0;
    // notifications: the outbox by id, only `state` when it is not empty.
    virtual Result<std::vector<NotificationRecord>> notifications(std::string_view state) = 0;
    // dueNotifications: at most `max` pending messages with id > `afterId` due at `now`
    // (next_attempt_at <= now; every pending one when `ignoreBackoff`), by id.
    virtual Result<std::vector<NotificationRecord>> dueNotifications(int64_t now, bool ignoreBackoff, int64_t afterId, size_t max) = 0;
    // markNotification records a send attempt of a pending message: `state` sent (sentAt =
    // now), failed, or pending again (retry at nextAttemptAt); attempts + 1, error kept.
    // False when the message was not pending any more (unsubscribed meanwhile).
    virtual Result<bool> markNotification(int64_t id, std::string_view state, int64_t now, int64_t nextAttemptAt,
                                          std::optional<std::string_view> error) = 0;
    // etaMemories: what the customers of product `sku`'s lines were told of their ETAs, by
    // (order_id, line); a line told nothing yet is absent.
    virtual Result<std::map<std::pair<std::string, int64_t>, EtaMemoryRecord>> etaMemories(std::string_view sku) = 0;
    virtual Result<void> saveEtaMemory(std::string_view orderId, int64_t line, const EtaMemoryRecord& record) = 0;
    // deferredSkus: the products of lines whose ETA change waits for a later day, by sku.
    virtual Result<std::vector<std::string>> deferredSkus() = 0;
    // addToWaitlist stores (email, sku) waiting from `day`; an entry already notified waits
    // again; one still waiting is left as it is. Returns whether it changed anything.
    virtual Result<bool> addToWaitlist(std::string_view email, std::string_view sku, ledger::Date day) = 0;
    // waitlist: the addresses waiting for `sku`, by email.
    virtual Result<std::vector<std::string>> waitlist(std::string_view sku) = 0;
    // anyWaitlisted: whether any address waits for any product.
    virtual Result<bool> anyWaitlisted() = 0;
    virtual Result<void> markWaitlistNotified(std::string_view email, std::string_view sku, ledger::Date day) = 0;
    // unsubscribe adds `email` (normalised) to the unsubscribed addresses (false when it was
    // already there) and turns its pending messages `unsubscribed`; `dropped` counts them.
    virtual Result<bool> unsubscribe(std::string_view email, ledger::Date day, int64_t& dropped) = 0;
    // notificationCounts: how many messages of the outbox are in each state.
    virtual Result<std::map<std::string, int64_t>> notificationCounts() = 0;
    // notifyInstance is this database's random hex id, part of every Message-ID.
    virtual Result<std::string> notifyInstance() = 0;

    // Devices and sessions.
    virtual Result<std::optional<DeviceRecord>> device(std::string_view deviceId) = 0;
    virtual Result<std::vector<DeviceRecord>> devices() = 0;
    // saveDevice inserts or replaces the device of record.deviceId.
    virtual Result<void> saveDevice(const DeviceRecord& record) = 0;
    virtual Result<void> addSession(std::string_view idHash, const SessionRecord& session) = 0;
    virtual Result<std::optional<SessionRecord>> session(std::string_view idHash) = 0;

    // Applied ops.
    virtual Result<std::optional<AppliedOp>> appliedOp(std::string_view opId) = 0;
    // lastDeviceSeq is the highest device_seq handled for (device, epoch), 0 for none.
    virtual Result<int64_t> lastDeviceSeq(std::string_view deviceId, int64_t epoch) = 0;
    virtual Result<void> recordOp(const AppliedOp& op) = 0;

    // The server log: append returns the new entry's seq (1, 2, ... without gaps, in commit
    // order); entriesAfter returns at most `max` entries with seq > cursor, in seq order.
    virtual Result<int64_t> appendLog(std::string_view kind, std::string_view payloadJson) = 0;
    virtual Result<std::vector<protocol::LogEntry>> entriesAfter(int64_t cursor, size_t max) = 0;
    virtual Result<int64_t> headSeq() = 0;

    // Master data.
    virtual Result<std::optional<ledger::Product>> product(std::string_view sku) = 0;
    // hasProduct: whether `sku` is in the catalog (what an op checks; reads no columns).
    virtual Result<bool> hasProduct(std::string_view sku) = 0;
    // gtinOwner is the sku a GTIN (14 digits) belongs to.
    virtual Result<std::optional<std::string>> gtinOwner(std::string_view gtin) = 0;
    // saveProduct inserts or replaces the product and its GTINs (gtin: 1 unit, case_gtin: caseQty).
    virtual Result<void> saveProduct(const ledger::Product& product) = 0;
    virtual Result<std::optional<ledger::LocationKind>> locationKind(std::string_view code) = 0;
    virtual Result<bool> hasLocations() = 0;
    // location is the stored location with its GS1 label (gln, glnExtension), if any.
    virtual Result<std::optional<ledger::Location>> location(std::string_view code) = 0;
    // glnOwner is the code of the location a (gln, extension) pair names (extension "" = none).
    virtual Result<std::optional<std::string>> glnOwner(std::string_view gln, std::string_view extension) = 0;
    // clearGln takes the GS1 label off a location (none: no change), so an import can give
    // it to another location without the pair naming two at once.
    virtual Result<void> clearGln(std::string_view code) = 0;
    // saveLocation inserts or updates by code. With a gln it stores the pair (which no other
    // location may hold: db_constraint); without one it keeps the label stored.
    virtual Result<void> saveLocation(const ledger::Location& location) = 0;
    virtual Result<void> saveReason(const ledger::Reason& reason) = 0;

    // Order lines. openLines: the product's lines not cancelled and not fully picked.
    virtual Result<std::vector<ledger::OrderLine>> openLines(std::string_view sku) = 0;
    virtual Result<std::optional<ledger::OrderLine>> orderLine(std::string_view orderId, int64_t line) = 0;
    // orderLines: every line, by order id and line number.
    virtual Result<std::vector<ledger::OrderLine>> orderLines() = 0;
    // saveOrderLine inserts or updates the line's fields from the file (sku, qty, priority,
    // dates, customer, email, cancelled); allocated and picked are kept.
    virtual Result<void> saveOrderLine(const ledger::OrderLine& line) = 0;
    // changeLine adds the deltas to the line's allocated and picked.
    virtual Result<void> changeLine(std::string_view orderId, int64_t line, Qty allocatedDelta, Qty pickedDelta) = 0;
    // fillLine adds `qty` to the line's allocated and records who filled it (`filled_by`,
    // migration 6): `device`, whose op's settle allocated the units, or "" for the server's own
    // settle (an import), stored as none.
    virtual Result<void> fillLine(std::string_view orderId, int64_t line, Qty qty, std::string_view device) = 0;
    // filledBy is the device of the latest op whose settle allocated units to the line;
    // nullopt when the latest allocation was the server's own, when none was made, or when
    // there is no such line. Releases and picks leave it as it is.
    virtual Result<std::optional<std::string>> filledBy(std::string_view orderId, int64_t line) = 0;
    // Staging lanes (docs/server.md, One lane per order): orderStage is the lane the server
    // keeps for an order (the first staged receipt's), nullopt before any; setOrderStage
    // records it for an order that has none (migration 10; one it has is kept: db_constraint).
    virtual Result<std::optional<std::string>> orderStage(std::string_view orderId) = 0;
    virtual Result<void> setOrderStage(std::string_view orderId, std::string_view stage) = 0;

    // Inbound. openInbound: lines of the product with units still expected, on pallet `sscc`
    // ("" = loose lines, no pallet), in (eta, inbound_id, file order).
    virtual Result<std::vector<OpenInbound>> openInbound(std::string_view sku, std::string_view sscc) = 0;
    virtual Result<void> addInboundReceived(int64_t id, Qty qty) = 0;
    // receivedInbound: lines of the product on pallet `sscc` ("" = loose) that received units,
    // in receiving order (eta, inbound_id, file order).
    virtual Result<std::vector<ReceivedInbound>> receivedInbound(std::string_view sku, std::string_view sscc) = 0;
    // inboundSupply: the open inbound of product `sku`, in (eta, inbound_id, import order).
    virtual Result<std::vector<ledger::InboundSupply>> inboundSupply(std::string_view sku) = 0;
    // inboundOfSscc is the inbound id a pallet belongs to.
    virtual Result<std::optional<std::string>> inboundOfSscc(std::string_view sscc) = 0;
    // saveInboundLine inserts or updates by (inbound_id, sku, sscc); received is kept.
    virtual Result<void> saveInboundLine(const ledger::InboundLine& line) = 0;

    // Stock. allocatableOnHand: the product's units outside quarantine locations, net of holds,
    // but for lots expired before the day of the entries being written (logTime's UTC date:
    // an op's device day, a command's --today; else the clock's).
    virtual Result<Qty> allocatableOnHand(std::string_view sku) = 0;
    // registerLotExpiry keeps `expiry` as the lot's unless the lot already has one (its first
    // receipt that named one wins, as on the terminal); returns the lot's expiry as kept.
    virtual Result<ledger::Date> registerLotExpiry(std::string_view sku, std::string_view lot, ledger::Date expiry) = 0;
    virtual Result<std::vector<StockRow>> stock(std::string_view sku) = 0; // "" = every product
    virtual Result<void> addStock(std::string_view sku, std::string_view location, std::string_view lot, Qty delta) = 0;
    // addHeld changes the units on hold at (sku, location, lot) by `delta` (the row is created
    // with qty 0 when missing).
    virtual Result<void> addHeld(std::string_view sku, std::string_view location, std::string_view lot, Qty delta) = 0;
    // addMovements records the on-hand changes an op made (its entry's seq and device op);
    // movementsUnknownTo sums those at (sku, location, lot) that `basis` did not know: log seq
    // after its cursor and not an op of its device up to its (epoch, device_seq).
    virtual Result<void> addMovements(const MovementSource& source, std::span<const Movement> movements) = 0;
    virtual Result<UnknownMovements> movementsUnknownTo(std::string_view sku, std::string_view location, std::string_view lot,
                                                        const CountBasis& basis) = 0;
    virtual Result<bool> ssccReceived(std::string_view sscc) = 0;
    virtual Result<void> markSsccReceived(std::string_view sscc, int64_t globalSeq) = 0;
    // unmarkSsccReceived forgets a pallet's receipt (its undo): it may be received again.
    virtual Result<void> unmarkSsccReceived(std::string_view sscc) = 0;

    // Users, by name bytewise. removeUser: false when there is no such user.
    virtual Result<std::vector<UserRecord>> users() = 0;
    virtual Result<void> saveUser(const UserRecord& user) = 0;
    virtual Result<bool> removeUser(std::string_view name) = 0;

    // Exceptions: returns the new id.
    virtual Result<int64_t> addException(const ExceptionRecord& record) = 0;
    virtual Result<std::vector<ExceptionRecord>> exceptions() = 0;
    // resolveException stores the note of the person who resolved exception `id`; false when
    // there is no such exception.
    virtual Result<bool> resolveException(int64_t id, std::string_view note) = 0;
};

// entryTimeOf is when the entries the store writes now happen: its logTime (an op's device
// time, a command's --today), else the system clock. entryDayOf is that instant's UTC date,
// the day lot expiry is judged on.
inline ledger::Timestamp entryTimeOf(const ServerStore& store)
{
    if (const auto at = store.logTime()) return *at;
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
inline ledger::Date entryDayOf(const ServerStore& store) { return ledger::dateOf(entryTimeOf(store)); }

} // namespace backfill::server
