#pragma once
// The CLI's shared context: global options and the exit status a subcommand sets.

#include "ledger/Date.h"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace backfill::app {

// Exit statuses shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;  // some input was refused (scan, image)
inline constexpr int kExitBadInput = 2;  // an import had bad rows; nothing changed
inline constexpr int kExitFailure = 3;   // unreadable file, bad usage, database or I/O failure

// GlobalOptions holds `--db`, `--today` and `--gs`, shared by all subcommands.
struct GlobalOptions {
    std::string dbPath;            // empty: $XDG_DATA_HOME/backfill/terminal.db
    std::string todayText;         // empty: $BACKFILL_TODAY, else the system clock (UTC)
    std::string gsSubstitute;      // empty: none given on the command line
    int busyTimeoutMs = 60000;     // --busy-timeout: wait this long for another writer
    int exitCode = kExitOk;

    // today resolves the date used wherever "today" matters. Throws CLI::ValidationError on
    // a malformed date so main reports it as bad usage.
    ledger::Date today() const;
    // databasePath resolves --db, creating the default folder when needed.
    std::string databasePath() const;
    // gsChar gives the GS substitute character from --gs, if one was given (0 otherwise).
    char gsChar() const;
};

// Each subcommand file provides one registrar: it adds its CLI11 subcommand and callback.
void registerImportCommand(CLI::App& app, GlobalOptions& g);
void registerStockCommand(CLI::App& app, GlobalOptions& g);
void registerBackordersCommand(CLI::App& app, GlobalOptions& g);
void registerParseCommand(CLI::App& app, GlobalOptions& g);
void registerReceiveCommand(CLI::App& app, GlobalOptions& g);
void registerPickCommand(CLI::App& app, GlobalOptions& g);
void registerDecodeCommand(CLI::App& app, GlobalOptions& g);
void registerHistoryCommand(CLI::App& app, GlobalOptions& g);

} // namespace backfill::app
