// Database::backupTo: a consistent copy of a live database (backfilld backup; docs/deployment.md).
//
// The copy is written to a temporary file beside the target with sqlite3_backup_step(-1):
// one read transaction over the source, so it is a snapshot of one moment and other
// connections keep writing (WAL readers do not block writers). The copy is checked with
// PRAGMA quick_check, switched to rollback-journal mode (a single file, nothing else to
// carry), synced, renamed to its name and the folder synced: a crash leaves either no backup
// or a whole one, never a half-written file under the name asked for.

#include "store/Database.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

namespace backfill::store {

namespace {

struct SqliteCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

ledger::Error systemError(const char* code, const std::string& path, const char* what)
{
    return ledger::Error{code, path + ": " + what + ": " + std::strerror(errno)};
}

// syncPath fsyncs a file or folder by name.
bool syncPath(const std::string& path, int flags)
{
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

} // namespace

Result<Database::BackupReport> Database::backupTo(const std::string& path)
{
    if (path.empty()) return ledger::fail("bad_usage", "the backup path is empty");
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0)
        return ledger::fail("backup_exists", path + ": a file is already there; a backup never overwrites one (choose a new name)");
    const std::filesystem::path target(path);
    const std::string folder = target.has_parent_path() ? target.parent_path().string() : std::string(".");
    const std::string temp = path + ".partial-" + std::to_string(::getpid());

    std::unique_ptr<sqlite3, SqliteCloser> copy;
    auto removeTemp = [&] {
        copy.reset();
        std::error_code ec;
        for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(temp + suffix, ec);
    };
    removeTemp(); // what a backup killed before its rename left behind
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(temp.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    copy.reset(raw);
    // The copy's errors name the backup file; the source's name this database.
    auto copyError = [&](int code, const char* what) {
        ledger::Error e = errorFor(code, copy ? sqlite3_system_errno(copy.get()) : 0, path, what,
                                   copy ? sqlite3_errmsg(copy.get()) : sqlite3_errstr(code));
        removeTemp();
        return ledger::unexpected(std::move(e));
    };
    if (rc != SQLITE_OK) return copyError(rc, "creating the backup file");

    sqlite3_backup* backup = sqlite3_backup_init(copy.get(), "main", m_db, "main");
    if (!backup) return copyError(sqlite3_errcode(copy.get()), "starting the backup");
    // One step over every page: a single read transaction on the source. BUSY/LOCKED can
    // only come from another writer holding the source in a rollback mode: retry briefly.
    for (int attempt = 0;; ++attempt) {
        rc = sqlite3_backup_step(backup, -1);
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < 200) {
            sqlite3_sleep(25);
            continue;
        }
        break;
    }
    BackupReport report;
    report.pages = sqlite3_backup_pagecount(backup);
    const int finish = sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
        ledger::Error e = errorFrom(rc, "reading it for a backup");
        removeTemp();
        return ledger::unexpected(std::move(e));
    }
    if (finish != SQLITE_OK) return copyError(finish, "writing the backup");

    // The source may be in WAL mode, and its header says so: the copy becomes one plain file.
    char* err = nullptr;
    rc = sqlite3_exec(copy.get(), "PRAGMA journal_mode=DELETE", nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return copyError(rc, "making the backup one file");
    std::string check;
    sqlite3_stmt* stmt = nullptr;
    rc = sqlite3_prepare_v2(copy.get(), "PRAGMA quick_check", -1, &stmt, nullptr);
    while (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        if (!check.empty()) check += "; ";
        check += text ? text : "";
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK) return copyError(rc, "checking the backup");
    if (check != "ok") {
        removeTemp();
        return ledger::fail("backup_failed", path + ": the copy did not pass quick_check (" + check + "); nothing was kept");
    }
    copy.reset();

    if (::stat(temp.c_str(), &st) != 0 || !syncPath(temp, O_RDONLY)) {
        auto e = systemError(errno == ENOSPC ? "db_full" : "db_io", path, "syncing the backup");
        removeTemp();
        return ledger::unexpected(std::move(e));
    }
    report.bytes = static_cast<int64_t>(st.st_size);
    // link() refuses an existing name, so a backup that appeared meanwhile is never replaced.
    if (::link(temp.c_str(), path.c_str()) != 0) {
        auto e = errno == EEXIST ? ledger::Error{"backup_exists", path + ": a file appeared there during the backup; it was left alone"}
                                 : systemError(errno == EROFS || errno == EACCES ? "db_readonly" : "db_io", path, "naming the backup");
        removeTemp();
        return ledger::unexpected(std::move(e));
    }
    removeTemp();
    if (!syncPath(folder, O_RDONLY | O_DIRECTORY)) return ledger::unexpected(systemError("db_io", folder, "syncing the backup's folder"));
    return report;
}

} // namespace backfill::store
