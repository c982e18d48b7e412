#pragma once
// Shared by the files of TerminalStore (one file per family of operations): the TRY macro,
// the start of a ledger event and a statement's error as a Result. Not for other users.

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

// fromStatement is the error a statement's last step left, if any.
inline Result<void> fromStatement(const Statement& s)
{
    if (s.lastError()) return ledger::unexpected(*s.lastError());
    return {};
}

// lotOrNull: the stock table spells "no lot" as ''; people and JSON see null.
inline std::optional<std::string> lotOrNull(const std::string& lot)
{
    return lot.empty() ? std::nullopt : std::optional<std::string>(lot);
}

} // namespace backfill::store::detail

namespace backfill::store {

// The names every TerminalStore file uses.
using detail::eventBy;
using detail::fromStatement;
using detail::lotOrNull;
using ledger::Date;
using ledger::EventKind;
using ledger::ImportIssue;
using ledger::unexpected;

} // namespace backfill::store
