// UiSession: the count screen's glue (issue 12 item 6; docs/ui.md, Count). The same store
// calls as `backfill count`, `approve`, `reject`, `counts` and `tasks` (CmdCount.cpp). Its
// lists (the count tasks, the approval queue and the adjust reasons) are read on the
// UiReader's worker when one is attached (readThen), the last ones in sight until the new ones
// come; the counts, approvals and rejections are written in the frame, and the count's basis
// (the ledger's latest event id) is read there too: it must be the moment counting began.

#include "app/AppStore.h"
#include "app/UiSession.h"

namespace backfill::app {

using store::TerminalStore;

namespace {

// CountLists: Count's tasks and, for a role that may approve, the approval queue and the
// adjust reasons, as read; each error as the read met it.
struct CountLists {
    std::vector<ui::CountTaskItem> tasks;
    std::optional<ledger::Error> tasksError;
    std::vector<ui::PendingCount> pending;
    std::optional<ledger::Error> pendingError; // the adjust reasons were not read then
    std::vector<ui::ReasonChoice> adjustReasons;
};

// readCountLists reads them (on the reader's worker, or at once).
CountLists readCountLists(TerminalStore& store, bool mayApprove)
{
    CountLists out;
    if (auto tasks = store.countTasks(false)) {
        for (const auto& t : *tasks) out.tasks.push_back({t.location, t.sku, t.reason});
    } else {
        out.tasksError = tasks.error();
    }
    if (!mayApprove) return out;
    if (auto rows = store.counts(TerminalStore::CountState::Pending)) {
        for (const auto& c : *rows)
            out.pending.push_back({c.countId, c.sku, c.location, c.lot, c.counted, c.bookAtBasis, c.variance, c.operatorName});
    } else {
        out.pendingError = rows.error();
        return out;
    }
    if (auto reasons = store.reasons(ledger::ReasonKind::Adjust))
        for (const auto& r : *reasons) out.adjustReasons.push_back({r.code, r.description});
    return out;
}

} // namespace

void UiSession::refreshCount()
{
    ui::CountView& v = m_countView;
    v.operatorName = m_g.signedInAs;
    v.unsynced = unsynced();
    v.mayApprove = ledger::allows(m_role, ledger::Action::Approve);
    v.chosen.reset();
    if (!v.mayApprove) v.pending.clear(); // another role's queue is not kept in sight
    const bool mayApprove = v.mayApprove;
    readThen<CountLists>(
        "count.lists", [mayApprove](TerminalStore& s) { return readCountLists(s, mayApprove); },
        [this, mayApprove](CountLists lists) {
            ui::CountView& v = m_countView;
            v.tasks = std::move(lists.tasks);
            if (lists.tasksError) v.last = refusalFor(*lists.tasksError);
            // A pending count chosen while the queue was read stays chosen when it is still in it.
            std::optional<int64_t> chosen;
            if (v.chosen && *v.chosen < v.pending.size()) chosen = v.pending[*v.chosen].countId;
            v.chosen.reset();
            v.pending = std::move(lists.pending);
            for (size_t i = 0; chosen && i < v.pending.size(); ++i)
                if (v.pending[i].countId == *chosen) v.chosen = i;
            if (lists.pendingError) v.last = refusalFor(*lists.pendingError);
            else if (mayApprove) v.adjustReasons = std::move(lists.adjustReasons);
            if (m_reader && (lists.tasksError || lists.pendingError)) m_cue = ui::Feedback::Refused; // after the frame that asked
        });
}

void UiSession::countAt(const std::string& location)
{
    ui::CountView& v = m_countView;
    v.location = location;
    v.sku.clear();
    v.lot.reset();
    v.recount = false;
    v.done.clear();
    // The counter begins now: what the ledger records later is not in the count (its basis).
    auto basis = m_store.latestEventId();
    m_countBasis = basis ? *basis : 0;
}

void UiSession::countScan(const ScanMeaning& scan)
{
    ui::CountView& v = m_countView;
    if (scan.kind == ScanMeaning::Kind::Refused) {
        v.last = ui::refusal(scan.code, scan.message);
        return;
    }
    if (v.approvals) {
        v.last = ui::refusal("not_taken", "the approval queue takes no scans: tap Back to count");
        return;
    }
    if (scan.kind == ScanMeaning::Kind::Location) {
        countAt(scan.location);
        v.last = {};
        return;
    }
    if (scan.kind == ScanMeaning::Kind::Pallet) {
        v.last = ui::refusal("not_countable", "a pallet label is not counted: scan each product's label");
        return;
    }
    if (v.location.empty()) {
        v.last = ui::refusal("scan_location_first", "scan the location you count first, then each product");
        return;
    }
    v.sku = scan.sku;
    v.lot = scan.lot;
    v.recount = false;
    m_countInput.digits.clear();
    v.last = {};
}

void UiSession::submitCount(long long qty)
{
    ui::CountView& v = m_countView;
    TerminalStore::CountRequest request;
    request.sku = v.sku;
    request.location = v.location;
    request.lot = v.lot;
    request.counted = qty;
    request.basis = m_countBasis;
    auto out = m_store.count(request, cliActor(m_g));
    if (!out) {
        v.last = refusalFor(out.error());
        return;
    }
    const std::string what = v.sku + (v.lot ? " LOT " + *v.lot : "") + " at " + v.location;
    ui::Outcome o;
    switch (out->count.state) {
    case TerminalStore::CountState::Applied:
        o.feedback = ui::Feedback::Accepted;
        o.title = what + ": " + std::to_string(qty) + " counted";
        if (out->holdsCleared > 0) o.lines.push_back(std::to_string(out->holdsCleared) + " held units released");
        v.done.push_back(v.sku + (v.lot ? " LOT " + *v.lot : "") + ": " + std::to_string(qty) + " counted");
        v.sku.clear();
        v.lot.reset();
        v.recount = false;
        break;
    case TerminalStore::CountState::Recount:
        o.feedback = ui::Feedback::Attention;
        o.code = "recount";
        o.title = "Recount " + what;
        o.lines.push_back("the count differs from the book: count it again, carefully");
        v.recount = true; // the same product again, blind
        break;
    default:
        o.feedback = ui::Feedback::Attention;
        o.code = "pending";
        o.title = what + ": waits for a supervisor";
        o.lines.push_back("count " + std::to_string(out->count.countId) + " differs again: a supervisor decides");
        v.done.push_back(v.sku + (v.lot ? " LOT " + *v.lot : "") + ": " + std::to_string(qty) + " counted, waits for a supervisor");
        v.sku.clear();
        v.lot.reset();
        v.recount = false;
        break;
    }
    auto basis = m_store.latestEventId(); // the recount starts from the ledger as it is now
    if (basis) m_countBasis = *basis;
    const auto keep = v.location;
    refreshCount();
    v.location = keep;
    v.last = std::move(o);
}

void UiSession::applyCount(const ui::CountIntent& intent)
{
    ui::CountView& v = m_countView;
    switch (intent.kind) {
    case ui::CountIntent::Kind::Home: open(ui::ScreenId::Home); break;
    case ui::CountIntent::Kind::SelectTask:
        if (intent.index < v.tasks.size()) {
            const auto task = v.tasks[intent.index];
            countAt(task.location);
            v.sku = task.sku;
        }
        break;
    case ui::CountIntent::Kind::Submit:
        if (!v.sku.empty()) submitCount(intent.qty);
        break;
    case ui::CountIntent::Kind::CancelProduct:
        v.sku.clear();
        v.lot.reset();
        v.recount = false;
        break;
    case ui::CountIntent::Kind::Done:
        v.location.clear();
        v.sku.clear();
        v.done.clear();
        refreshCount();
        break;
    case ui::CountIntent::Kind::Approvals:
        refreshCount();
        v.approvals = true;
        m_countInput = {};
        break;
    case ui::CountIntent::Kind::Back:
        v.approvals = false;
        refreshCount();
        break;
    case ui::CountIntent::Kind::SelectPending:
        v.chosen = intent.index;
        m_countInput.reason.clear();
        break;
    case ui::CountIntent::Kind::Approve:
    case ui::CountIntent::Kind::Reject: {
        if (!v.chosen || *v.chosen >= v.pending.size()) break;
        std::string why;
        if (!mayDo(ledger::Action::Approve, why)) {
            v.last = ui::refusal("forbidden", why.substr(std::string("forbidden: ").size()));
            break;
        }
        const ui::PendingCount p = v.pending[*v.chosen];
        const std::string what = p.sku + " at " + p.location;
        ui::Outcome o;
        if (intent.kind == ui::CountIntent::Kind::Approve) {
            auto out = m_store.approveCount(p.countId, intent.reason, std::nullopt, cliActor(m_g));
            if (!out) {
                v.last = refusalFor(out.error());
                break;
            }
            o = {ui::Feedback::Accepted, "Approved: " + what + " is " + std::to_string(p.counted),
                 {"reason " + intent.reason + ", book adjusted by " + std::to_string(out->count.adjusted.value_or(0))}, "", false};
        } else {
            auto row = m_store.rejectCount(p.countId, "rejected on the terminal by " + m_g.signedInAs, cliActor(m_g));
            if (!row) {
                v.last = refusalFor(row.error());
                break;
            }
            o = {ui::Feedback::Attention, "Rejected: " + what + " stays " + std::to_string(p.book), {"the book stands"}, "rejected", false};
        }
        refreshCount();
        m_countInput = {};
        v.last = std::move(o);
        break;
    }
    case ui::CountIntent::Kind::Acknowledge: v.last.acknowledged = true; break;
    case ui::CountIntent::Kind::None: break;
    }
}

} // namespace backfill::app
