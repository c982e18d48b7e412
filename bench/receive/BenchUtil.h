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
#include <thread>
#include <vector>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

namespace backfill::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// threadCpuUs is the calling thread's CPU time so far (user + system, the kernel's side of
// writes and fsync included): unlike wall time it hardly moves with the shared disk's speed,
// so it compares code changes across runs.
inline double threadCpuUs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

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

// syncPath fsyncs a file or directory.
inline void syncPath(const fs::path& p)
{
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) throw std::runtime_error("fsync " + p.string() + " failed");
    ::close(fd);
}

// copyDatabase replaces `to` by a copy of the closed (checkpointed) database `from`, on disk
// before it returns: a copy left dirty in the page cache (~116 MB for the receive template)
// was written back by the first fsync of the database file (the first checkpoint: a 20-60 ms
// commit in every sustained run) or by the kernel's writeback 30 s later, in the middle of
// whichever measurement was running then.
inline void copyDatabase(const fs::path& from, const fs::path& to)
{
    removeDatabase(to);
    fs::copy_file(from, to);
    syncPath(to);
    syncPath(to.parent_path().empty() ? fs::path(".") : to.parent_path());
}

// writeLines writes one number per line (a bench's raw samples, for a closer look).
inline void writeLines(const fs::path& path, const std::vector<double>& values)
{
    FILE* out = std::fopen(path.c_str(), "w");
    if (!out) throw std::runtime_error("cannot write " + path.string());
    for (double v : values) std::fprintf(out, "%.0f\n", v);
    if (std::fclose(out) != 0) throw std::runtime_error("cannot write " + path.string());
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

// BareDb is the limit: single-row transactions `BEGIN IMMEDIATE; INSERT one row; COMMIT`
// (prepared statements) on a fresh database at `path` in WAL + synchronous=FULL, as SQLite comes
// (default VFS and page cache). The row is about the size of a receive's outbox row. The
// connection stays open, so blocks of commits can alternate with other measurements.
class BareDb {
public:
    explicit BareDb(const fs::path& path) : m_path(path)
    {
        removeDatabase(path);
        sqliteCheck(sqlite3_open(path.c_str(), &m_db), m_db, "open bare database");
        sqliteCheck(sqlite3_exec(m_db,
                                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                 "CREATE TABLE t(id INTEGER PRIMARY KEY, op_id TEXT NOT NULL, payload TEXT NOT NULL)",
                                 nullptr, nullptr, nullptr),
                    m_db, "set up bare database");
        sqliteCheck(sqlite3_prepare_v2(m_db, "BEGIN IMMEDIATE", -1, &m_begin, nullptr), m_db, "prepare");
        sqliteCheck(sqlite3_prepare_v2(m_db, "INSERT INTO t(op_id, payload) VALUES(?, ?)", -1, &m_insert, nullptr), m_db, "prepare");
        sqliteCheck(sqlite3_prepare_v2(m_db, "COMMIT", -1, &m_commit, nullptr), m_db, "prepare");
    }
    BareDb(const BareDb&) = delete;
    BareDb& operator=(const BareDb&) = delete;
    ~BareDb()
    {
        sqlite3_finalize(m_begin);
        sqlite3_finalize(m_insert);
        sqlite3_finalize(m_commit);
        sqlite3_close(m_db);
        removeDatabase(m_path);
    }

    // run commits `n` single-row transactions and returns commits per second; each commit's
    // latency goes to `latencyUs` when given.
    // With `every` > 0 a commit starts every `every`, else back to back.
    double run(size_t n, std::vector<double>* latencyUs = nullptr, Clock::duration every = Clock::duration::zero())
    {
        const std::string payload(160, 'x');
        int cur = 0, high = 0;
        sqlite3_db_status(m_db, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &high, 1);
        const double cpu0 = threadCpuUs();
        const auto t0 = Clock::now();
        for (size_t i = 0; i < n; ++i) {
            if (every > Clock::duration::zero()) std::this_thread::sleep_until(t0 + every * static_cast<int64_t>(i));
            const auto c0 = Clock::now();
            const std::string opId = "00000000-0000-4000-8000-" + std::to_string(100000000000 + m_commits + static_cast<int64_t>(i));
            sqliteCheck(sqlite3_step(m_begin), m_db, "begin");
            sqlite3_reset(m_begin);
            sqlite3_bind_text(m_insert, 1, opId.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(m_insert, 2, payload.c_str(), -1, SQLITE_STATIC);
            sqliteCheck(sqlite3_step(m_insert), m_db, "insert");
            sqlite3_reset(m_insert);
            sqliteCheck(sqlite3_step(m_commit), m_db, "commit");
            sqlite3_reset(m_commit);
            if (latencyUs) latencyUs->push_back(std::chrono::duration<double, std::micro>(Clock::now() - c0).count());
        }
        const double rate = static_cast<double>(n) / secondsSince(t0);
        m_cpuUs += threadCpuUs() - cpu0;
        sqlite3_db_status(m_db, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &high, 0);
        m_pages += cur;
        m_commits += static_cast<int64_t>(n);
        return rate;
    }
    double cpuPerCommit() const { return m_commits ? m_cpuUs / static_cast<double>(m_commits) : 0; }
    double pagesPerCommit() const { return m_commits ? static_cast<double>(m_pages) / static_cast<double>(m_commits) : 0; }

private:
    fs::path m_path;
    sqlite3* m_db = nullptr;
    sqlite3_stmt *m_begin = nullptr, *m_insert = nullptr, *m_commit = nullptr;
    int64_t m_pages = 0, m_commits = 0;
    double m_cpuUs = 0;
};

} // namespace backfill::bench
