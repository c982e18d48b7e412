// backfill stock [--sku SKU] / backfill backorders

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "app/SignIn.h"

namespace backfill::app {

void registerStockCommand(CLI::App& app, GlobalOptions& g)
{
    auto* cmd = app.add_subcommand("stock", "on hand, allocated and free per product (JSON)");
    auto sku = std::make_shared<std::string>();
    auto* opt = cmd->add_option("--sku", *sku, "only this product (an unknown sku prints [])");
    cmd->callback([&g, sku, opt] {
        auto store = openStore(g, Access::Read);
        if (!store) return;
        auto rows = store->stock(opt->count() ? std::optional<std::string>(*sku) : std::nullopt);
        if (failed(g, rows)) return;
        Json out = Json::array();
        for (const auto& r : *rows)
            out.push_back({{"sku", r.sku}, {"on_hand", r.onHand}, {"allocated", r.allocated}, {"quarantined", r.quarantined},
                           {"free", r.free()}});
        printJson(out);
    });
}

void registerBackordersCommand(CLI::App& app, GlobalOptions& g)
{
    auto* cmd = app.add_subcommand("backorders", "every imported order line with its state and projected ETA (JSON)");
    cmd->callback([&g] {
        auto store = openStore(g, Access::Read);
        if (!store) return;
        auto rows = store->backorders();
        if (failed(g, rows)) return;
        Json out = Json::array();
        for (const auto& r : *rows) {
            const auto& l = r.line;
            out.push_back({{"order_id", l.orderId},
                           {"line", l.line},
                           {"sku", l.sku},
                           {"qty", l.qty},
                           {"allocated", l.allocated},
                           {"picked", l.picked},
                           {"state", ledger::lineStateName(r.state)},
                           {"eta", r.eta ? Json(ledger::formatDate(*r.eta)) : Json(nullptr)}});
        }
        printJson(out);
    });
}

void registerPickCommand(CLI::App& app, GlobalOptions& g)
{
    struct Args {
        std::string orderId;
        int64_t line = 0;
        int64_t qty = 0;
        std::string location;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("pick", "issue allocated units of an order line (stock leaves, picked rises)");
    cmd->add_option("ORDER_ID", args->orderId, "order id")->required();
    cmd->add_option("LINE", args->line, "line number")->required();
    cmd->add_option("QTY", args->qty, "units picked")->required();
    auto* loc = cmd->add_option("--location", args->location, "pick from here (default: the order's staging lane)");
    cmd->callback([&g, args, loc] {
        auto store = openStore(g, Access::Write);
        if (!store) return;
        if (!signIn(*store, g, ledger::Action::Pick)) return;
        auto r = store->pick(args->orderId, args->line, args->qty,
                             loc->count() ? std::optional<std::string>(args->location) : std::nullopt, cliActor(g));
        if (!r) {
            // A database failure is exit 3 like every other command's; a refused pick is 1.
            if (isStoreFailure(r.error())) {
                printError(r.error());
                g.exitCode = kExitFailure;
                return;
            }
            printJson(Json{{"ok", false}, {"code", r.error().code}, {"error", r.error().message}});
            g.exitCode = kExitRejected;
            return;
        }
        printJson(Json{{"ok", true}, {"order_id", args->orderId}, {"line", args->line}, {"qty", args->qty}});
    });
}

} // namespace backfill::app
