// backfill undo: takes back the signed-in operator's last receipt on this terminal, when
// nothing of it has been picked or moved since (issue 10 item 5; docs/operations.md, Undo).
//
// One transaction, committed before the JSON line is printed (a printed line is a confirmed
// undo). A refusal (nothing_to_undo, undo_blocked) prints {"ok":false,"code","error"} on
// stdout, writes nothing and exits 1; a refused sign-in exits 5; a database failure 3.

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "app/SignIn.h"

namespace backfill::app {

namespace {


Json undoneJson(const store::TerminalStore::UndoResult& u, const std::string& operatorName)
{
    Json lines = Json::array();
    for (const auto& l : u.lines) {
        Json staged = Json::array();
        for (const auto& s : l.staged) staged.push_back({{"stage", s.stage}, {"qty", s.qty}});
        lines.push_back({{"sku", l.sku},
                         {"qty", l.qty},
                         {"lot", optionalText(l.lot)},
                         {"expiry", l.expiry ? Json(ledger::formatDate(*l.expiry)) : Json(nullptr)},
                         {"sscc", optionalText(l.sscc)},
                         {"location", l.location},
                         {"staged", staged},
                         {"inbound", l.inbound}});
    }
    Json released = Json::array();
    for (const auto& r : u.released) released.push_back({{"order_id", r.orderId}, {"line", r.line}, {"qty", r.qty}});
    Json allocated = Json::array();
    for (const auto& a : u.allocated)
        allocated.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty}, {"stage", optionalText(a.stage)}});
    return Json{{"ok", true},
                {"op_id", u.opId},
                {"undone_op_id", u.undoneOpId},
                {"operator", operatorName},
                {"scan", optionalText(u.scan)},
                {"received_at", ledger::formatTimestamp(u.receivedAt)},
                {"lines", lines},
                {"released", released},
                {"allocated", allocated}};
}

void runUndo(GlobalOptions& g)
{
    auto store = openStore(g, Access::Write);
    if (!store) return;
    if (!signIn(*store, g, ledger::Action::Undo)) return;
    const auto actor = cliActor(g);
    auto undone = store->undoLastReceipt(actor);
    if (!undone) {
        if (isStoreFailure(undone.error())) {
            printError(undone.error());
            g.exitCode = kExitFailure;
            return;
        }
        printJson(Json{{"ok", false}, {"code", undone.error().code}, {"error", undone.error().message}});
        g.exitCode = kExitRejected;
        return;
    }
    printJson(undoneJson(*undone, actor.operatorName)); // after the commit
}

} // namespace

void registerUndoCommand(CLI::App& app, GlobalOptions& g)
{
    auto* cmd = app.add_subcommand("undo", "take back your last receipt on this terminal, if none of it was picked or "
                                           "moved since (JSON)");
    cmd->callback([&g] { runUndo(g); });
}

} // namespace backfill::app
