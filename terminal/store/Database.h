#pragma once
// A thin RAII layer over SQLite: a connection, cached prepared statements and transactions.
// SQLite result codes become ledger::Error values here and nowhere else (STYLE.md 7):
// db_busy, db_corrupt, db_full, db_readonly, db_io, db_constraint, db_error, and
// no_database for a file that must exist but does not. Every message names the file and the
// operation in words: "/data/terminal.db: receiving a scan: database or disk is full".

#include "ledger/Result.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

struct sqlite3;
struct sqlite3_stmt;

namespace backfill::store {

class Checkpointer;
class Database;
using ledger::Error;
using ledger::Result;

// Statement is a prepared statement owned by its Database's cache. bind() numbers from 1;
// step() returns true while a row is available. reset() runs automatically on the next use;
// until then a statement left on a row keeps a read transaction open (the WAL cannot restart
// and grows without bound): read single rows with first(), which resets.
class Statement {
public:
    Statement(Database& db, sqlite3_stmt* stmt) : m_db(&db), m_stmt(stmt) {}
    // A statement that could not be prepared because the file could not be read (disk I/O,
    // not a database, full, busy): every step fails with `error`, like a statement whose
    // first step met it.
    Statement(Database& db, Error error) : m_db(&db), m_stmt(nullptr), m_prepareError(std::move(error)) {}
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, std::nullopt_t);
    Statement& bindOptional(int index, const std::optional<std::string>& value);
    Statement& bindOptional(int index, const std::optional<int64_t>& value);
    // step advances: true = a row is ready, false = done. Errors are kept in lastError().
    bool step();
    // run steps to completion; returns the error, if any.
    Result<void> run();
    // first steps to the first row, hands it to `read` if there is one, and resets the
    // statement, so it never stays on a row. Returns whether there was a row, or the error.
    template <class Read>
    Result<bool> first(Read&& read)
    {
        const bool row = step();
        if (row) read(static_cast<const Statement&>(*this));
        std::optional<Error> error = std::move(m_error);
        reset();
        if (error) return ledger::unexpected(std::move(*error));
        return row;
    }
    int64_t columnInt(int index) const;
    std::string columnText(int index) const;
    bool columnIsNull(int index) const;
    std::optional<int64_t> columnOptionalInt(int index) const;
    std::optional<std::string> columnOptionalText(int index) const;
    const std::optional<Error>& lastError() const { return m_error; }
    void reset();

private:
    Database* m_db;
    sqlite3_stmt* m_stmt;
    std::optional<Error> m_error;
    std::optional<Error> m_prepareError;
};

// fromStatement is the error a statement's last step left, if any (after a loop of step()).
inline Result<void> fromStatement(const Statement& s)
{
    if (s.lastError()) return ledger::unexpected(*s.lastError());
    return {};
}

// OpenOptions says how Database::open treats the file.
struct OpenOptions {
    // create: a missing file is created. Without it a missing file is no_database (commands
    // that only read never create a database by mistake, e.g. from a typo in --db).
    bool create = true;
    // busyTimeout: how long a statement waits for another connection's write lock before it
    // fails with db_busy. Set before any other statement runs. Long enough to wait out the
    // apply phase of a large import (docs/architecture.md has the measured longest wait).
    std::chrono::milliseconds busyTimeout{60000};
    // inspect runs after the file is open and before anything could write to it (the switch
    // to WAL writes the header): the place to refuse a file that is not ours, untouched.
    std::function<Result<void>(Database&)> inspect;
};

// Database is one SQLite connection in WAL mode with synchronous=FULL, foreign keys on and a
// busy timeout. Not thread-safe: one per thread.
class Database {
public:
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // open opens (or creates, see OpenOptions) the file, runs options.inspect, then puts it in
    // WAL mode with synchronous=FULL. Fails with no_database, db_readonly, db_io, db_corrupt,
    // db_busy, or inspect's error; a file refused by inspect is left byte-identical.
    static Result<std::unique_ptr<Database>> open(const std::string& path, const OpenOptions& options = {});

    // prepare returns a cached, reset statement for `sql`. When the file cannot be read, the
    // statement fails at its first step with the db_* error; an error in the SQL itself (our
    // bug, or a schema newer than this binary) throws.
    Statement& prepare(std::string_view sql);
    // A string literal's statement is found by the literal's address first (a pointer compare
    // and one memcmp, not a walk down the map comparing SQL texts): a receipt prepares ~20
    // statements, so this is on the hot path of every scan.
    template <size_t N>
    Statement& prepare(const char (&sql)[N])
    {
        return prepareLiteral(sql, N - 1);
    }
    Statement& prepare(const std::string& sql) { return prepare(std::string_view(sql)); }
    template <class T, std::enable_if_t<std::is_same_v<T, const char*>, int> = 0>
    Statement& prepare(T sql)
    {
        return prepare(std::string_view(sql));
    }
    // exec runs one or more statements without results; `what` names the operation for
    // errors (else the current Operation).
    Result<void> exec(std::string_view sql, const char* what = nullptr);
    int64_t lastInsertRowId() const;
    int changes() const;
    // totalChanges counts the rows this connection inserted, updated or deleted since it opened.
    int64_t totalChanges() const;
    sqlite3* handle() { return m_db; }
    // backgroundCheckpoints is how many checkpoints the background thread completed (0 when
    // it never had to start: short sessions leave the WAL to the checkpoint at close).
    int backgroundCheckpoints() const;

