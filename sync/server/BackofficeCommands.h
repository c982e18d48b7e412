#pragma once
// backfilld's back-office subcommands (issue 13; docs/backoffice.md), registered by main in
// one call so that they live in their own file:
//
//   backfilld import suppliers FILE
//   backfilld promo add SKU --factor F --until DATE, promo list
//   backfilld replenish [--format json|csv] [--out DIR] [--window DAYS] [--review-days N] [--all]
//   backfilld report backorders|fill-rate|velocity|counts [--format json|csv] [--window DAYS]
//   backfilld export receipts|picks|adjustments [--since CURSOR] [--limit N]
//
// Output and errors as main's: JSON on stdout, {"code","error"} lines on stderr; exit 0 ok,
// 1 refused, 2 an import had bad rows, 3 failure.

#include <CLI/CLI.hpp>

#include <string>

namespace backfill::server {

// CommandContext: main's global options, read when a command runs (after parsing).
struct CommandContext {
    const std::string* dbPath;
    const std::string* todayText; // "" = the system clock's UTC date
    int* exitCode;
};

// registerBackofficeCommands adds the commands above; `import` must already exist.
void registerBackofficeCommands(CLI::App& app, CommandContext context);

} // namespace backfill::server
