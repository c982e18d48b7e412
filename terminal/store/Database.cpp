#include "store/Database.h"

#include "store/Checkpointer.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <thread>
#include <cstring>

namespace backfill::store {

namespace {

// codeFor picks our code from SQLite's primary result code and, for I/O failures, the
// system errno: a full disk is db_full whether SQLite saw SQLITE_FULL or failed to grow the
// -shm or -wal file (SQLITE_IOERR_SHMSIZE, SQLITE_IOERR_WRITE with ENOSPC).
const char* codeFor(int rc, int systemErrno)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return "db_busy";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return "db_corrupt";
    case SQLITE_FULL: return "db_full";
    case SQLITE_READONLY: return "db_readonly";
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
        if (systemErrno == ENOSPC || systemErrno == EDQUOT) return "db_full";
        if (systemErrno == EROFS || systemErrno == EACCES || systemErrno == EPERM) return "db_readonly";
        return "db_io";
    case SQLITE_CONSTRAINT: return "db_constraint";
    default: return "db_error";
    }
}

} // namespace

Error Database::errorFrom(int rc, const char* what) const
{
    return errorFor(rc, m_db ? sqlite3_system_errno(m_db) : 0, m_path, what ? what : m_operation ? m_operation : "using the database",
                    m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc));
}

Error Database::errorFor(int rc, int systemErrno, const std::string& path, const char* what, const char* words)
{
    std::string message = path + ": " + what + ": " + words;
    if (systemErrno != 0 && (rc & 0xff) != SQLITE_CONSTRAINT) {
        message += " (";
        message += std::strerror(systemErrno);
        message += ")";
    }
    return Error{codeFor(rc, systemErrno), message};
}

Statement& Statement::bind(int index, int64_t value)
{
    if (!m_stmt) return *this;
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value)
{
    if (!m_stmt) return *this;
    sqlite3_bind_text(m_stmt, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind(int index, std::nullopt_t)
{
    if (!m_stmt) return *this;
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

Statement& Statement::bindOptional(int index, const std::optional<std::string>& value)
{
    return value ? bind(index, std::string_view(*value)) : bind(index, std::nullopt);
}

Statement& Statement::bindOptional(int index, const std::optional<int64_t>& value)
{
    return value ? bind(index, *value) : bind(index, std::nullopt);
}

bool Statement::step()
{
    if (!m_stmt) {
        m_error = m_prepareError;
        return false;
    }
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE)
        m_error = m_db->errorFrom(rc, m_db->operation() ? nullptr
                                      : sqlite3_stmt_readonly(m_stmt) ? "reading the database"
                                                                      : "writing to the database");
    return false;
}

Result<void> Statement::run()
{
    while (step()) {
    }
    if (m_error) {
        Error e = *m_error;
        reset();
        return ledger::unexpected(std::move(e));
    }
    reset();
    return {};
}

int64_t Statement::columnInt(int index) const { return sqlite3_column_int64(m_stmt, index); }

std::string Statement::columnText(int index) const
{
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, index));
    return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(m_stmt, index))) : std::string();
}

bool Statement::columnIsNull(int index) const { return sqlite3_column_type(m_stmt, index) == SQLITE_NULL; }

std::optional<int64_t> Statement::columnOptionalInt(int index) const
{
    if (columnIsNull(index)) return std::nullopt;
    return columnInt(index);
}

std::optional<std::string> Statement::columnOptionalText(int index) const
{
    if (columnIsNull(index)) return std::nullopt;
    return columnText(index);
}

void Statement::reset()
{
    m_error.reset();
    if (!m_stmt) return;
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_error.reset();
}

Database::Database(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}