    // framesCheckpointed is how many WAL frames the background thread copied into the
    // database file (pnCkpt summed over its checkpoints).
    int64_t framesCheckpointed() const;
    // checkpointCalls is how many checkpoints the background thread started, whether or not
    // they copied a frame.
    int64_t checkpointCalls() const;
    // checkpointIfDue is for a writer between two of its transactions, once its result is
    // out (a scan's line printed, the UI's result handed over, a server round's replies
    // sent): when the WAL passed Checkpointer::kWriterFrames it copies every frame into the
    // database file, so the next transaction restarts the WAL (Checkpointer.h). Under
    // back-to-back commits this is the one checkpoint, and no commit waits for it. Failures
    // are left for the next call (the WAL stays, nothing is lost).
    void checkpointIfDue();
    // writerFramesCheckpointed is how many frames this connection's own checkpoints copied
    // (checkpointIfDue, and inside a commit past Checkpointer::kInlineFrames).
    int64_t writerFramesCheckpointed() const;
    // walFrames is how many frames the WAL held after this connection's last commit.
    int walFrames() const { return m_walFrames; }
    const std::string& path() const { return m_path; }
    // operation is the name of the current Operation, if any.
    const char* operation() const { return m_operation; }

    // Operation names what the connection is doing, in words, for the messages of errors
    // raised while it lives ("receiving a scan"); the previous name comes back at its end.
    class Operation {
    public:
        Operation(Database& db, const char* what) : m_db(db), m_previous(db.m_operation) { db.m_operation = what; }
        ~Operation() { m_db.m_operation = m_previous; }
        Operation(const Operation&) = delete;
        Operation& operator=(const Operation&) = delete;

    private:
        Database& m_db;
        const char* m_previous;
    };

    // BackupReport says what backupTo wrote.
    struct BackupReport {
        int64_t pages = 0;
        int64_t bytes = 0;
    };
    // backupTo writes a consistent copy of the database to `path` with SQLite's online
    // backup (one read transaction, so writers on other connections go on), checks the copy
    // with quick_check, syncs it and only then gives it its name (Backup.cpp). Fails with
    // backup_exists (never overwrites), backup_failed (the copy did not check out) or the
    // db_* code of what went wrong on either file; a failed backup leaves nothing at `path`.
    Result<BackupReport> backupTo(const std::string& path);

    // errorFrom translates an SQLite result code into our error: the code from the result
    // code and the system errno (ENOSPC is db_full wherever it happened), the message from
    // the file, the operation (`what`, else the current Operation) and SQLite's own words.
    Error errorFrom(int rc, const char* what = nullptr) const;
    // errorFor is errorFrom for any connection: `words` is SQLite's message for it.
    static Error errorFor(int rc, int systemErrno, const std::string& path, const char* what, const char* words);

private:
    Database(sqlite3* db, std::string path);
    static int walHook(void* self, sqlite3* db, const char* name, int frames);
    static int commitHook(void* self);
    Statement& prepareLiteral(const char* sql, size_t size);
    sqlite3* m_db;
    std::string m_path;
    void checkpointNow(sqlite3* db);
    const char* m_operation = nullptr;
    bool m_checkpointDue = false; // the WAL passed Checkpointer::kWriterFrames
    int m_walFrames = 0;
    std::unique_ptr<Checkpointer> m_checkpointer; // started at the first WAL that needs it
    std::map<std::string, std::unique_ptr<Statement>, std::less<>> m_cache;
    std::unique_ptr<Statement> m_failed; // the last statement that could not be prepared
    // By address: a literal's text and its statement in m_cache (checked by content on use).
    std::unordered_map<const char*, std::pair<std::string_view, Statement*>> m_byAddress;
};

// Transaction is BEGIN IMMEDIATE ... COMMIT, rolled back on destruction unless committed.
class Transaction {
public:
    static Result<Transaction> begin(Database& db);
    Transaction(Transaction&& other) noexcept : m_db(other.m_db) { other.m_db = nullptr; }
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();
    Result<void> commit();

private:
    explicit Transaction(Database& db) : m_db(&db) {}
    Database* m_db;
};

// Savepoint nests inside a transaction: release() keeps its work, destruction undoes it.
class Savepoint {
public:
    explicit Savepoint(Database& db);
    ~Savepoint();
    Result<void> release();

private:
    Database* m_db;
    bool m_open = false;
};

} // namespace backfill::store
