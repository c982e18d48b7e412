#include "server/CommandSupport.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace backfill::server {

void printError(const std::string& code, const std::string& message)
{
    using Json = nlohmann::ordered_json;
    const std::string text = Json{{"code", code}, {"error", message}}.dump(-1, ' ', false, Json::error_handler_t::replace);
    std::fprintf(stderr, "%s\n", text.c_str());
}

void printImportErrors(const std::string& file, const std::vector<ledger::ImportIssue>& errors, bool truncated)
{
    for (const auto& e : errors) printError(e.code, e.format(file));
    if (truncated)
        printError("too_many_errors", file + ": stopped after " + std::to_string(ledger::kMaxImportErrors) +
                                          " errors; fix these and import again");
}

void printText(const std::string& text)
{
    if (std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && std::fflush(stdout) == 0) return;
    printError("output_failed", std::string("standard output: cannot write: ") + std::strerror(errno));
    std::_Exit(kExitFailure);
}

void printLine(const std::string& text) { printText(text + "\n"); }

void Command::fail(const ledger::Error& e) const
{
    printError(e.code, e.message);
    *ctx.exitCode = e.code.rfind("db_", 0) == 0 || e.code == "no_database" ? kExitFailure : kExitRejected;
}

void Command::failure(const std::string& code, const std::string& message) const
{
    printError(code, message);
    *ctx.exitCode = kExitFailure;
}

ledger::Date Command::today() const
{
    if (auto d = ledger::parseDate(*ctx.todayText)) return *d;
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    return ledger::dateOf(now.count());
}

std::unique_ptr<SqliteServerStore> Command::open() const
{
    auto store = SqliteServerStore::open(*ctx.dbPath);
    if (!store) {
        printError(store.error().code, store.error().message);
        *ctx.exitCode = kExitFailure;
        return nullptr;
    }
    if (!ctx.todayText->empty()) (*store)->setLogTime(ledger::startOf(today()));
    return std::move(*store);
}

} // namespace backfill::server