Database::~Database()
{
    m_checkpointer.reset(); // before the close, which checkpoints what is left
    m_byAddress.clear();
    m_cache.clear();
    // Finalize every statement before closing, so close always succeeds.
    sqlite3_stmt* stmt = nullptr;
    while ((stmt = sqlite3_next_stmt(m_db, nullptr)) != nullptr) sqlite3_finalize(stmt);
    sqlite3_close(m_db);
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path, const OpenOptions& options)
{
    if (path.empty()) return ledger::fail("bad_usage", "the database path is empty");
    if (!options.create) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0)
            return ledger::fail("no_database", path + ": no database there (" + std::strerror(errno) +
                                                   "); check --db, or import or receive to create one");
    }
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options.create ? SQLITE_OPEN_CREATE : 0);
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    auto result = std::unique_ptr<Database>(new Database(db, path));
    if (rc != SQLITE_OK) return ledger::unexpected(result->errorFrom(rc, "opening"));
    sqlite3_extended_result_codes(db, 0);
    // Before any statement: the first one may already meet another process's lock (switching
    // to WAL, a migration, a checkpoint).
    sqlite3_busy_timeout(db, static_cast<int>(options.busyTimeout.count()));
    if (options.inspect)
        if (auto r = options.inspect(*result); !r) return ledger::unexpected(r.error());
    // WAL + synchronous=FULL: a commit is on disk (WAL fsynced) before it returns, so a scan
    // confirmed after commit survives a power cut.
    // Switching a new file to WAL needs an exclusive lock. Two connections that both read the
    // header first hold shared locks, and SQLite answers one of them SQLITE_BUSY at once
    // instead of calling the busy handler (it would wait on a deadlock): take turns here.
    const auto deadline = std::chrono::steady_clock::now() + options.busyTimeout;
    for (int attempt = 0;; ++attempt) {
        auto r = result->exec("PRAGMA journal_mode=WAL", "switching to write-ahead logging");
        if (r) break;
        if (r.error().code != "db_busy" || std::chrono::steady_clock::now() >= deadline) return ledger::unexpected(r.error());
        std::this_thread::sleep_for(std::chrono::milliseconds(2 + attempt % 8 * 3));
    }
    if (auto r = result->exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                              // A group commit of 100 scans dirties ~270-700 pages: 8 MiB (2,048
                              // pages) keeps them in memory until COMMIT. Not more: at the end
                              // of ~1 % of transactions SQLite's page cache walks its whole
                              // hash table (pcache1 truncating past the database's size), and
                              // at 32 MiB that walk was ~350 us, the sustained run's p99
                              // (bench/README.md, issue 14, 2026-12-07 night).
                              "PRAGMA cache_size=-8192;"
                              "PRAGMA mmap_size=1073741824;",
                              "setting up the connection");
        !r)
        return ledger::unexpected(r.error());
    // Checkpoints leave the commit path (Checkpointer.h); this replaces SQLite's autocheckpoint.
    sqlite3_wal_hook(db, &Database::walHook, result.get());
    sqlite3_commit_hook(db, &Database::commitHook, result.get());
    return result;
}

int Database::walHook(void* self, sqlite3* db, const char*, int frames)
{
    auto* d = static_cast<Database*>(self);
    d->m_walFrames = frames;
    if (!d->m_checkpointer) {
        if (frames < Checkpointer::kIdleFrames) return SQLITE_OK;
        d->m_checkpointer = std::make_unique<Checkpointer>(d->m_path);
    }
    d->m_checkpointer->committed(frames);
    if (frames >= Checkpointer::kWriterFrames) d->m_checkpointDue = true;
    // A writer that did not checkpoint between its transactions does it here, inside the
    // commit (Checkpointer.h).
    if (frames >= Checkpointer::kInlineFrames) d->checkpointNow(db);
    return SQLITE_OK;
}

void Database::checkpointIfDue()
{
    if (m_checkpointDue) checkpointNow(m_db);
}

void Database::checkpointNow(sqlite3* db)
{
    // Not while the thread is in the middle of one (the next commit asks again). PASSIVE
    // never waits: a reader still on old frames makes it stop short, and it stays due.
    if (!m_checkpointer || !m_checkpointer->writerTakesOver()) return;
    int log = -1;
    int ckpt = -1;
    if (sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &ckpt) != SQLITE_OK || ckpt < 0) return;
    m_checkpointer->writerDone(log, ckpt);
    // Every frame is in the database file: the next transaction restarts the WAL.
    if (ckpt == log) m_checkpointDue = false;
}

