// TortureRun.h: what the multi-process torture test (torture_test.cpp) knows of its
// processes: the warehouse it sets up, each process's role, what it was sent and printed and
// how it ended, and the findings of a seed.
#pragma once

#include "ledger/CheckDigit.h"

#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace torture {

namespace fs = std::filesystem;

inline constexpr int kProducts = 160;
inline constexpr int kBackorderedProducts = 80; // products 0..79 have waiting lines from the start
inline constexpr size_t kMaxGroup = 100;       // CmdReceive.cpp: scans per group commit at most
inline constexpr int kGoodImportLines = 2000;
inline constexpr const char* kToday = "2026-11-28";
inline constexpr const char* kDock = "DOCK-1";

inline std::string envOr(const char* name, const std::string& fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

inline std::string gtin13(const char* prefix7, int n)
{
    char data[13];
    std::snprintf(data, sizeof data, "%s%05d", prefix7, n);
    return std::string(data) + static_cast<char>('0' + backfill::ledger::gs1CheckDigit(data));
}
inline std::string knownGtin(int product) { return gtin13("4006385", product); }
inline std::string unknownGtin(int n) { return gtin13("4006386", n); }
inline std::string skuOf(int product)
{
    char sku[16];
    std::snprintf(sku, sizeof sku, "TT-%04d", product);
    return sku;
}

inline void writeFile(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}


// ---------------------------------------------------------------------------------------
// Processes

enum class Role { FirstOpen, Setup, GroupReceiver, SyncReceiver, OneShotReceiver, RefusedImport, GoodImport, StockReader, BackordersReader, Final };

inline const char* roleName(Role r)
{
    switch (r) {
    case Role::FirstOpen: return "first-open import";
    case Role::Setup: return "setup import";
    case Role::GroupReceiver: return "receive -";
    case Role::SyncReceiver: return "receive --sync-each -";
    case Role::OneShotReceiver: return "receive SCAN";
    case Role::RefusedImport: return "refused import";
    case Role::GoodImport: return "good import";
    case Role::StockReader: return "stock";
    case Role::BackordersReader: return "backorders";
    case Role::Final: return "final stock";
    }
    return "?";
}
inline bool isReceiver(Role r) { return r == Role::GroupReceiver || r == Role::SyncReceiver || r == Role::OneShotReceiver; }

struct Scan {
    std::string text;
    int product = -1; // -1: unknown GTIN, refused with exit 1
};

// Run is one process: what it was given, what it printed, how it ended.
struct Run {
    Role role = Role::Setup;
    int id = 0;
    std::vector<std::string> args;
    std::vector<Scan> scans; // receivers, in the order sent
    std::vector<std::string> lines;
    int status = 0; // wait status
    bool killed = false;
    std::string err;
    std::string errPath;

    bool anyRefusedScan() const
    {
        return std::any_of(scans.begin(), scans.end(), [](const Scan& s) { return s.product < 0; });
    }
    std::string name() const { return std::string(roleName(role)) + " #" + std::to_string(id); }
    std::string ending() const
    {
        if (killed) return "killed";
        if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
        if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
        return "?";
    }
};

// Findings are the failures of one seed, kept as text so one run reports all of them.
struct Findings {
    std::vector<std::string> problems;
    std::map<std::string, int> errorCodes; // db_* code on stderr -> processes that printed it
    void add(std::string text) { problems.push_back(std::move(text)); }
};

// WalSample reads the WAL-index header from the -shm file (SQLite wal.c "WAL-index format":
// mxFrame at 16, salt-1 at 32 (changes at each WAL restart), nBackfill at 96). Read only.

} // namespace torture
