#pragma once
// Shared by the store tests: a temporary database path, and a plain SQLite connection to look
// at the file from outside the store (default VFS, as any other program would open it).

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace backfill::test {

// TempDb is a database path in the temp folder, unique per process and name, removed (with
// its WAL and shared-memory files) before and after the test.
struct TempDb {
    std::filesystem::path path;
    TempDb(const std::string& prefix, const std::string& name,
           const std::filesystem::path& dir = std::filesystem::temp_directory_path())
        : path(dir / ("backfill-" + prefix + "-" + std::to_string(::getpid()) + "-" + name + ".db"))
    {
        remove();
    }
    ~TempDb() { remove(); }
    TempDb(const TempDb&) = delete;
    TempDb& operator=(const TempDb&) = delete;
    void remove() const
    {
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
    }
};

// PlainDb is a connection of its own through SQLite's default VFS.
struct PlainDb {
    sqlite3* db = nullptr;
    explicit PlainDb(const std::filesystem::path& path) { REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK); }
    ~PlainDb() { sqlite3_close(db); }
    PlainDb(const PlainDb&) = delete;
    PlainDb& operator=(const PlainDb&) = delete;
    void exec(const std::string& sql)
    {
        char* error = nullptr;
        const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
        INFO(sql << ": " << (error ? error : ""));
        sqlite3_free(error);
        REQUIRE(rc == SQLITE_OK);
    }
    // rows gives each row as its columns joined by '|' (NULL for null).
    std::vector<std::string> rows(const std::string& sql)
    {
        sqlite3_stmt* s = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
        std::vector<std::string> out;
        while (sqlite3_step(s) == SQLITE_ROW) {
            std::string row;
            for (int i = 0; i < sqlite3_column_count(s); ++i) {
                if (i) row += "|";
                const auto* text = sqlite3_column_text(s, i);
                row += text ? reinterpret_cast<const char*>(text) : "NULL";
            }
            out.push_back(row);
        }
        sqlite3_finalize(s);
        return out;
    }
    // one is the single value of a one-row, one-column query.
    std::string one(const std::string& sql)
    {
        const auto r = rows(sql);
        REQUIRE(r.size() == 1);
        return r[0];
    }
    int64_t integer(const std::string& sql) { return std::stoll(one(sql)); }
};

} // namespace backfill::test
