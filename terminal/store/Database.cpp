#include "store/Database.h"

#include "store/Checkpointer.h"
#include "store/WalVfs.h"

#include <sqlite3.h>

namespace backfill::store {

Error Database::errorFrom(int rc, std::string_view context, sqlite3* db)
{
    std::string code;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = "db_busy"; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: code = "db_corrupt"; break;
    case SQLITE_FULL: code = "db_full"; break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM: code = "db_io"; break;
    case SQLITE_CONSTRAINT: code = "db_constraint"; break;
    default: code = "db_error"; break;
    }
    std::string message(context);
    message += ": ";
    message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return Error{code, message};
}

Statement& Statement::bind(int index, int64_t value)
{
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value)
{
    sqlite3_bind_text(m_stmt, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind(int index, std::nullopt_t)
{
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
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) {
        sqlite3* db = sqlite3_db_handle(m_stmt);
        m_error = Database::errorFrom(rc, sqlite3_sql(m_stmt), db);
    }
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
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_error.reset();
}

Database::Database(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}

Database::~Database()
{
    m_checkpointer.reset(); // before the close, which checkpoints what is left
    m_cache.clear();
    // Finalize every statement before closing, so close always succeeds.
    sqlite3_stmt* stmt = nullptr;
    while ((stmt = sqlite3_next_stmt(m_db, nullptr)) != nullptr) sqlite3_finalize(stmt);
    sqlite3_close(m_db);
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path)
{
    sqlite3* db = nullptr;
    // The WAL-coalescing VFS (WalVfs.h) writes each commit's frames with one system call.
    const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   walCoalescingVfs());
    if (rc != SQLITE_OK) {
        Error e = errorFrom(rc, "cannot open database " + path, db);
        sqlite3_close(db);
        return ledger::unexpected(std::move(e));
    }
    sqlite3_extended_result_codes(db, 0);
    auto result = std::unique_ptr<Database>(new Database(db, path));
    // WAL + synchronous=FULL: a commit is on disk (WAL fsynced) before it returns, so a scan
    // confirmed after commit survives a power cut.
    if (auto r = result->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                              "PRAGMA busy_timeout=5000;"
                              // A group commit of 100 scans dirties ~700 pages: keep them in
                              // memory until COMMIT instead of spilling mid-transaction.
                              "PRAGMA cache_size=-32768;"
                              "PRAGMA mmap_size=1073741824;");
        !r)
        return ledger::unexpected(r.error());
    // Checkpoints leave the commit path (Checkpointer.h); this replaces SQLite's autocheckpoint.
    sqlite3_wal_hook(db, &Database::walHook, result.get());
    return result;
}

int Database::walHook(void* self, sqlite3* db, const char*, int frames)
{
    auto* d = static_cast<Database*>(self);
    if (frames >= Checkpointer::kWakeFrames) {
        if (!d->m_checkpointer) d->m_checkpointer = std::make_unique<Checkpointer>(d->m_path, walCoalescingVfs());
        d->m_checkpointer->wake();
    }
    if (frames >= Checkpointer::kInlineFrames)
        (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
}

int Database::backgroundCheckpoints() const { return m_checkpointer ? m_checkpointer->checkpoints() : 0; }

Statement& Database::prepare(const std::string& sql)
{
    auto it = m_cache.find(sql);
    if (it != m_cache.end()) {
        it->second->reset();
        return *it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                      nullptr);
    if (rc != SQLITE_OK) {
        // A statement that does not prepare is a programming error in our SQL or a schema
        // newer than this binary: neither can be handled at the call site.
        throw std::runtime_error(errorFrom(rc, "prepare " + sql, m_db).message);
    }
    auto [pos, inserted] = m_cache.emplace(sql, std::make_unique<Statement>(stmt));
    return *pos->second;
}

Result<void> Database::exec(std::string_view sql)
{
    char* message = nullptr;
    const int rc = sqlite3_exec(m_db, std::string(sql).c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        Error e = errorFrom(rc, sql.substr(0, 60), m_db);
        sqlite3_free(message);
        return ledger::unexpected(std::move(e));
    }
    return {};
}

int64_t Database::lastInsertRowId() const { return sqlite3_last_insert_rowid(m_db); }
int Database::changes() const { return sqlite3_changes(m_db); }

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
