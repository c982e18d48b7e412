#include "app/AppStore.h"

#include "app/Json.h"

#include <chrono>
#include <cstdlib>

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

store::Actor cliActor()
{
    store::Actor actor;
    if (const char* user = std::getenv("USER"); user && *user) actor.operatorName = user;
    actor.device = "local";
    actor.at = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return actor;
}

} // namespace backfill::app
