#pragma once
// A thin RAII layer over SQLite: a connection, cached prepared statements and transactions.
// SQLite result codes become ledger::Error values here and nowhere else (STYLE.md 7):
// db_busy, db_corrupt, db_full, db_io, db_constraint, db_error.

#include "ledger/Result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace backfill::store {

class Checkpointer;
using ledger::Error;
using ledger::Result;

// Statement is a prepared statement owned by its Database's cache. bind() numbers from 1;
// step() returns true while a row is available. reset() runs automatically on the next use;
// until then a statement left on a row keeps a read transaction open (the WAL cannot restart
// and grows without bound): read single rows with first(), which resets.
class Statement {
public:
    explicit Statement(sqlite3_stmt* stmt) : m_stmt(stmt) {}
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
    sqlite3_stmt* m_stmt;
    std::optional<Error> m_error;
};

// Database is one SQLite connection in WAL mode with synchronous=FULL, foreign keys on and a
// busy timeout. Not thread-safe: one per thread.
class Database {
public:
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // open opens or creates the file. Fails with db_io / db_corrupt when it cannot.
    static Result<std::unique_ptr<Database>> open(const std::string& path);

    // prepare returns a cached, reset statement for `sql`.
    Statement& prepare(const std::string& sql);
    // exec runs one or more statements without results.
    Result<void> exec(std::string_view sql);
    int64_t lastInsertRowId() const;
    int changes() const;
    sqlite3* handle() { return m_db; }
    // backgroundCheckpoints is how many checkpoints the background thread completed (0 when
    // it never had to start: short sessions leave the WAL to the checkpoint at close).
    int backgroundCheckpoints() const;

    // errorFrom translates an SQLite result code (and the connection's message) to our error.
    static Error errorFrom(int rc, std::string_view context, sqlite3* db);

private:
    Database(sqlite3* db, std::string path);
    static int walHook(void* self, sqlite3* db, const char* name, int frames);
    sqlite3* m_db;
    std::string m_path;
    std::unique_ptr<Checkpointer> m_checkpointer; // started at the first WAL that needs it
    std::map<std::string, std::unique_ptr<Statement>, std::less<>> m_cache;
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
