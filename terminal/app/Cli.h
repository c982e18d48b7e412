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
inline constexpr int kExitAuth = 5;      // refused by sign-in or user admin (SignIn.h, CmdUser.cpp)

// GlobalOptions holds the options shared by all subcommands (`--db`, `--today`, `--gs`,
// `--busy-timeout`, `--now`, `--operator`) and what the run decided (exit status, operator).
struct GlobalOptions {
    std::string dbPath;            // empty: $XDG_DATA_HOME/backfill/terminal.db
    std::string todayText;         // empty: $BACKFILL_TODAY, else the system clock (UTC)
    std::string gsSubstitute;      // empty: none given on the command line
    int busyTimeoutMs = 60000;     // --busy-timeout: wait this long for another writer
    std::string nowText;           // empty: $BACKFILL_NOW, else the system clock
    std::string operatorName;      // --operator: who signs in (the PIN comes from $BACKFILL_PIN)
    std::string signedInAs = "cli"; // set by signIn (SignIn.h): the operator every event names
    int exitCode = kExitOk;

    // today resolves the date used wherever "today" matters. Throws CLI::ValidationError on
    // a malformed date so main reports it as bad usage.
    ledger::Date today() const;
    // now resolves the instant actions are stamped with and sign-in lockouts are timed by:
    // --now, else $BACKFILL_NOW (an ISO-8601 timestamp, e.g. 2026-01-15T09:30:00Z), else the
    // system clock. For tests and replays. Throws CLI::ValidationError on a malformed value.
    ledger::Timestamp now() const;
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
void registerUserCommand(CLI::App& app, GlobalOptions& g);
void registerMoveCommand(CLI::App& app, GlobalOptions& g); // move and putaway
void registerUndoCommand(CLI::App& app, GlobalOptions& g);
void registerCountCommands(CLI::App& app, GlobalOptions& g); // count, approve, reject, counts, tasks
void registerSyncCommands(CLI::App& app, GlobalOptions& g); // enroll, sync (CmdSync.cpp, docs/sync.md)
// registerUiCommand adds the touch UI's options to the main command; the UI runs when no
// subcommand is given (CmdUi.cpp, docs/ui.md).
void registerUiCommand(CLI::App& app, GlobalOptions& g);

} // namespace backfill::app
