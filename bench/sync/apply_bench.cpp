// Apply benchmark (issue 11; bench/README.md, ## Sync, "The apply path in process"). Where
// the push's time goes once transport is taken out: the server's Applier on a real SQLite
// file (WAL, synchronous=FULL, one transaction per slice as `backfilld` without serve), fed
// the same Push objects as bench_sync's throughput part, in the same process as its limit,
// the bare batched insert of the same rows. Blocks alternate the two; each block's ratio is
// taken, and the CPU time of each side (getrusage of this one-threaded process) is read
// apart from the wall time, so a busy disk or a busy machine shows as the difference.
//
//   bench_apply --work DIR [--reps 3] [--blocks 10] [--batches 5] [--batch 100] [--products 1000]
//
// Every push is checked: one Applied result per op.

#include "server/Apply.h"
#include "server/SqliteServerStore.h"

#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace backfill;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double cpuSeconds()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double median(std::vector<double> v)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

struct Flags {
    std::vector<std::string> args;
    std::string text(std::string_view name, const std::string& fallback) const
    {
        for (size_t i = 0; i + 1 < args.size(); ++i)
            if (args[i] == name) return args[i + 1];
        return fallback;
    }
    int64_t number(std::string_view name, int64_t fallback) const
    {
        const auto t = text(name, "");
        return t.empty() ? fallback : std::stoll(t);
    }
};

// run runs backfilld ARGS to completion and gives its stdout; throws on a non-zero exit.
std::string run(const std::string& bin, std::vector<std::string> args)
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

