#pragma once
// What every backfilld subcommand file shares (main.cpp's global options reach them as a
// CommandContext): JSON on stdout, {"code","error"} lines on stderr, the exit status, the
// store and today. Exit status: 0 ok, 1 refused, 2 an import had bad rows, 3 failure.

#include "ledger/Date.h"
#include "ledger/MasterDataCsv.h"
#include "ledger/Result.h"
#include "server/BackofficeCommands.h"
#include "server/SqliteServerStore.h"

#include <memory>
#include <string>
#include <vector>

namespace backfill::server {

inline constexpr int kExitRejected = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitFailure = 3;

// printError writes {"code","error"} as one line on stderr.
void printError(const std::string& code, const std::string& message);
// printText writes to stdout and flushes; a failed write is output_failed and exit 3 at once.
void printText(const std::string& text);
void printLine(const std::string& text);
// printImportErrors prints a refused file's errors, and that the checks stopped at
// ledger::kMaxImportErrors when `truncated` (too_many_errors); the caller sets exit 2.
void printImportErrors(const std::string& file, const std::vector<ledger::ImportIssue>& errors, bool truncated);

// Command is what every command needs: the store, today, and how to fail.
struct Command {
    CommandContext ctx;

    // fail prints `e` and sets the exit status: 3 for the store's own failures, else 1.
    void fail(const ledger::Error& e) const;
    // failure prints the error and sets exit status 3.
    void failure(const std::string& code, const std::string& message) const;
    // today is --today, else the system clock's UTC date (main checked --today's form).
    ledger::Date today() const;
    // open opens the store (nullptr after printing the error); with --today, what it logs is
    // dated today 00:00 UTC.
    std::unique_ptr<SqliteServerStore> open() const;
};

} // namespace backfill::server
