#pragma once
// Opening the terminal store for a CLI subcommand, with errors reported the CLI way.

#include "app/Cli.h"
#include "store/TerminalStore.h"

#include <memory>

namespace backfill::app {

// openStore opens --db; on failure prints the error to stderr, sets exit status 3 and
// returns null.
std::unique_ptr<store::TerminalStore> openStore(GlobalOptions& g);

// cliActor names the CLI operator and this device, stamped now.
store::Actor cliActor();

} // namespace backfill::app
