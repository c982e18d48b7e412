// backfill stock [--sku SKU] / backfill backorders (pick, picklist and short: CmdPick.cpp)

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "app/SignIn.h"

namespace backfill::app {

void registerStockCommand(CLI::App& app, GlobalOptions& g)
{
    auto* cmd = app.add_subcommand("stock", "on hand, allocated, quarantined, free, held and expired per product; --sku adds its locations (JSON)");
    auto sku = std::make_shared<std::string>();
    auto* opt = cmd->add_option("--sku", *sku, "only this product (an unknown sku prints [])");
    cmd->callback([&g, sku, opt] {
        auto store = openStore(g, Access::Read);
        if (!store) return;
        const bool one = opt->count() > 0;
        auto rows = store->stock(one ? std::optional<std::string>(*sku) : std::nullopt, g.today());
        if (failed(g, rows)) return;
        Json out = Json::array();
        for (const auto& r : *rows) {
            // The keys of issue 2 first, then those of issue 10 (docs/operations.md, Picking).
            Json row{{"sku", r.sku},        {"on_hand", r.onHand}, {"allocated", r.allocated}, {"quarantined", r.quarantined},
                     {"free", r.free()},    {"held", r.held},      {"expired", r.expired}};
            if (one) {
                Json locations = Json::array();
                for (const auto& l : r.locations)
                    locations.push_back({{"location", l.location},
                                         {"lot", l.lot ? Json(*l.lot) : Json(nullptr)},
                                         {"expiry", l.expiry ? Json(ledger::formatDate(*l.expiry)) : Json(nullptr)},
                                         {"qty", l.qty},
                                         {"held", l.held}});
                row["locations"] = std::move(locations);
            }
            out.push_back(std::move(row));
        }
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

} // namespace backfill::app
