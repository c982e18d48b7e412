// backfill pick ORDER_ID LINE QTY [--location LOC] [--lot L]
// backfill picklist [--order ID]
// backfill short ORDER_ID LINE --location LOC --found N --reason CODE
//
// pick and short are one transaction each, printed only after the commit. A refusal prints
// {"ok":false,"code","error"} on stdout with exit status 1 and writes nothing; a database
// failure is exit 3, a sign-in refusal exit 5 (SignIn.h). The rules are in docs/operations.md,
// Picking.

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "app/SignIn.h"

#include <memory>
#include <optional>

namespace backfill::app {

namespace {

Json optionalDate(const std::optional<ledger::Date>& d) { return d ? Json(ledger::formatDate(*d)) : Json(nullptr); }

// refused reports a failed pick or short: a database failure is exit 3 like every other
// command's; a refusal is an answer on stdout, exit 1.
void pickRefused(GlobalOptions& g, const ledger::Error& error)
{
    if (isStoreFailure(error)) {
        printError(error);
        g.exitCode = kExitFailure;
        return;
    }
    printJson(Json{{"ok", false}, {"code", error.code}, {"error", error.message}});
    g.exitCode = kExitRejected;
}

void registerPick(CLI::App& app, GlobalOptions& g)
{
    struct Args {
        std::string orderId;
        int64_t line = 0;
        int64_t qty = 0;
        std::string location;
        std::string lot;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("pick", "issue allocated units of an order line (stock leaves, picked rises)");
    cmd->add_option("ORDER_ID", args->orderId, "order id")->required();
    cmd->add_option("LINE", args->line, "line number")->required();
    cmd->add_option("QTY", args->qty, "units picked")->required();
    auto* loc = cmd->add_option("--location", args->location, "pick from here (default: the order's staging lane)");
    auto* lot = cmd->add_option("--lot", args->lot, "take this lot (default: the location's lots first-expiry-first)");
    cmd->callback([&g, args, loc, lot] {
        auto store = openStore(g, Access::Write);
        if (!store) return;
        if (!signIn(*store, g, ledger::Action::Pick)) return;
        auto r = store->pickLot(args->orderId, args->line, args->qty,
                                loc->count() ? std::optional<std::string>(args->location) : std::nullopt,
                                lot->count() ? std::optional<std::string>(args->lot) : std::nullopt, cliActor(g));
        if (!r) return pickRefused(g, r.error());
        printJson(Json{{"ok", true}, {"order_id", args->orderId}, {"line", args->line}, {"qty", args->qty}});
    });
}

void registerPicklist(CLI::App& app, GlobalOptions& g)
{
    auto orderId = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("picklist", "allocated, unpicked units by order with where and which lot to take (JSON)");
    auto* opt = cmd->add_option("--order", *orderId, "only this order (an unknown one prints [])");
    cmd->callback([&g, orderId, opt] {
        auto store = openStore(g, Access::Read);
        if (!store) return;
        auto orders = store->picklist(opt->count() ? std::optional<std::string>(*orderId) : std::nullopt, g.today());
        if (failed(g, orders)) return;
        Json out = Json::array();
        for (const auto& o : *orders) {
            Json lines = Json::array();
            for (const auto& l : o.lines) {
                Json take = Json::array();
                for (const auto& t : l.take)
                    take.push_back({{"location", t.location},
                                    {"lot", optionalText(t.lot)},
                                    {"expiry", optionalDate(t.expiry)},
                                    {"qty", t.qty}});
                lines.push_back({{"line", l.line}, {"sku", l.sku}, {"allocated", l.allocated}, {"take", take},
                                 {"unplaced", l.unplaced}});
            }
            out.push_back({{"order_id", o.orderId}, {"stage", optionalText(o.stage)}, {"lines", lines}});
        }
        printJson(out);
    });
}

void registerShort(CLI::App& app, GlobalOptions& g)
{
    auto request = std::make_shared<store::ShortRequest>();
    auto* cmd = app.add_subcommand("short", "record a short pick: the missing units go on hold, the line waits for them "
                                            "again, the location gets a count task");
    cmd->add_option("ORDER_ID", request->orderId, "order id")->required();
    cmd->add_option("LINE", request->line, "line number")->required();
    cmd->add_option("--location", request->location, "where the units were missing")->required();
    cmd->add_option("--found", request->found, "units found there (0 or more)")->required();
    cmd->add_option("--reason", request->reason, "reason code of kind short (backfill import reasons)")->required();
    cmd->callback([&g, request] {
        auto store = openStore(g, Access::Write);
        if (!store) return;
        if (!signIn(*store, g, ledger::Action::Short)) return;
        auto r = store->shortPick(*request, cliActor(g));
        if (!r) return pickRefused(g, r.error());
        Json held = Json::array();
        for (const auto& h : r->held)
            held.push_back({{"lot", optionalText(h.lot)}, {"expiry", optionalDate(h.expiry)}, {"qty", h.qty}});
        Json allocated = Json::array();
        for (const auto& a : r->allocated)
            allocated.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty}, {"stage", optionalText(a.stage)}});
        printJson(Json{{"ok", true},
                       {"order_id", request->orderId},
                       {"line", request->line},
                       {"sku", r->sku},
                       {"location", request->location},
                       {"reason", request->reason},
                       {"expected", r->expected},
                       {"found", request->found},
                       {"missing", r->missing},
                       {"held", held},
                       {"allocated", allocated},
                       {"count_task", r->countTask}});
    });
}

} // namespace

void registerPickCommand(CLI::App& app, GlobalOptions& g)
{
    registerPick(app, g);
    registerPicklist(app, g);
    registerShort(app, g);
}

} // namespace backfill::app
