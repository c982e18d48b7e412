#pragma once
// Opening the terminal store for a CLI subcommand, with errors reported the CLI way.

#include "app/Cli.h"
#include "app/Json.h"
#include "scan/Gs1Parser.h"
#include "store/TerminalStore.h"

#include <memory>

namespace backfill::app {

// Access says whether a command changes the database. Commands that only read never create
// one: a missing file is no_database naming the path.
enum class Access { Read, Write };

// openStore opens --db; on failure prints the error to stderr, sets exit status 3 and
// returns null.
std::unique_ptr<store::TerminalStore> openStore(GlobalOptions& g, Access access);

// failed reports a failed store call the CLI way (the error on stderr, exit status 3) and
// says whether it failed: `if (failed(g, rows)) return;`.
template <class T>
bool failed(GlobalOptions& g, const ledger::Result<T>& r)
{
    if (r) return false;
    printError(r.error());
    g.exitCode = kExitFailure;
    return true;
}

// cliActor names the operator signed in for this run (g.signedInAs: the built-in `cli` on a
// terminal without users, see SignIn.h) and this device, stamped g.now().
store::Actor cliActor(const GlobalOptions& g);

// scanOptions are the options a scan is read with: `today`, and the GS substitute: `gs`
// (--gs; 0: none given), else the one this terminal keeps (the setting gs_substitute, one
// character, stored by `receive --gs`).
scan::ParseOptions scanOptions(store::TerminalStore& store, ledger::Date today, char gs);

} // namespace backfill::app
