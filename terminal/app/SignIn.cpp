#include "app/SignIn.h"

#include "app/Json.h"
#include "store/Users.h"

#include <cstdlib>
#include <string>

namespace backfill::app {

namespace {

bool refuse(GlobalOptions& g, const ledger::Error& e)
{
    printError(e);
    g.exitCode = isStoreFailure(e) ? kExitFailure : kExitAuth;
    return false;
}

} // namespace

bool signIn(store::TerminalStore& store, GlobalOptions& g, ledger::Action action)
{
    store::Users users(store.database());
    const std::string what(ledger::actionName(action));
    if (g.operatorName.empty()) {
        auto any = users.any();
        if (!any) return refuse(g, any.error());
        if (!*any) {
            g.signedInAs = std::string(ledger::kBuiltInOperator);
            return true;
        }
        return refuse(g, {"auth_required", "this terminal has users: sign in to " + what +
                                               " with --operator NAME and the PIN in the environment variable "
                                               "BACKFILL_PIN"});
    }
    const char* pin = std::getenv("BACKFILL_PIN");
    if (!pin || !*pin)
        return refuse(g, {"auth_required", "--operator " + g.operatorName +
                                               ": set the environment variable BACKFILL_PIN to the PIN (it is "
                                               "never taken from a flag)"});
    auto role = users.signIn(g.operatorName, pin, g.now());
    if (!role) return refuse(g, role.error());
    if (!ledger::allows(*role, action))
        return refuse(g, {"forbidden", "'" + g.operatorName + "' is a " + std::string(ledger::roleName(*role)) +
                                           ": a " + std::string(ledger::roleName(*role)) + " may not " + what +
                                           "; ask a supervisor"});
    g.signedInAs = g.operatorName;
    return true;
}

} // namespace backfill::app
