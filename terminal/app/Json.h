#pragma once
// JSON output helpers: JSON goes to stdout, one document per line; messages go to stderr.

#include "ledger/Result.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

namespace backfill::app {

using Json = nlohmann::ordered_json;

// printJson writes one JSON document and a newline to stdout and flushes it, so a line is
// out before the next step starts (receive confirms a scan only after its commit).
inline void printJson(const Json& doc)
{
    const std::string text = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

// printError writes {"code":...,"error":...} to stderr.
inline void printError(const std::string& code, const std::string& message)
{
    const std::string text =
        Json{{"code", code}, {"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fprintf(stderr, "%s\n", text.c_str());
}

inline void printError(const ledger::Error& e) { printError(e.code, e.message); }

// isStoreFailure: the database itself failed (db_* codes, exit 3), as opposed to a refused
// request (exit 1).
inline bool isStoreFailure(const ledger::Error& e) { return e.code.rfind("db_", 0) == 0; }

} // namespace backfill::app
