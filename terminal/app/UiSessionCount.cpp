// UiSession: the count screen's glue (issue 12 item 6; docs/ui.md, Count). The same store
// calls as `backfill count`, `approve`, `reject`, `counts` and `tasks` (CmdCount.cpp). Its
// lists (the count tasks, the approval queue and the adjust reasons) are read on the
// UiReader's worker when one is attached (readThen), the last ones in sight until the new ones
// come. The counts, approvals and rejections are written on the UiWriter's worker when one is
// attached (writeThen): until the result comes the screen says "Recording ...", a scan is
// refused with `recording` (UiSession.cpp, onScan: a recount keeps the product, so the next
// scan depends on the result) and no tap but Home and an acknowledgement acts. The count's
// basis (the ledger's latest event id) is read on the writer when a location is chosen (in
// order with the writes asked for before: the moment counting began, "Starting the count ..."
// until it comes) and, after a submit, with the write on its connection.

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
    // Read on the writer, behind the writes asked for before (a receipt still being recorded
    // is in the count: its units are on the shelf); nothing is submitted until it comes.
    const long gen = ++m_countBasisGen;
    if (!m_writer) {
        auto basis = m_store.latestEventId();
        m_countBasis = basis ? *basis : 0;
        return;
    }
    v.starting = true;
    m_writer->submit([this, gen](TerminalStore& s) -> std::function<void()> {
        auto basis = s.latestEventId();
        const int64_t at = basis ? *basis : 0;
        return [this, gen, at] { // on the main thread
            if (gen != m_countBasisGen) return; // another location was chosen since
            m_countView.starting = false;
            m_countBasis = at;
        };
    });
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
    struct Counted {
        ledger::Result<TerminalStore::CountOutcome> out;
        std::optional<int64_t> basis; // the ledger position after it: a recount's basis
    };
    const auto actor = cliActor(m_g);
    writeThen<Counted>(
        ui::ScreenId::Count,
        [request, actor](TerminalStore& s) -> Counted {
            Counted c{s.count(request, actor), std::nullopt};
            if (c.out)
                if (auto basis = s.latestEventId()) c.basis = *basis;
            return c;
        },
        [this, request, qty](Counted c) {
            ui::CountView& v = m_countView;
            if (!c.out) {
                v.last = refusalFor(c.out.error());
                return;
            }
            const auto& out = *c.out;
            const std::string item = request.sku + (request.lot ? " LOT " + *request.lot : "");
            const std::string what = item + " at " + request.location;
            // The counter may have left the location meanwhile (Home): the view is its own.
            const bool here = v.location == request.location && v.sku == request.sku;
            ui::Outcome o;
            switch (out.count.state) {
            case TerminalStore::CountState::Applied:
                o.feedback = ui::Feedback::Accepted;
                o.title = what + ": " + std::to_string(qty) + " counted";
                if (out.holdsCleared > 0) o.lines.push_back(std::to_string(out.holdsCleared) + " held units released");
                if (here) v.done.push_back(item + ": " + std::to_string(qty) + " counted");
                break;
            case TerminalStore::CountState::Recount:
                o.feedback = ui::Feedback::Attention;
                o.code = "recount";
                o.title = "Recount " + what;
                o.lines.push_back("the count differs from the book: count it again, carefully");
                break;
            default:
                o.feedback = ui::Feedback::Attention;
                o.code = "pending";
                o.title = what + ": waits for a supervisor";
                o.lines.push_back("count " + std::to_string(out.count.countId) + " differs again: a supervisor decides");
                if (here) v.done.push_back(item + ": " + std::to_string(qty) + " counted, waits for a supervisor");
                break;
            }
            if (here) {
                const bool recount = out.count.state == TerminalStore::CountState::Recount;
                v.recount = recount; // the same product again, blind
                if (!recount) {
                    v.sku.clear();
                    v.lot.reset();
                }
                if (c.basis) m_countBasis = *c.basis; // the recount starts from the ledger as it is now
            }
            if (m_screen == ui::ScreenId::Count) refreshCount();
            v.last = std::move(o);
        });
}

void UiSession::decidePending(const ui::CountIntent& intent)
{
    ui::CountView& v = m_countView;
    std::string why;
    if (!mayDo(ledger::Action::Approve, why)) {
        v.last = ui::refusal("forbidden", why.substr(std::string("forbidden: ").size()));
        return;
    }
    const ui::PendingCount p = v.pending[*v.chosen];
    const bool approve = intent.kind == ui::CountIntent::Kind::Approve;
    const std::string reason = intent.reason;
    const std::string note = "rejected on the terminal by " + m_g.signedInAs;
    // What the write gives back: the book adjusted by (an approval), or an error.
    using Decided = ledger::Result<int64_t>;
    const auto actor = cliActor(m_g);
    writeThen<Decided>(
        ui::ScreenId::Count,
        [approve, id = p.countId, reason, note, actor](TerminalStore& s) -> Decided {
            if (approve) {
                auto out = s.approveCount(id, reason, std::nullopt, actor);
                if (!out) return ledger::unexpected(out.error());
                return out->count.adjusted.value_or(0);
            }
            auto row = s.rejectCount(id, note, actor);
            if (!row) return ledger::unexpected(row.error());
            return 0;
        },
        [this, approve, p, reason](Decided adjusted) {
            ui::CountView& v = m_countView;
            if (!adjusted) {
                v.last = refusalFor(adjusted.error());
                return;
            }
            const std::string what = p.sku + " at " + p.location;
            ui::Outcome o;
            if (approve)
                o = {ui::Feedback::Accepted, "Approved: " + what + " is " + std::to_string(p.counted),
                     {"reason " + reason + ", book adjusted by " + std::to_string(*adjusted)}, "", false};
            else
                o = {ui::Feedback::Attention, "Rejected: " + what + " stays " + std::to_string(p.book), {"the book stands"}, "rejected", false};
            if (m_screen == ui::ScreenId::Count) {
                refreshCount();
                m_countInput = {};
            }
            v.last = std::move(o);
        });
}

void UiSession::applyCount(const ui::CountIntent& intent)
{
    ui::CountView& v = m_countView;
    // A count or a decision in flight: the next step depends on its result (Home and an
    // acknowledgement still act).
    if (m_writing > 0 && intent.kind != ui::CountIntent::Kind::Home && intent.kind != ui::CountIntent::Kind::Acknowledge) return;
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
        if (!v.sku.empty() && !v.starting) submitCount(intent.qty);
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
        decidePending(intent);
        break;
    }
    case ui::CountIntent::Kind::Acknowledge: v.last.acknowledged = true; break;
    case ui::CountIntent::Kind::None: break;
    }
}

} // namespace backfill::app
