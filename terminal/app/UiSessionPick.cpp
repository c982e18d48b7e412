// UiSession: the pick screen's glue (issue 12 item 5; docs/ui.md, Pick). The same store calls
// as `backfill picklist`, `pick` and `short` (CmdPick.cpp).
//
// The pick list is read on the UiReader's worker when one is attached (readThen). Loading
// guard: from the read's submit to its result the screen says "Loading ...", keeps the last
// list in sight, and takes no action on it: a scan is refused with `loading` (red, "scan again
// when it shows"), Select, Short, Skip and the keypad's OK do nothing. A scan is refused
// rather than held because the task it was meant for may be gone or changed in the new list:
// the operator sees the next task before scanning for it. The short reasons are read on the
// reader on the tap of Short, under the same guard. A pick and a short are written on the
// UiWriter's worker when one is attached (writeThen): until the result comes the screen says
// "Recording ..." and acts on no task, and a scan is refused with `recording` (UiSession.cpp,
// onScan), for the same reason; the result then reads the list again (the loading guard).

#include "app/AppStore.h"
#include "app/UiSession.h"

#include <map>

namespace backfill::app {

namespace {

using PickTasks = ledger::Result<std::vector<ui::PickTask>>;

// readPickTasks reads the pick list flattened into tasks, one per (order line, location, lot),
// with the orders' customers (on the reader's worker, or at once: a wave's list and the whole
// order book grow with the warehouse).
PickTasks readPickTasks(store::TerminalStore& store, ledger::Date today)
{
    auto orders = store.picklist(std::nullopt, today);
    if (!orders) return ledger::unexpected(orders.error());
    std::map<std::string, std::string> customers;
    if (auto rows = store.backorders())
        for (const auto& b : *rows) customers.emplace(b.line.orderId, b.line.customer);
    std::vector<ui::PickTask> tasks;
    for (const auto& o : *orders)
        for (const auto& l : o.lines)
            for (const auto& t : l.take)
                tasks.push_back({o.orderId, customers[o.orderId], o.stage, l.line, l.sku, t.location, t.lot,
                                 t.expiry ? std::optional<std::string>(ledger::formatDate(*t.expiry)) : std::nullopt, t.qty});
    return tasks;
}

} // namespace

void UiSession::refreshPick()
{
    ui::PickView& v = m_pickView;
    v.operatorName = m_g.signedInAs;
    v.step = ui::PickStep::Location;
    m_pickInput = {};
    loadPick();
}

void UiSession::loadPick()
{
    ui::PickView& v = m_pickView;
    v.loading = true; // the last list stays in sight; nothing is picked from it
    const ledger::Date today = m_g.today();
    readThen<PickTasks>(
        "pick.list", [today](store::TerminalStore& s) { return readPickTasks(s, today); },
        [this](PickTasks tasks) {
            ui::PickView& v = m_pickView;
            v.loading = false;
            v.tasks.clear();
            v.current.reset();
            v.step = ui::PickStep::Location;
            if (!tasks) {
                v.last = refusalFor(tasks.error());
                if (m_reader) m_cue = ui::Feedback::Refused; // after the frame that asked: its cue is here
                return;
            }
            v.tasks = std::move(*tasks);
            if (!v.tasks.empty()) v.current = 0; // the next job, not a menu
        });
}

void UiSession::pickUnits(long long qty)
{
    ui::PickView& v = m_pickView;
    const ui::PickTask t = v.tasks[*v.current];
    if (qty <= 0 || qty > t.qty) {
        v.last = ui::refusal("bad_qty", std::to_string(qty) + " units: take 1 to " + std::to_string(t.qty) + " here, or record a short");
        return;
    }
    using Picked = ledger::Result<void>;
    const auto actor = cliActor(m_g);
    writeThen<Picked>(
        ui::ScreenId::Pick,
        [t, qty, actor](store::TerminalStore& s) { return s.pickLot(t.orderId, t.line, qty, t.location, t.lot, actor); },
        [this, t, qty](Picked picked) {
            ui::PickView& v = m_pickView;
            if (!picked) {
                v.last = refusalFor(picked.error());
                return;
            }
            ui::Outcome o;
            o.feedback = ui::Feedback::Accepted;
            o.title = std::to_string(qty) + " x " + t.sku + " picked";
            o.lines.push_back(t.orderId + " line " + std::to_string(t.line) + " from " + t.location + (t.lot ? "  LOT " + *t.lot : ""));
            if (t.stage) o.lines.push_back("take them to stage " + *t.stage);
            if (m_screen == ui::ScreenId::Pick) refreshPick();
            v.last = std::move(o);
        });
}

void UiSession::shortUnits(long long found, const std::string& reason)
{
    const ui::PickTask t = m_pickView.tasks[*m_pickView.current];
    store::ShortRequest request{t.orderId, t.line, t.location, found, reason};
    using Shorted = ledger::Result<store::ShortResult>;
    const auto actor = cliActor(m_g);
    writeThen<Shorted>(
        ui::ScreenId::Pick, [request, actor](store::TerminalStore& s) { return s.shortPick(request, actor); },
        [this, t, reason](Shorted shorted) {
            ui::PickView& v = m_pickView;
            if (!shorted) {
                v.last = refusalFor(shorted.error());
                return;
            }
            ui::Outcome o;
            o.feedback = ui::Feedback::Attention;
            o.title = "Short: " + std::to_string(shorted->missing) + " x " + t.sku + " missing at " + t.location;
            o.lines.push_back(t.orderId + " line " + std::to_string(t.line) + " waits for them again; reason " + reason);
            o.lines.push_back("count task " + std::to_string(shorted->countTask) + " raised for " + t.location);
            for (const auto& a : shorted->allocated)
                o.lines.push_back(std::to_string(a.qty) + " -> " + a.orderId + " from other stock");
            o.code = "short";
            if (m_screen == ui::ScreenId::Pick) refreshPick();
            v.last = std::move(o);
        });
}

void UiSession::pickScan(const ScanMeaning& scan)
{
    ui::PickView& v = m_pickView;
    if (scan.kind == ScanMeaning::Kind::Refused) {
        v.last = ui::refusal(scan.code, scan.message);
        return;
    }
    if (v.loading) { // refused, not held: the operator sees the new task before acting on it
        v.last = loadingRefusal("pick list");
        return;
    }
    if (!v.current || *v.current >= v.tasks.size()) {
        v.last = ui::refusal("nothing_to_pick", "no allocated units wait to be picked");
        return;
    }
    const ui::PickTask& t = v.tasks[*v.current];
    if (scan.kind == ScanMeaning::Kind::Pallet) {
        v.last = ui::refusal("not_pickable", "a pallet label is not picked: scan location " + t.location + ", then the product");
        return;
    }
    if (scan.kind == ScanMeaning::Kind::Location) {
        if (scan.location != t.location) {
            v.last = ui::refusal("wrong_location", "this is " + scan.location + ": take " + t.sku + " at " + t.location);
            return;
        }
        v.step = ui::PickStep::Product;
        v.last = {};
        return;
    }
    if (v.step == ui::PickStep::Location) {
        v.last = ui::refusal("scan_location_first", "scan location " + t.location + " first, then the product");
        return;
    }
    if (scan.sku != t.sku) {
        v.last = ui::refusal("wrong_product", scan.sku + " is not the product to take here: take " + t.sku);
        return;
    }
    if (scan.lot && t.lot && *scan.lot != *t.lot) {
        v.last = ui::refusal("wrong_lot", "lot " + *scan.lot + " is not the lot to take: take " + ui::pickLotText(t) +
                                              ", first expiry first out");
        return;
    }
    if (scan.lot && !t.lot) {
        v.last = ui::refusal("wrong_lot", "lot " + *scan.lot + " is not the stock to take: take the units without a lot");
        return;
    }
    if (t.qty == 1 || scan.units == t.qty) { // the label says how many: no keypad needed
        pickUnits(scan.units);
        return;
    }
    v.step = ui::PickStep::Quantity;
    m_pickInput.digits = std::to_string(t.qty);
    v.last = {};
}

void UiSession::applyPick(const ui::PickIntent& intent)
{
    ui::PickView& v = m_pickView;
    // While the list is read, or a pick or short is recorded, no task of the one in sight is
    // chosen, picked, shorted or skipped.
    const bool busy = v.loading || m_writing > 0;
    const bool hasTask = !busy && v.current && *v.current < v.tasks.size();
    switch (intent.kind) {
    case ui::PickIntent::Kind::Home: open(ui::ScreenId::Home); break;
    case ui::PickIntent::Kind::Select:
        if (busy) break;
        v.current = intent.index;
        v.step = ui::PickStep::Location;
        break;
    case ui::PickIntent::Kind::Confirm:
        if (hasTask && v.step == ui::PickStep::Quantity) pickUnits(intent.qty);
        break;
    case ui::PickIntent::Kind::Short: {
        if (!hasTask) break;
        std::string why;
        if (!mayDo(ledger::Action::Short, why)) {
            v.last = ui::refusal("forbidden", why.substr(std::string("forbidden: ").size()));
            break;
        }
        // The reasons are read on the reader; the loading guard holds until they come (the
        // prompt "Loading ...", a scan refused with `loading`, "Record short" disabled).
        v.reasons.clear();
        v.loading = true;
        using Reasons = ledger::Result<std::vector<ui::ReasonChoice>>;
        readThen<Reasons>(
            "pick.reasons",
            [](store::TerminalStore& s) -> Reasons {
                auto reasons = s.reasons(ledger::ReasonKind::Short);
                if (!reasons) return ledger::unexpected(reasons.error());
                std::vector<ui::ReasonChoice> out;
                for (const auto& r : *reasons) out.push_back({r.code, r.description});
                return out;
            },
            [this](Reasons reasons) {
                ui::PickView& v = m_pickView;
                v.loading = false;
                if (!reasons) {
                    v.step = ui::PickStep::Location;
                    v.last = refusalFor(reasons.error());
                    if (m_reader) m_cue = ui::Feedback::Refused; // after the frame that asked: its cue is here
                    return;
                }
                v.reasons = std::move(*reasons);
            });
        v.step = ui::PickStep::Short;
        // The short is a step of its own: the last pick's band goes (a refusal stays until its
        // tap), so the reasons and the keypad fit a 480x800 screen under the header.
        if (!ui::needsAck(v.last)) v.last = {};
        m_pickInput = {};
        break;
    }
    case ui::PickIntent::Kind::ShortConfirm: {
        if (!hasTask || v.step != ui::PickStep::Short) break;
        shortUnits(intent.qty, intent.reason);
        break;
    }
    case ui::PickIntent::Kind::Skip:
        if (hasTask) v.current = (*v.current + 1) % v.tasks.size();
        v.step = ui::PickStep::Location;
        m_pickInput = {};
        break;
    case ui::PickIntent::Kind::Cancel:
        if (v.step == ui::PickStep::Short && v.loading) { // the reasons are not waited for any more
            dropRead("pick.reasons");
            v.loading = false;
        }
        v.step = ui::PickStep::Location;
        m_pickInput = {};
        break;
    case ui::PickIntent::Kind::Acknowledge: v.last.acknowledged = true; break;
    case ui::PickIntent::Kind::None: break;
    }
}

} // namespace backfill::app
