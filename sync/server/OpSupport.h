#pragma once
// What the op appliers share (sync/server/Ops.cpp, OpsUndo.cpp, OpsReleases.cpp): payload readers that name
// the field they refuse, claims, and settle/finish, which settle a product's allocations and
// write an op's log entry with its corrections (docs/server.md, Claims). Internal to
// backfill_server.

#include "server/Ops.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// TRY returns a failed Result's error from the enclosing function (the op files' shorthand).
#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return ::backfill::ledger::unexpected(r_.error());                                  \
    } while (0)

namespace backfill::server::detail {

using Json = nlohmann::ordered_json;

// Bad is the first field a reader refused, e.g. `lines[1].qty: 0, must be at least 1`.
struct Bad {
    std::string message;
};

// text, number and array read `key` of `j` (`where` prefixes the field's name in a refusal);
// the first refusal is kept in `bad`.
std::string text(const Json& j, const char* key, const std::string& where, bool required, std::optional<Bad>& bad);
int64_t number(const Json& j, const char* key, const std::string& where, int64_t min, std::optional<Bad>& bad);
// quantity reads a number of units: at least `min`, at most ledger::kMaxUnits.
Qty quantity(const Json& j, const char* key, const std::string& where, Qty min, std::optional<Bad>& bad);
const Json& array(const Json& j, const char* key, const std::string& where, bool required, std::optional<Bad>& bad);

// eachObject calls read(item, where) for each item of `a` (an array read with `array`), with
// `where` naming it `<prefix>[i].`; an item that is not an object is refused, and the first
// refusal in `bad` ends the loop.
template <class Read> void eachObject(const Json& a, const std::string& prefix, std::optional<Bad>& bad, Read&& read)
{
    for (size_t i = 0; i < a.size() && !bad; ++i) {
        const std::string w = prefix + "[" + std::to_string(i) + "].";
        if (!a[i].is_object()) {
            bad = Bad{w + ": not an object"};
            return;
        }
        read(a[i], w);
    }
}

// Claim is an allocation the terminal made (a receipt's, a move's or an undo's `claims`).
// A receipt's claim may name the order's staging lane the receiver carried `staged` of its
// units to (at most `qty`; docs/server.md, Staging lanes); other ops' claims stage nothing.
struct Claim {
    std::string orderId;
    int64_t line = 0;
    Qty qty = 0;
    std::string stage;
    Qty staged = 0;
};
std::vector<Claim> claimsOf(const Json& j, const std::string& where, std::optional<Bad>& bad);

// Release is an allocation the terminal gave back with an op (a move's or a count's
// `released`: what it told its operator).
struct Release {
    std::string orderId;
    int64_t line = 0;
    Qty qty = 0;
};
// releasedOf reads `released`; nullopt when the payload has none (an op that carries no
// releases), so nothing is compared.
std::optional<std::vector<Release>> releasedOf(const Json& j, std::optional<Bad>& bad);

// rejected is a Rejected outcome (recorded).
OpOutcome rejected(std::string code, std::string message);

// Settlement is what settle() decided, as JSON arrays ready for the log and the result.
struct Settlement {
    Json allocations = Json::array(); // {order_id, line, qty, claimed}
    Json releases = Json::array();    // {order_id, line, qty}
    Json corrections = Json::array(); // {order_id, line, sku, old_qty, new_qty, [filled_by,] message}
    std::vector<std::string> skus;    // the products settled, in order
    bool changed() const { return !allocations.empty() || !releases.empty(); }
};

// settle: (1) allocations beyond the allocatable stock give way, last served first
// (ledger::releaseLastServed); (2) the claims, in the order the terminal made them, get what
// their line still needs within free stock; (3) free stock left goes by the allocation rule.
// `device` is the op's device ("" for the server's own settle, an import): every line it
// allocates units to is filled by it (ServerStore::fillLine), and a claim cut because its
// line was filled already names another device that filled it (`filled_by`).
Result<void> settle(ServerStore& store, std::string_view sku, const std::vector<Claim>& claims, std::string_view device,
                    Settlement& out);

// compareReleases adds a `release` correction for every order line where the units the
// terminal released with this op (`released`) differ from those the server released in
// `s` (its book may hold other devices' allocations): old_qty is the terminal's, new_qty the
// server's, with what the line holds now (docs/server.md, Releases). `what` names the op
// kind in the message.
Result<void> compareReleases(ServerStore& store, std::string_view what, std::string_view sku, const std::vector<Release>& released,
                             Settlement& s);

// identity is the head of every op's log entry: {"op_id","device","device_seq"}.
Json identity(const OpContext& op);

// finish writes the op's log entry (kind = the op kind) and one `correction` entry per cut
// claim, and fills the outcome's global seq and result.
Result<void> finish(ServerStore& store, const OpContext& op, std::string_view kind, Json entry, const Settlement& s, OpOutcome& out);

// finishText is finish for an entry already written as text (`payload`, without the
// settlement, which finishText does not add: the text holds it), with the on-hand changes it
// records and its `exception` id (null: none).
Result<void> finishText(ServerStore& store, const OpContext& op, std::string_view kind, const std::string& payload,
                        const std::vector<Movement>& movements, const Json& exception, const Settlement& s, OpOutcome& out);

// flagged marks the outcome Flagged with an exception row: the first flag of an op wins (its
// exception id is returned, the entry's `exception`); later ones are added to the message
// (nullopt). flag does so and sets the entry's `exception`.
Result<std::optional<int64_t>> flagged(ServerStore& store, const OpContext& op, OpOutcome& out, const std::string& code,
                                       const std::string& message);
Result<void> flag(ServerStore& store, const OpContext& op, OpOutcome& out, Json& entry, const std::string& code,
                  const std::string& message);

// locationUsable: whether an op may name location `code` (one of the server's locations, or
// any while it has none), remembered in the op's slice memo (MasterMemo).
Result<bool> locationUsable(ServerStore& store, const OpContext& op, std::string_view code);

// ReceiveRead is a receive op's payload read and checked (OpsReceive.cpp): its location and
// lines, or the first field refused (`bad`).
struct ReceiveRead {
    // A line as read from the payload (OpsUndo.cpp's ReceiptLine is one of the entry's).
    struct Line {
        std::string sku, lot, sscc;
        Qty qty = 0;
        std::optional<ledger::Date> expiry; // the lot's, when the scan named one
        std::vector<Claim> claims;
    };
    std::string location;
    std::vector<Line> lines;
    std::optional<Bad> bad;
};
ReceiveRead readReceive(const Json& payload);

// applyReceive applies a `receive` op (OpsReceive.cpp), from its payload or as read ahead.
Result<OpOutcome> applyReceive(ServerStore& store, const OpContext& op, const Json& payload);
Result<OpOutcome> applyReceive(ServerStore& store, const OpContext& op, const ReceiveRead& read);

// applyUndo applies an `undo` op (OpsUndo.cpp; docs/server.md, Undo).
Result<OpOutcome> applyUndo(ServerStore& store, const OpContext& op, const Json& payload);

} // namespace backfill::server::detail
