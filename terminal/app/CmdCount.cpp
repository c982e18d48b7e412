// backfill count --location LOC --sku SKU --qty N [--lot L] [--basis EVENT_ID]
// backfill approve COUNT_ID --reason CODE [--note TEXT]
// backfill reject COUNT_ID --note TEXT
// backfill counts [--state recount|pending|applied|rejected|recounted]
// backfill tasks [--all]
//
// Blind counts, recounts and a supervisor's decision (issue 10 item 4; docs/operations.md,
// Counts). Each action is one transaction, printed after its commit. A recount or a pending
// count is an answer (exit 0), not a refusal. Refusals print {"code","error"} on stderr and
// write nothing: exit 1, or 5 when refused by sign-in, 3 for bad usage or a database failure.
//
// Blind: the book quantity (and the variance, which reveals it) of a count that is not
// applied is shown only to an operator who may approve counts (a supervisor, or `cli` on a
// terminal without users); others see null there.

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "app/SignIn.h"
#include "store/Users.h"

#include <memory>
#include <optional>

namespace backfill::app {

namespace {

using store::TerminalStore;

Json optionalInt(const std::optional<int64_t>& n) { return n ? Json(*n) : Json(nullptr); }
Json optionalTime(const std::optional<ledger::Timestamp>& t)
{
    return t ? Json(ledger::formatTimestamp(*t)) : Json(nullptr);
}

// seesBook: whether this run's operator may see the book behind a count that is not applied.
// Call after signIn (or, for a read without --operator, as nobody in particular).
bool seesBook(TerminalStore& store, const GlobalOptions& g, bool signedIn)
{
    store::Users users(store.database());
    auto any = users.any();
    if (!any) return false;
    if (!*any) return true; // the built-in `cli` has every right
    if (!signedIn) return false;
    auto list = users.list();
    if (!list) return false;
    for (const auto& u : *list)
        if (u.name == g.signedInAs) return ledger::allows(u.role, ledger::Action::Approve);
    return false;
}

Json countJson(const TerminalStore::CountRow& c, bool revealBook)
{
    // An applied count's book is no secret any more: the counter's own figure is the book.
    const bool show = revealBook || c.state == TerminalStore::CountState::Applied;
    return Json{{"count_id", c.countId},
                {"state", TerminalStore::countStateName(c.state)},
                {"variance", show ? Json(c.variance) : Json(nullptr)},
                {"book_at_basis", show ? Json(c.bookAtBasis) : Json(nullptr)},
                {"counted", c.counted},
                {"sku", c.sku},
                {"location", c.location},
                {"lot", optionalText(c.lot)},
                {"basis", c.basis},
                {"attempt", c.attempt},
                {"recount_of", optionalInt(c.recountOf)},
                {"adjusted", optionalInt(c.adjusted)},
                {"reason", optionalText(c.reason)},
                {"note", optionalText(c.note)},
                {"operator", c.operatorName},
                {"at", ledger::formatTimestamp(c.at)},
                {"decided_by", optionalText(c.decidedBy)},
                {"decided_at", optionalTime(c.decidedAt)}};
}

Json outcomeJson(const TerminalStore::CountOutcome& out, bool revealBook)
{
    Json j = countJson(out.count, revealBook);
    j["holds_cleared"] = out.holdsCleared;
    j["tasks_done"] = out.tasksDone;
    Json released = Json::array();
    for (const auto& r : out.released) released.push_back({{"order_id", r.orderId}, {"line", r.line}, {"qty", r.qty}});
    j["released"] = released;
    Json allocated = Json::array();
    for (const auto& a : out.allocated)
        allocated.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty}, {"stage", optionalText(a.stage)}});
    j["allocated"] = allocated;
    return j;
}

// refused reports a store error: a database failure is exit 3, a refusal exit 1.
void refused(GlobalOptions& g, const ledger::Error& e)
{
    printError(e);
    g.exitCode = isStoreFailure(e) ? kExitFailure : kExitRejected;
}

struct CountArgs {
    std::string location;
    std::string sku;
    ledger::Qty qty = 0;
    std::string lot;
    int64_t basis = 0;
};

void runCount(GlobalOptions& g, const CountArgs& args, bool lotGiven, bool basisGiven)
{
    auto store = openStore(g, Access::Write);
    if (!store) return;
    if (!signIn(*store, g, ledger::Action::Count)) return;
    TerminalStore::CountRequest request;
    request.sku = args.sku;
    request.location = args.location;
    if (lotGiven) request.lot = args.lot;
    request.counted = args.qty;
    if (basisGiven) request.basis = args.basis;
    auto out = store->count(request, cliActor(g));
    if (!out) return refused(g, out.error());
    printJson(outcomeJson(*out, seesBook(*store, g, true))); // after the commit
}

void runApprove(GlobalOptions& g, int64_t countId, const std::string& reason, const std::optional<std::string>& note)
{
    auto store = openStore(g, Access::Write);
    if (!store) return;
    if (!signIn(*store, g, ledger::Action::Approve)) return;
    auto out = store->approveCount(countId, reason, note, cliActor(g));
    if (!out) return refused(g, out.error());
    printJson(outcomeJson(*out, true));
}

