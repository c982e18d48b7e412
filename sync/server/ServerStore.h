#pragma once
// ServerStore: what backfilld keeps, behind an interface of its own (issue 11 item 3), so a
// PostgreSQL backend can follow without touching the protocol or the rules. The rules
// (server/Apply.h, server/Imports.h) only call these functions; a backend only stores and
// finds. SqliteServerStore (server/SqliteServerStore.h) is the backend today.
//
// Every function fails with the backend's error values (db_busy, db_full, db_io, ...), never
// with a rule's code. Functions that change something must run inside transact().

#include "ledger/MasterDataCsv.h"
#include "ledger/Projection.h"
#include "ledger/Replenishment.h"
#include "ledger/Result.h"
#include "ledger/Roles.h"
#include "ledger/Types.h"
#include "protocol/Messages.h"

#include <cstdint>
#include <functional>
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

class ServerStore {
public:
    virtual ~ServerStore() = default;

    // transact runs `body` in one write transaction: committed when it succeeds, rolled back
    // (nothing of it kept) when it or the commit fails. `what` names it for error messages.
    virtual Result<void> transact(const char* what, const std::function<Result<void>()>& body) = 0;

    // savepoint runs `body` inside the open transaction as a unit of its own: its writes are
    // kept when it returns true, undone when it returns false or fails (the error is returned),
    // and the rest of the transaction goes on either way. A push applies each op in one, so an
    // op refused half-way leaves nothing behind while the ops around it stay.
    virtual Result<bool> savepoint(const std::function<Result<bool>()>& body) = 0;

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
    // gtinOwner is the sku a GTIN (14 digits) belongs to.
    virtual Result<std::optional<std::string>> gtinOwner(std::string_view gtin) = 0;
    // saveProduct inserts or replaces the product and its GTINs (gtin: 1 unit, case_gtin: caseQty).
    virtual Result<void> saveProduct(const ledger::Product& product) = 0;
    virtual Result<std::optional<ledger::LocationKind>> locationKind(std::string_view code) = 0;
    virtual Result<bool> hasLocations() = 0;
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

    // Stock. allocatableOnHand: the product's units outside quarantine locations, net of holds.
    virtual Result<Qty> allocatableOnHand(std::string_view sku) = 0;
    virtual Result<std::vector<StockRow>> stock(std::string_view sku) = 0; // "" = every product
    virtual Result<void> addStock(std::string_view sku, std::string_view location, std::string_view lot, Qty delta) = 0;
    // addHeld changes the units on hold at (sku, location, lot) by `delta` (the row is created
    // with qty 0 when missing).
    virtual Result<void> addHeld(std::string_view sku, std::string_view location, std::string_view lot, Qty delta) = 0;
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

} // namespace backfill::server