int Database::commitHook(void* self)
{
    // Called as a write transaction starts to commit, before its frames are written and
    // synced: the background thread does not take the time that takes for a gap.
    auto* d = static_cast<Database*>(self);
    if (d->m_checkpointer) d->m_checkpointer->committing();
    return 0; // go on with the commit
}

int Database::backgroundCheckpoints() const { return m_checkpointer ? m_checkpointer->checkpoints() : 0; }
int64_t Database::framesCheckpointed() const { return m_checkpointer ? m_checkpointer->framesCheckpointed() : 0; }
int64_t Database::writerFramesCheckpointed() const { return m_checkpointer ? m_checkpointer->writerFrames() : 0; }
int64_t Database::checkpointCalls() const { return m_checkpointer ? m_checkpointer->calls() : 0; }


Statement& Database::prepareLiteral(const char* sql, size_t size)
{
    const std::string_view text(sql, size);
    if (auto it = m_byAddress.find(sql); it != m_byAddress.end() && it->second.first == text) {
        it->second.second->reset();
        return *it->second.second;
    }
    Statement& s = prepare(text);
    if (&s != m_failed.get()) {
        auto it = m_cache.find(text);
        m_byAddress[sql] = {it->first, it->second.get()};
    }
    return s;
}

Statement& Database::prepare(std::string_view sql)
{
    auto it = m_cache.find(sql);
    if (it != m_cache.end()) {
        it->second->reset();
        return *it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                      nullptr);
    if (rc != SQLITE_OK) {
        // Preparing reads the schema, so a file that cannot be read fails here: that is a
        // database failure for the caller's step. Anything else is a programming error in our
        // SQL or a schema newer than this binary: neither can be handled at the call site.
        if ((rc & 0xff) != SQLITE_ERROR) {
            // Not cached: the next call prepares again.
            m_failed = std::make_unique<Statement>(*this, errorFrom(rc));
            return *m_failed;
        }
        throw std::runtime_error(errorFrom(rc, "preparing a statement").message + ": " + std::string(sql));
    }
    auto [pos, inserted] = m_cache.emplace(std::string(sql), std::make_unique<Statement>(*this, stmt));
    return *pos->second;
}

Result<void> Database::exec(std::string_view sql, const char* what)
{
    const int rc = sqlite3_exec(m_db, std::string(sql).c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return ledger::unexpected(errorFrom(rc, what));
    return {};
}

int64_t Database::lastInsertRowId() const { return sqlite3_last_insert_rowid(m_db); }
int Database::changes() const { return sqlite3_changes(m_db); }

int64_t Database::totalChanges() const { return sqlite3_total_changes64(m_db); }

Result<Transaction> Transaction::begin(Database& db)
{
    if (auto r = db.prepare("BEGIN IMMEDIATE").run(); !r) return ledger::unexpected(r.error());
    return Transaction(db);
}

Transaction::~Transaction()
{
    if (m_db) (void)m_db->prepare("ROLLBACK").run();
}

Result<void> Transaction::commit()
{
    auto r = m_db->prepare("COMMIT").run();
    if (r) m_db = nullptr;
    return r;
}

Savepoint::Savepoint(Database& db) : m_db(&db) { m_open = static_cast<bool>(db.prepare("SAVEPOINT scan").run()); }

Savepoint::~Savepoint()
{
    if (m_open) {
        (void)m_db->prepare("ROLLBACK TO scan").run();
        (void)m_db->prepare("RELEASE scan").run();
    }
}

Result<void> Savepoint::release()
{
    if (!m_open) return ledger::fail("db_error", "savepoint was not opened");
    m_open = false;
    return m_db->prepare("RELEASE scan").run();
}

} // namespace backfill::store
