#pragma once
// JSON output helpers: JSON goes to stdout, one document per line; messages go to stderr.

#include "app/Cli.h"
#include "ledger/Result.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace backfill::app {

using Json = nlohmann::ordered_json;

// optionalText is a text that may be absent as JSON: the text, or null.
inline Json optionalText(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

// printError writes {"code":...,"error":...} to stderr.
inline void printError(const std::string& code, const std::string& message)
{
    const std::string text =
        Json{{"code", code}, {"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fprintf(stderr, "%s\n", text.c_str());
}

// printJson writes one JSON document and a newline to stdout and flushes it, so a line is
// out before the next step starts (receive confirms a scan only after its commit);
// writeLinesOrExit is its write and flush.
//
// A failed write (a full disk, a closed pipe, a closed stdout) ends the process at once with
// exit status 3 and `output_failed` on stderr: nothing more is read or done, in whichever
// subcommand and on whichever thread printed. What was committed before stays committed
// (every caller prints only after its commit; the database survives an exit as it survives
// a crash), and `backfill history` shows it. Continuing would confirm nothing to anyone and
// keep changing the database unseen.
inline void writeLinesOrExit(const std::string& text)
{
    errno = 0;
    const bool written = std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && std::fflush(stdout) == 0 &&
                         !std::ferror(stdout);
    if (written) return;
    const int error = errno;
    printError("output_failed", std::string("standard output: cannot write a result line: ") +
                                    (error ? std::strerror(error) : "write error") +
                                    "; stopped at once (what was committed before is kept: `backfill history` lists it)");
    // _Exit, not exit: no static destructors run under the threads still working (the
    // checkpointer, a camera), and no buffered output is retried.
    std::_Exit(kExitFailure);
}

inline void printJson(const Json& doc)
{
    std::string text = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
    writeLinesOrExit(text);
}

// printJsonLines is printJson for several documents in one write and one flush (a group
// commit's lines: all of them are confirmed by the same commit).
template <class Docs>
void printJsonLines(const Docs& docs)
{
    std::string text;
    for (const auto& doc : docs) {
        text += doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        text += '\n';
    }
    if (!text.empty()) writeLinesOrExit(text);
}

inline void printError(const ledger::Error& e) { printError(e.code, e.message); }

// isStoreFailure: the database itself failed (db_* codes, exit 3), as opposed to a refused
// request (exit 1).
inline bool isStoreFailure(const ledger::Error& e) { return e.code.rfind("db_", 0) == 0; }

} // namespace backfill::app
