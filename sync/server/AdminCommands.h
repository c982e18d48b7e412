#pragma once
// backfilld's operations subcommands (issue 13 item 6; docs/deployment.md):
//
//   backfilld backup FILE   a consistent copy of the database, also while `serve` runs;
//                           prints {"backup":"FILE","pages":N,"bytes":N}
//
// Output and errors as main's (server/CommandSupport.h).

#include "server/BackofficeCommands.h"

#include <CLI/CLI.hpp>

namespace backfill::server {

void registerAdminCommands(CLI::App& app, CommandContext context);

} // namespace backfill::server
