#pragma once
// What the sync benchmarks share (bench_sync over tcp, bench_apply in process): their flags,
// a fresh server database per repetition (set up by `backfilld`), the receive ops they push,
// and their limit, the bare batched insert of the same rows. Clocks, medians and flags come from bench/receive/BenchUtil.h.

#include "BenchUtil.h"

#include "protocol/Messages.h"

#include <sqlite3.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace backfill::bench {

// runBackfilld runs backfilld ARGS to completion and gives its stdout; throws on a non-zero exit.
inline std::string runBackfilld(const std::string& bin, std::vector<std::string> args)
{
    args.insert(args.begin(), bin);
    std::string cmd;
    for (const auto& a : args) cmd += "'" + a + "' ";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("cannot run " + cmd);
    std::string out;
    std::array<char, 4096> buf{};
    size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    if (::pclose(p) != 0) throw std::runtime_error("failed: " + cmd + "\n" + out);
    return out;
}

// PushFlags are the flags both sync benchmarks read: --work DIR, --bin BACKFILLD, --reps N,
// --batch (ops per push), --blocks, --batches (pushes per block), --products.
struct PushFlags {
    fs::path work;
    std::string bin;
    int reps;
    size_t batch;
    int blocks;
    int batchesPerBlock;
    int products;

    PushFlags(const Flags& f, const std::string& workName, const std::string& binDefault)
        : work(f.text("--work", (fs::temp_directory_path() / workName).string())),
          bin(f.text("--bin", binDefault)),
          reps(static_cast<int>(f.number("--reps", 3))),
          batch(static_cast<size_t>(f.number("--batch", 100))),
          blocks(static_cast<int>(f.number("--blocks", 10))),
          batchesPerBlock(static_cast<int>(f.number("--batches", 5))),
          products(static_cast<int>(f.number("--products", 1000)))
    {
    }
};

// freshRepetition empties the folder of repetition `rep` under --work and gives it a server
// database, server.db, with DOCK, A-01 and --products products SKU-0.. imported through
// backfilld's own imports; returns the folder.
inline fs::path freshRepetition(const PushFlags& f, int rep)
{
    const fs::path dir = f.work / ("rep" + std::to_string(rep));
    fs::remove_all(dir);
    fs::create_directories(dir);
    {
        std::ofstream(dir / "locations.csv") << "code,kind,sequence\nDOCK,receiving,1\nA-01,storage,100\n";
        std::ofstream catalog(dir / "catalog.csv");
        catalog << "sku,description\n";
        for (int i = 0; i < f.products; ++i) catalog << "SKU-" << i << ",Product " << i << "\n";
    }
    const std::string db = (dir / "server.db").string();
    runBackfilld(f.bin, {"--db", db, "import", "locations", (dir / "locations.csv").string()});
    runBackfilld(f.bin, {"--db", db, "import", "catalog", (dir / "catalog.csv").string()});
    return dir;
}

// ReceiveOps writes a device's receive ops: 1-3 units of one of `products` products into DOCK,
// op ids and device_seqs in order.
struct ReceiveOps {
    int index = 0; // the device's number, part of its op ids
    int64_t counter = 0;
    int64_t nextSeq = 1;

    protocol::Push push(const protocol::Auth& auth, size_t n, int products)
    {
        protocol::Push p{auth, {}};
        for (size_t i = 0; i < n; ++i) {
            const int64_t k = ++counter;
            char id[40];
            std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012llx", index, static_cast<unsigned long long>(k));
            const int product = static_cast<int>((k * 7919 + index * 104729) % products);
            p.ops.push_back({id, nextSeq++, 1, "receive",
                             R"({"location":"DOCK","lines":[{"sku":"SKU-)" + std::to_string(product) + R"(","qty":)" +
                                 std::to_string(1 + k % 3) + R"(,"lot":"","sscc":"","claims":[]}]})",
                             1'800'000'000 + k});
        }
        return p;
    }
};

// BareBatches is the limit: the same rows as the server's applied_ops (op_id, device, epoch,
// device_seq, kind, payload, created_at; its primary key and unique index), one
// `BEGIN IMMEDIATE ... COMMIT` per batch, prepared, WAL + synchronous=FULL.
class BareBatches {
public:
    explicit BareBatches(const fs::path& path)
    {
        removeDatabase(path);
        check(sqlite3_open(path.c_str(), &m_db));
        check(sqlite3_exec(m_db,
                           "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                           "CREATE TABLE ops(op_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, epoch INTEGER NOT NULL,"
                           " device_seq INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL,"
                           " UNIQUE(device_id, epoch, device_seq))",
                           nullptr, nullptr, nullptr));
        check(sqlite3_prepare_v2(m_db, "INSERT INTO ops VALUES(?,?,?,?,?,?,?)", -1, &m_insert, nullptr));
    }
    ~BareBatches()
    {
        sqlite3_finalize(m_insert);
        sqlite3_close(m_db);
    }
    BareBatches(const BareBatches&) = delete;
    BareBatches& operator=(const BareBatches&) = delete;

    void insert(const std::string& device, const protocol::Push& p)
    {
        check(sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr));
        for (const auto& op : p.ops) {
            sqlite3_bind_text(m_insert, 1, op.opId.data(), static_cast<int>(op.opId.size()), SQLITE_STATIC);
            sqlite3_bind_text(m_insert, 2, device.data(), static_cast<int>(device.size()), SQLITE_STATIC);
            sqlite3_bind_int64(m_insert, 3, op.epoch);
            sqlite3_bind_int64(m_insert, 4, op.deviceSeq);
            sqlite3_bind_text(m_insert, 5, op.kind.data(), static_cast<int>(op.kind.size()), SQLITE_STATIC);
            sqlite3_bind_text(m_insert, 6, op.payload.data(), static_cast<int>(op.payload.size()), SQLITE_STATIC);
            sqlite3_bind_int64(m_insert, 7, op.createdAt);
            if (sqlite3_step(m_insert) != SQLITE_DONE) check(SQLITE_ERROR);
            sqlite3_reset(m_insert);
        }
        check(sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr));
    }

private:
    void check(int rc)
    {
        if (rc != SQLITE_OK) throw std::runtime_error(std::string("bare sqlite: ") + sqlite3_errmsg(m_db));
    }
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_insert = nullptr;
};

} // namespace backfill::bench
