#include "app/Cli.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace backfill::app {

ledger::Date GlobalOptions::today() const
{
    std::string text = todayText;
    if (text.empty())
        if (const char* env = std::getenv("BACKFILL_TODAY")) text = env;
    if (text.empty()) {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        return ledger::dateOf(std::chrono::duration_cast<std::chrono::seconds>(now).count());
    }
    const auto date = ledger::parseDate(text);
    if (!date) throw CLI::ValidationError("--today", "'" + text + "' is not a date YYYY-MM-DD");
    return *date;
}

ledger::Timestamp GlobalOptions::now() const
{
    std::string text = nowText;
    const char* option = "--now";
    if (text.empty())
        if (const char* env = std::getenv("BACKFILL_NOW")) text = env, option = "BACKFILL_NOW";
    if (text.empty()) {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        return std::chrono::duration_cast<std::chrono::seconds>(now).count();
    }
    const auto at = ledger::parseTimestamp(text);
    if (!at) throw CLI::ValidationError(option, "'" + text + "' is not a timestamp YYYY-MM-DDTHH:MM[:SS]Z");
    return *at;
}

std::string GlobalOptions::databasePath() const
{
    if (!dbPath.empty()) return dbPath;
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
        base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
        base = std::filesystem::path(home) / ".local" / "share";
    else
        base = ".";
    const auto dir = base / "backfill";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    return (dir / "terminal.db").string();
}

char GlobalOptions::gsChar() const
{
    if (gsSubstitute.empty()) return 0;
    if (gsSubstitute.size() != 1)
        throw CLI::ValidationError("--gs", "'" + gsSubstitute + "' must be exactly one character");
    return gsSubstitute[0];
}

} // namespace backfill::app
