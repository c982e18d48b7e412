#pragma once
// Small harness shared by the receive and import benchmarks: wall clock, medians, file copies,
// command-line flags, and the limit both compare against, bare SQLite on the same disk.

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace backfill::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

inline double median(std::vector<double> v)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

inline double percentile(std::vector<double> v, double p)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// removeDatabase deletes a database file and its WAL and shared-memory files.
inline void removeDatabase(const fs::path& db)
{
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(db.string() + suffix);
}

// copyDatabase replaces `to` by a copy of the closed (checkpointed) database `from`.
inline void copyDatabase(const fs::path& from, const fs::path& to)
{
    removeDatabase(to);
    fs::copy_file(from, to);
}

// Flags reads `--name value` pairs.
class Flags {
public:
    Flags(int argc, char** argv) : m_args(argv + 1, argv + argc) {}
    std::string text(std::string_view name, const std::string& fallback) const
    {
        for (size_t i = 0; i + 1 < m_args.size(); ++i)
            if (m_args[i] == name) return m_args[i + 1];
        return fallback;
    }
    int64_t number(std::string_view name, int64_t fallback) const
    {
        const auto t = text(name, "");
        return t.empty() ? fallback : std::stoll(t);
    }

private:
    std::vector<std::string> m_args;
};

inline void sqliteCheck(int rc, sqlite3* db, const char* what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        throw std::runtime_error(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

// BareCommits is the limit: single-row transactions in WAL + synchronous=FULL.
struct BareCommits {
    double perSecond = 0;
    double pagesPerCommit = 0; // SQLITE_DBSTATUS_CACHE_WRITE per commit
};

// bareCommits times `n` transactions `BEGIN IMMEDIATE; INSERT one row; COMMIT` (prepared
// statements) on a fresh database at `path`, WAL + synchronous=FULL, as the terminal store opens
// its own. The row is about the size of a receive's outbox row.
inline BareCommits bareCommits(const fs::path& path, size_t n)
{
    removeDatabase(path);
    sqlite3* db = nullptr;
    sqliteCheck(sqlite3_open(path.c_str(), &db), db, "open bare database");
    sqliteCheck(sqlite3_exec(db,
                             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                             "CREATE TABLE t(id INTEGER PRIMARY KEY, op_id TEXT NOT NULL, payload TEXT NOT NULL)",
                             nullptr, nullptr, nullptr),
                db, "set up bare database");
    sqlite3_stmt *begin = nullptr, *insert = nullptr, *commit = nullptr;
    sqliteCheck(sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr), db, "prepare");
    sqliteCheck(sqlite3_prepare_v2(db, "INSERT INTO t(op_id, payload) VALUES(?, ?)", -1, &insert, nullptr), db, "prepare");
    sqliteCheck(sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr), db, "prepare");
    const std::string payload(160, 'x');
    int cur = 0, high = 0;
    sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &high, 1);
    const auto t0 = Clock::now();
    for (size_t i = 0; i < n; ++i) {
        const std::string opId = "00000000-0000-4000-8000-" + std::to_string(100000000000 + i);
        sqliteCheck(sqlite3_step(begin), db, "begin");
        sqlite3_reset(begin);
        sqlite3_bind_text(insert, 1, opId.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, payload.c_str(), -1, SQLITE_STATIC);
        sqliteCheck(sqlite3_step(insert), db, "insert");
        sqlite3_reset(insert);
        sqliteCheck(sqlite3_step(commit), db, "commit");
        sqlite3_reset(commit);
    }
    BareCommits result;
    result.perSecond = static_cast<double>(n) / secondsSince(t0);
    sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &high, 0);
    result.pagesPerCommit = static_cast<double>(cur) / static_cast<double>(n);
    sqlite3_finalize(begin);
    sqlite3_finalize(insert);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    removeDatabase(path);
    return result;
}

} // namespace backfill::bench
