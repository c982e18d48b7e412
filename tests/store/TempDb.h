#pragma once
// TempDb is a database path in the temp folder, unique per process and name, removed (with
// its WAL and shared-memory files) before and after the test.

#include <unistd.h>

#include <filesystem>
#include <string>

namespace backfill::test {

struct TempDb {
    std::filesystem::path path;
    TempDb(const std::string& prefix, const std::string& name)
        : path(std::filesystem::temp_directory_path() /
               ("backfill-" + prefix + "-" + std::to_string(::getpid()) + "-" + name + ".db"))
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

} // namespace backfill::test