// pushOf builds a Push of `n` receive ops, as bench_sync's Device::push does.
protocol::Push pushOf(const protocol::Auth& auth, int index, int64_t& counter, int64_t& seq, size_t n, int products)
{
    protocol::Push p{auth, {}};
    for (size_t i = 0; i < n; ++i) {
        const int64_t k = ++counter;
        char id[40];
        std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012llx", index, static_cast<unsigned long long>(k));
        const int product = static_cast<int>((k * 7919 + index * 104729) % products);
        p.ops.push_back({id, seq++, 1, "receive",
                         R"({"location":"DOCK","lines":[{"sku":"SKU-)" + std::to_string(product) + R"(","qty":)" +
                             std::to_string(1 + k % 3) + R"(,"lot":"","sscc":"","claims":[]}]})",
                         1'800'000'000 + k});
    }
    return p;
}

// Bare is the limit: the same rows into an applied_ops-shaped table, one transaction per batch.
class Bare {
public:
    explicit Bare(const fs::path& path)
    {
        check(sqlite3_open(path.c_str(), &m_db));
        check(sqlite3_exec(m_db,
                           "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                           "CREATE TABLE ops(op_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, epoch INTEGER NOT NULL,"
                           " device_seq INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL,"
                           " UNIQUE(device_id, epoch, device_seq))",
                           nullptr, nullptr, nullptr));
        check(sqlite3_prepare_v2(m_db, "INSERT INTO ops VALUES(?,?,?,?,?,?,?)", -1, &m_insert, nullptr));
    }
    ~Bare()
    {
        sqlite3_finalize(m_insert);
        sqlite3_close(m_db);
    }
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

} // namespace

int main(int argc, char** argv)
try {
    const Flags flags{{argv + 1, argv + argc}};
    const fs::path work = flags.text("--work", (fs::temp_directory_path() / "backfill-apply-bench").string());
    const std::string bin = flags.text("--bin", BACKFILLD_BIN_DEFAULT);
    const int reps = static_cast<int>(flags.number("--reps", 3));
    const auto batch = static_cast<size_t>(flags.number("--batch", 100));
    const auto blocks = static_cast<int>(flags.number("--blocks", 10));
    const auto batchesPerBlock = static_cast<int>(flags.number("--batches", 5));
    const int products = static_cast<int>(flags.number("--products", 1000));
    std::printf("sqlite %s, work dir %s; a block = %d pushes of %zu receive ops applied in process, %d bare batches\n",
                sqlite3_libversion(), work.c_str(), batchesPerBlock, batch, batchesPerBlock);

    std::vector<double> ratios, cpuRatios, applyUs, applyCpuUs, bareUs, bareCpuUs;
    for (int r = 0; r < reps; ++r) {
        const fs::path dir = work / ("rep" + std::to_string(r));
        fs::remove_all(dir);
        fs::create_directories(dir);
        const std::string db = (dir / "server.db").string();
        {
            std::ofstream(dir / "locations.csv") << "code,kind,sequence\nDOCK,receiving,1\nA-01,storage,100\n";
            std::ofstream catalog(dir / "catalog.csv");
            catalog << "sku,description\n";
            for (int i = 0; i < products; ++i) catalog << "SKU-" << i << ",Product " << i << "\n";
        }
        run(bin, {"--db", db, "import", "locations", (dir / "locations.csv").string()});
        run(bin, {"--db", db, "import", "catalog", (dir / "catalog.csv").string()});
        const std::string token = run(bin, {"--db", db, "device", "add", "HH-1"}).substr(0, 64);

        auto store = server::SqliteServerStore::open(db);
        if (!store) throw std::runtime_error(store.error().message);
        server::Applier applier(**store);
        const auto hello = applier.hello(protocol::Hello{protocol::kProtocolVersion, "HH-1", 0, token});
        const auto* ack = std::get_if<protocol::HelloAck>(&hello);
        if (!ack) throw std::runtime_error("hello refused");
        const protocol::Auth auth = protocol::Session{ack->sessionId};
        Bare bare(dir / "bare.db");

        int64_t counter = 0, seq = 1, shadowCounter = 0, shadowSeq = 1;
        for (int b = 0; b < blocks; ++b) {
            std::vector<protocol::Push> pushes, limits;
            for (int i = 0; i < batchesPerBlock; ++i) {
                pushes.push_back(pushOf(auth, 0, counter, seq, batch, products));
                limits.push_back(pushOf(auth, 1 << 20, shadowCounter, shadowSeq, batch, products));
            }
            const double ops = static_cast<double>(batch * pushes.size());
            double c0 = cpuSeconds();
            auto t0 = Clock::now();
            for (const auto& p : limits) bare.insert("HH-1", p);
            const double bareWall = secondsSince(t0), bareCpu = cpuSeconds() - c0;
            c0 = cpuSeconds();
            t0 = Clock::now();
            for (const auto& p : pushes) {
                const auto reply = applier.push(p);
                const auto* a = std::get_if<protocol::PushAck>(&reply);
                if (!a || a->results.size() != p.ops.size()) throw std::runtime_error("push: not every op was answered");
                for (const auto& res : a->results)
                    if (res.status != protocol::OpStatus::Applied) throw std::runtime_error("push: " + res.code + ": " + res.message);
            }
            const double applyWall = secondsSince(t0), applyCpu = cpuSeconds() - c0;
            ratios.push_back(bareWall / applyWall);
            cpuRatios.push_back(bareCpu / applyCpu);
            applyUs.push_back(applyWall / ops * 1e6);
            applyCpuUs.push_back(applyCpu / ops * 1e6);
            bareUs.push_back(bareWall / ops * 1e6);
            bareCpuUs.push_back(bareCpu / ops * 1e6);
        }
        std::printf("rep %d: apply %.1f us/op (CPU %.1f), bare %.1f us/row (CPU %.1f), ratio %.2f (CPU %.2f)\n", r + 1,
                    median(std::vector<double>(applyUs.end() - blocks, applyUs.end())),
                    median(std::vector<double>(applyCpuUs.end() - blocks, applyCpuUs.end())),
                    median(std::vector<double>(bareUs.end() - blocks, bareUs.end())),
                    median(std::vector<double>(bareCpuUs.end() - blocks, bareCpuUs.end())),
                    median(std::vector<double>(ratios.end() - blocks, ratios.end())),
                    median(std::vector<double>(cpuRatios.end() - blocks, cpuRatios.end())));
        std::fflush(stdout);
    }
    std::printf("\n| measurement | wall per op (median) | CPU per op (median) | ratio, wall (median of blocks; p10-p90) | ratio, CPU |\n"
                "|---|---:|---:|---:|---:|\n");
    std::printf("| limit: bare SQLite, one transaction per batch of %zu rows | %.1f us | %.1f us | 1.00 | 1.00 |\n", batch,
                median(bareUs), median(bareCpuUs));
    std::printf("| apply in process (Applier::push, no transport), batches of %zu | %.1f us | %.1f us | **%.2f** (%.2f-%.2f) | %.2f |\n",
                batch, median(applyUs), median(applyCpuUs), median(ratios), percentile(ratios, 0.1), percentile(ratios, 0.9),
                median(cpuRatios));
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_apply: %s\n", e.what());
    return 1;
}