void runReject(GlobalOptions& g, int64_t countId, const std::string& note)
{
    if (note.find_first_not_of(" \t") == std::string::npos) {
        printError("bad_usage", "reject: --note must say why the count is dropped");
        g.exitCode = kExitFailure;
        return;
    }
    auto store = openStore(g, Access::Write);
    if (!store) return;
    if (!signIn(*store, g, ledger::Action::Approve)) return;
    auto row = store->rejectCount(countId, note, cliActor(g));
    if (!row) return refused(g, row.error());
    printJson(countJson(*row, true));
}

// openForList opens the store to read a list and decides what the reader may see: with
// --operator the reader signs in (a picker or a supervisor: ledger::Action::Count).
std::unique_ptr<TerminalStore> openForList(GlobalOptions& g, bool& revealBook)
{
    auto store = openStore(g, Access::Read);
    if (!store) return nullptr;
    const bool signingIn = !g.operatorName.empty();
    if (signingIn && !signIn(*store, g, ledger::Action::Count)) return nullptr;
    revealBook = seesBook(*store, g, signingIn);
    return store;
}

void runCounts(GlobalOptions& g, const std::optional<TerminalStore::CountState>& state)
{
    bool reveal = false;
    auto store = openForList(g, reveal);
    if (!store) return;
    auto rows = store->counts(state);
    if (failed(g, rows)) return;
    Json out = Json::array();
    for (const auto& c : *rows) out.push_back(countJson(c, reveal));
    printJson(out);
}

void runTasks(GlobalOptions& g, bool all)
{
    bool reveal = false;
    auto store = openForList(g, reveal);
    if (!store) return;
    auto rows = store->countTasks(all);
    if (failed(g, rows)) return;
    Json out = Json::array();
    for (const auto& t : *rows)
        out.push_back({{"task_id", t.taskId},
                       {"state", t.doneAt ? "done" : "open"},
                       {"sku", t.sku},
                       {"location", t.location},
                       {"reason", t.reason},
                       {"order_id", optionalText(t.orderId)},
                       {"line", optionalInt(t.line)},
                       // The units a short pick missed hint at the book: blind like a count's.
                       {"missing", reveal ? Json(t.missing) : Json(nullptr)},
                       {"created_by", t.createdBy},
                       {"created_at", ledger::formatTimestamp(t.createdAt)},
                       {"done_at", optionalTime(t.doneAt)}});
    printJson(out);
}

} // namespace

void registerCountCommands(CLI::App& app, GlobalOptions& g)
{
    auto args = std::make_shared<CountArgs>();
    auto* count = app.add_subcommand("count", "blind count of one product (and lot) at one location (JSON)");
    count->add_option("--location", args->location, "the location counted")->required();
    count->add_option("--sku", args->sku, "the product counted")->required();
    count->add_option("--qty", args->qty, "units found (0 or more)")->required();
    auto* lot = count->add_option("--lot", args->lot, "the lot counted (default: the stock without a lot)");
    auto* basis = count->add_option("--basis", args->basis,
                                    "the ledger event id the count began at (default: the latest event now)");
    count->callback([&g, args, lot, basis] { runCount(g, *args, lot->count() > 0, basis->count() > 0); });

    auto approveId = std::make_shared<int64_t>(0);
    auto reason = std::make_shared<std::string>();
    auto approveNote = std::make_shared<std::string>();
    auto* approve = app.add_subcommand("approve", "a supervisor applies a pending count with an adjust reason (JSON)");
    approve->add_option("COUNT_ID", *approveId, "the pending count")->required();
    approve->add_option("--reason", *reason, "an adjust reason code (backfill import reasons)")->required();
    auto* note = approve->add_option("--note", *approveNote, "a remark kept with the decision");
    approve->callback([&g, approveId, reason, approveNote, note] {
        runApprove(g, *approveId, *reason, note->count() ? std::optional<std::string>(*approveNote) : std::nullopt);
    });

    auto rejectId = std::make_shared<int64_t>(0);
    auto rejectNote = std::make_shared<std::string>();
    auto* reject = app.add_subcommand("reject", "a supervisor drops a pending count; the book stands (JSON)");
    reject->add_option("COUNT_ID", *rejectId, "the pending count")->required();
    reject->add_option("--note", *rejectNote, "why it is dropped")->required();
    reject->callback([&g, rejectId, rejectNote] { runReject(g, *rejectId, *rejectNote); });

    auto stateText = std::make_shared<std::string>();
    auto* counts = app.add_subcommand("counts", "counts sorted by count_id (JSON)");
    auto* state = counts->add_option("--state", *stateText, "only counts in this state")
                      ->check(CLI::IsMember({"recount", "pending", "applied", "rejected", "recounted"}));
    counts->callback([&g, stateText, state] {
        runCounts(g, state->count() ? TerminalStore::parseCountState(*stateText) : std::nullopt);
    });

    auto all = std::make_shared<bool>(false);
    auto* tasks = app.add_subcommand("tasks", "open count tasks from short picks, sorted by task_id (JSON)");
    tasks->add_flag("--all", *all, "also the tasks already done");
    tasks->callback([&g, all] { runTasks(g, *all); });
}

} // namespace backfill::app
