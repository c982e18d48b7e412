#pragma once
// The rules of undoing a receipt (issue 10 item 5; docs/operations.md, Undo), shared by the
// terminal (terminal/store/TerminalStoreUndo.cpp) and the server (sync/server/Ops.cpp), so an
// undo the terminal allows is judged the same way where the server holds the goods. Pure
// functions, no I/O.

#include "ledger/Types.h"

#include <span>
#include <vector>

namespace backfill::ledger {

// takesUnitsFromPlace says whether an event of `kind` at a place (its `location`: for a move,
// the place it leaves) may have taken a receipt's units from there: a pick, a move out, a
// hold, a count or an adjustment. Receipts, allocations and deallocations put nothing out of
// place. Such an event after a receipt, for one of its products at one of its places, blocks
// the receipt's undo (units are not told apart, so whoever did it), unless it belongs to
// another undo (its moves carry its own units back from a lane).
bool takesUnitsFromPlace(EventKind kind);

// undoLeavesEnough says whether `unheld` units of a product and lot at a place (on hand minus
// held) still cover the `left` units the receipt left there; otherwise the undo is blocked.
inline bool undoLeavesEnough(Qty unheld, Qty left) { return unheld >= left; }

// giveBackInbound spreads `qty` received units back over inbound lines that received them,
// given in receiving order (receiving fills them in (eta, inbound_id, file row) order): the
// lines filled last give back first, each at most what it received. Returns one amount per
// line, same order; what no line can take (more than all received) is dropped.
std::vector<Qty> giveBackInbound(Qty qty, std::span<const Qty> receivedInFillOrder);

// undoDeallocation is what an undo takes back from a line the receipt allocated `allocated`
// units to: as far as the line still holds them (a pick since has consumed some).
inline Qty undoDeallocation(Qty allocated, Qty lineHolds) { return allocated < lineHolds ? allocated : (lineHolds > 0 ? lineHolds : 0); }

} // namespace backfill::ledger
