// UiSession: the put-away / move screen's glue (issue 12 item 4; docs/ui.md, Put away).
// The same store calls as `backfill putaway` and `backfill move` (CmdMove.cpp). The put-away
// list is read on the UiReader's worker when one is attached (readThen); while it is read the
// last list stays in sight ("Loading ...") and no row of it is chosen by a tap or a scan (a
// scan is refused with `loading`); a free move takes its scans as ever. A move is written on
// the UiWriter's worker when one is attached (writeThen): until its result comes the screen
// says "Recording ...", a scan is refused with `recording` (UiSession.cpp, onScan) and no tap
// but Home and an acknowledgement acts (the list and the free move wait for the result).

#include "app/AppStore.h"
#include "app/UiSession.h"

namespace backfill::app {

void UiSession::refreshPutaway()
{
    ui::PutawayView& v = m_putawayView;
    v.operatorName = m_g.signedInAs;
    loadPutaway();
}

void UiSession::loadPutaway()
{
    ui::PutawayView& v = m_putawayView;
    v.active.reset();
    v.otherBin.reset();
    v.loading = true; // until the new list comes, the last one shows and no row is chosen
    using Rows = ledger::Result<std::vector<store::PutawayRow>>;
    readThen<Rows>(
        "putaway.list", [](store::TerminalStore& s) { return s.putaway(); },
        [this](Rows rows) {
            ui::PutawayView& v = m_putawayView;
            v.loading = false;
            v.items.clear();
            if (!rows) {
                v.last = refusalFor(rows.error());
                if (m_reader) m_cue = ui::Feedback::Refused; // after the frame that asked: its cue is here
                return;
            }
            for (const auto& r : *rows) v.items.push_back({r.sku, r.lot, r.from, r.qty, r.suggest});
        });
}

void UiSession::moveUnits(const ledger::MoveRequest& request, bool freeMove)
{
    // Out of quarantine into any other kind of location releases held stock: a supervisor's.
    // The role is known here; the locations' kinds are read with the write, on its connection.
    std::string why;
    const bool mayRelease = mayDo(ledger::Action::Release, why);
    const ledger::Error forbiddenRelease{"forbidden", mayRelease ? "" : why.substr(std::string("forbidden: ").size())};
    struct Moved {
        ledger::Result<store::MoveResult> moved;
        bool release = false;
    };
    const auto actor = cliActor(m_g);
    writeThen<Moved>(
        ui::ScreenId::Putaway,
        [request, mayRelease, forbiddenRelease, actor](store::TerminalStore& s) -> Moved {
            auto fromKind = s.locationKind(request.from);
            auto toKind = fromKind ? s.locationKind(request.to) : fromKind;
            if (!fromKind || !toKind) return {ledger::unexpected(!fromKind ? fromKind.error() : toKind.error())};
            const bool release = *fromKind == ledger::LocationKind::Quarantine && *toKind && **toKind != ledger::LocationKind::Quarantine;
            if (release && !mayRelease) return {ledger::unexpected(forbiddenRelease), release};
            return {s.move(request, actor), release};
        },
        [this, freeMove](Moved m) {
            if (!m.moved) {
                m_putawayView.last = refusalFor(m.moved.error());
                return;
            }
            const auto& moved = *m.moved;
            ui::Outcome o;
            o.feedback = ui::Feedback::Accepted;
            o.title = std::to_string(moved.qty) + " x " + moved.sku + " -> " + moved.to;
            o.lines.push_back(std::string(m.release ? "released from quarantine " : "from ") + moved.from);
            for (const auto& l : moved.lots)
                if (l.lot) o.lines.push_back("LOT " + *l.lot + ": " + std::to_string(l.qty));
            for (const auto& r : moved.released)
                o.lines.push_back(std::to_string(r.qty) + " given back by " + r.orderId + " line " + std::to_string(r.line));
            for (const auto& a : moved.allocated)
                o.lines.push_back(std::to_string(a.qty) + " -> " + a.orderId + (a.stage ? ", stage " + *a.stage : ""));
            if (freeMove && m_putawayView.freeMove) m_putawayView.freeMove = ui::FreeMove{}; // the next free move
            if (m_screen == ui::ScreenId::Putaway) loadPutaway();
            m_putawayView.last = std::move(o);
        });
}

void UiSession::putawayScan(const ScanMeaning& scan)
{
    ui::PutawayView& v = m_putawayView;
    if (scan.kind == ScanMeaning::Kind::Refused) {
        v.last = ui::refusal(scan.code, scan.message);
        return;
    }
    if (scan.kind == ScanMeaning::Kind::Pallet) {
        v.last = ui::refusal("not_movable", "a pallet label moves nothing here: scan its products' labels, or receive it on Receive");
        return;
    }
    if (v.freeMove) {
        ui::FreeMove& m = *v.freeMove;
        if (scan.kind == ScanMeaning::Kind::Location) {
            if (m.from.empty() || m.sku.empty()) { // the source, or another source before any product
                m.from = scan.location;
                v.last = {};
                return;
            }
            ledger::MoveRequest request;
            request.scan = scan.text;
            request.sku = m.sku;
            request.count = m.qty;
            request.lot = m.lot;
            request.from = m.from;
            request.to = scan.location;
            moveUnits(request, true);
            return;
        }
        if (m.from.empty()) {
            v.last = ui::refusal("scan_location_first", "scan the location the units come from first, then the product");
            return;
        }
        if (m.sku == scan.sku && m.lot == scan.lot) {
            m.qty += scan.units; // another label of the same product: more units
        } else {
            m.sku = scan.sku;
            m.qty = scan.units;
            m.lot = scan.lot;
        }
        v.last = {};
        return;
    }

    if (v.loading) { // the list on screen is being replaced: no row of it is chosen or put away
        v.last = loadingRefusal("put-away list");
        return;
    }
    if (scan.kind == ScanMeaning::Kind::Product) {
        for (size_t i = 0; i < v.items.size(); ++i) {
            const auto& item = v.items[i];
            if (item.sku == scan.sku && (!scan.lot || item.lot == scan.lot)) {
                v.active = i;
                v.otherBin.reset();
                v.last = {};
                return;
            }
        }
        v.last = ui::refusal("not_waiting", scan.sku + (scan.lot ? " lot " + *scan.lot : "") +
                                                " has nothing waiting to be put away: use Free move to move stock");
        return;
    }
    // A bin.
    if (!v.active || *v.active >= v.items.size()) {
        v.last = ui::refusal("choose_line_first", "tap a line or scan its product first, then scan the bin");
        return;
    }
    const ui::PutawayItem item = v.items[*v.active];
    if (item.suggest && scan.location != *item.suggest && v.otherBin != scan.location) {
        v.otherBin = scan.location;
        v.last = {ui::Feedback::Attention, scan.location + " is not the suggested bin",
                  {"suggested: " + *item.suggest, "scan " + scan.location + " again to put there"}, "other_bin", false};
        return;
    }
    ledger::MoveRequest request;
    request.scan = scan.text;
    request.sku = item.sku;
    request.count = item.qty;
    request.lot = item.lot;
    request.from = item.from;
    request.to = scan.location;
    moveUnits(request, false);
}

void UiSession::applyPutaway(const ui::PutawayIntent& intent)
{
    ui::PutawayView& v = m_putawayView;
    // A move in flight: the list and the free move wait for its result (Home and an
    // acknowledgement still act).
    if (m_writing > 0 && intent.kind != ui::PutawayIntent::Kind::Home && intent.kind != ui::PutawayIntent::Kind::Acknowledge) return;
    switch (intent.kind) {
    case ui::PutawayIntent::Kind::Home: open(ui::ScreenId::Home); break;
    case ui::PutawayIntent::Kind::Select:
        if (v.loading) break; // a row of the list being replaced
        v.active = intent.index;
        v.otherBin.reset();
        if (!ui::needsAck(v.last)) v.last = {};
        break;
    case ui::PutawayIntent::Kind::FreeMove:
        v.freeMove = ui::FreeMove{};
        v.active.reset();
        v.otherBin.reset();
        break;
    case ui::PutawayIntent::Kind::List:
        v.freeMove.reset();
        refreshPutaway();
        break;
    case ui::PutawayIntent::Kind::Cancel:
        if (v.freeMove) v.freeMove = ui::FreeMove{};
        v.active.reset();
        v.otherBin.reset();
        break;
    case ui::PutawayIntent::Kind::SetQty:
        if (v.freeMove && intent.qty > 0) v.freeMove->qty = intent.qty;
        break;
    case ui::PutawayIntent::Kind::Acknowledge: v.last.acknowledged = true; break;
    case ui::PutawayIntent::Kind::None: break;
    }
}

} // namespace backfill::app
