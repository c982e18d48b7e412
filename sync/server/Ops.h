#pragma once
// Applying one op's intent to the authoritative state (DESIGN.md 2; docs/server.md "Apply
// rules"). Physical facts (receive, move, pick) always change stock; allocations the terminal
// made are claims the server honours in apply order when the line still needs them and its
// own free stock allows; the rest goes by the one allocation rule (ledger::allocate), and
// allocations beyond what can be allocated give way by ledger::releaseLastServed. Every claim
// the server did not grant in full becomes a `correction` log entry.
//
// These functions run inside the caller's transaction (Applier::push: a savepoint per op
// unless refusesBeforeWriting) and write the op's log entries; they never record the op
// itself (the caller does, with the outcome).

#include "server/ServerStore.h"

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backfill::server {

// MasterMemo keeps what the ops of one push slice learnt of the master data: whether a
// location may be used (known, or the server has no locations at all). A slice is one
// transaction under the writer's lock and no op writes locations, so an answer holds for the
// whole slice; the next slice (another transaction, after an import perhaps) starts a new one
// (Applier::push). Receipts of one location read it once per slice instead of once per op.
// (Products need no memo here: the store remembers those it found, SqliteServerStore.)
// Also whether any address is on the waitlist at all: ops only mark entries notified, never
// add one, so "none" holds for the slice too (customer notifications, server/Notify.h).
struct MasterMemo {
    std::map<std::string, bool, std::less<>> locations;
    std::optional<bool> waitlisted;
};

// OpContext says whose op is applied, and the slice's memo (none: every check reads).
struct OpContext {
    std::string deviceId;
    std::string opId;
    int64_t deviceSeq = 0;
    int64_t epoch = 1; // the epoch the op was written under
    MasterMemo* memo = nullptr;
};

// OpOutcome is what became of one op. `record` false means the op was not handled for good
// (a kind this server cannot apply): it is not stored, so a later server version can apply it
// when the terminal sends it again, and the push stops there.
struct OpOutcome {
    protocol::OpStatus status = protocol::OpStatus::Applied;
    std::string code;
    std::string message;
    int64_t globalSeq = 0;
    std::string result = "{}"; // JSON: {"allocations":[...],"corrections":[...]} and kind-specific fields
    bool record = true;
    std::vector<std::string> skus; // the products whose allocations the op settled (notifications)
    // allocated: the units the op gave each order line (claimed or by the rule), as in the
    // result's `allocations` (customer notifications read them here, not from the JSON).
    struct LineUnits {
        std::string orderId;
        int64_t line = 0;
        Qty qty = 0;
    };
    std::vector<LineUnits> allocated;
};

// applyOp applies an op of `kind` with its JSON `payload`; kinds applied: receive, move, pick,
// short, count, count_approve, count_reject, undo; user_add and user_remove are refused
// (docs/server.md gives each payload). Outcomes (codes):
//   Applied;
//   Flagged  sscc_received (a pallet already received: no stock effect, every claim cut to 0),
//            negative_stock (a move or pick took more than the server's book held there),
//            over_pick (a line picked beyond its quantity), stale_count (a count whose basis
//            missed other devices' movements at its key, applied at its basis: P6); each with an
//            exception row;
//   Rejected bad_payload (the JSON is not the op's shape: the message names the field),
//            unknown_sku, unknown_location, unknown_line, unknown_receipt, already_undone,
//            undo_blocked (an undo), enrolled (user_add, user_remove: the server is the master
//            for users) (recorded: sending it again cannot help);
//   Rejected unknown_op (a kind this server does not apply yet; not recorded).
// Fails (an error value, the transaction must roll back) only when the store fails.
// The payload comes read (parsePayload): a push reads its ops' payloads on the request's own
// thread, before it waits for the writer (Applier::push); `ahead`, when given, is what
// readAhead took out of it there.
namespace detail {
struct ReceiveRead;
}
using ReadAhead = std::shared_ptr<const detail::ReceiveRead>;
Result<OpOutcome> applyOp(ServerStore& store, const OpContext& op, std::string_view kind, const nlohmann::ordered_json& payload,
                          const ReadAhead& ahead = {});
// parsePayload reads an op's JSON payload; a discarded value when it is not JSON.
nlohmann::ordered_json parsePayload(std::string_view payload);
// readAhead takes out of a parsed payload what applyOp can use read: a receive's fields,
// checked (a refusal is kept and given when the op is applied). Nothing for other kinds, or
// a payload that is not an object. Pure: it reads no store.
ReadAhead readAhead(std::string_view kind, const nlohmann::ordered_json& payload);

// refusesBeforeWriting says whether every refusal applyOp can give an op of `kind` comes
// before the op's first write (receive, move, pick, short). Such an op needs no savepoint of
// its own (Applier::push): an op refused writes nothing, so nothing is to be undone.
bool refusesBeforeWriting(std::string_view kind);

// settleProduct restores the allocation invariants of one product after an import changed its
// lines or stock: releases (last served first) what exceeds the allocatable stock, then
// allocates free stock by the rule. Writes one `allocation` log entry when anything changed
// (payload {"sku", "allocations":[{"order_id","line","qty"}], "releases":[...]}, `cause`).
Result<void> settleProduct(ServerStore& store, std::string_view sku, std::string_view cause);

} // namespace backfill::server
