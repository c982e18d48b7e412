#include "app/AppStore.h"

#include "app/Json.h"

#include <chrono>

namespace backfill::app {

std::unique_ptr<store::TerminalStore> openStore(GlobalOptions& g, Access access)
{
    auto opened = store::TerminalStore::open(g.databasePath(), 
                                                {.create = access == Access::Write,
                                                 .busyTimeout = std::chrono::milliseconds(g.busyTimeoutMs)});
    if (!opened) {
        printError(opened.error());
        g.exitCode = kExitFailure;
        return nullptr;
    }
    return std::move(*opened);
}

store::Actor cliActor(const GlobalOptions& g)
{
    store::Actor actor;
    actor.operatorName = g.signedInAs;
    actor.device = "local";
    actor.at = g.now();
    actor.today = g.today();
    return actor;
}

scan::ParseOptions scanOptions(store::TerminalStore& store, ledger::Date today, char gs)
{
    scan::ParseOptions parse;
    parse.today = today;
    if (gs) parse.gsSubstitute = gs;
    else if (auto stored = store.setting("gs_substitute"); stored && *stored && (*stored)->size() == 1)
        parse.gsSubstitute = (**stored)[0];
    return parse;
}

} // namespace backfill::app
