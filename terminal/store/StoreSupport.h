#pragma once
// Shared by the files of TerminalStore (one file per family of operations): the TRY macro,
// the start of a ledger event, lots and lanes. Not for other users.

#include "store/TerminalStore.h"

#include <optional>
#include <string>

namespace backfill::store::detail {

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return ::backfill::ledger::unexpected(r_.error());                                  \
    } while (0)

// eventBy starts a ledger event of `kind` for `qty` units, done by `actor` (who, where, when).
inline ledger::Event eventBy(const Actor& actor, ledger::EventKind kind, Qty qty)
{
    ledger::Event e;
    e.kind = kind;
    e.qty = qty;
    e.operatorName = actor.operatorName;
    e.device = actor.device;
    e.at = actor.at;
    return e;
}

// lotOrNull: the stock table spells "no lot" as ''; people and JSON see null.
inline std::optional<std::string> lotOrNull(const std::string& lot)
{
    return lot.empty() ? std::nullopt : std::optional<std::string>(lot);
}

// setOrderLane gives an order its staging lane (orders.stage). A lane counts the orders open
// at it (locations.open_orders, which picks the lane of an order's first allocation), so an
// open order's count moves from the lane it had (`had`, none at its first allocation).
inline Result<void> setOrderLane(Database& db, const std::string& orderId, const std::optional<std::string>& had, bool open,
                                 const std::string& stage)
{
    TRY(db.prepare("UPDATE orders SET stage = ? WHERE order_id = ?").bind(1, stage).bind(2, orderId).run());
    if (!open) return {};
    if (had) TRY(db.prepare("UPDATE locations SET open_orders = open_orders - 1 WHERE code = ?").bind(1, *had).run());
    return db.prepare("UPDATE locations SET open_orders = open_orders + 1 WHERE code = ?").bind(1, stage).run();
}

} // namespace backfill::store::detail

namespace backfill::store {

// The names every TerminalStore file uses.
using detail::eventBy;
using detail::lotOrNull;
using detail::setOrderLane;
using ledger::Date;
using ledger::EventKind;
using ledger::ImportIssue;
using ledger::unexpected;

} // namespace backfill::store
