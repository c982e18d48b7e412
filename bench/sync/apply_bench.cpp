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

#include "StoredRows.h"
#include "SyncBenchSupport.h"

#include "server/Apply.h"
#include "server/SqliteServerStore.h"

#include <sys/resource.h>

namespace {

using namespace backfill;
using namespace backfill::bench;

double cpuSeconds()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

} // namespace

int main(int argc, char** argv)
try {
    const PushFlags f(Flags(argc, argv), "backfill-apply-bench", BACKFILLD_BIN_DEFAULT);
    const auto& [work, bin, reps, batch, blocks, batchesPerBlock, products] = f;
    std::printf("sqlite %s, work dir %s; a block = %d pushes of %zu receive ops applied in process, %d bare batches\n",
                sqlite3_libversion(), work.c_str(), batchesPerBlock, batch, batchesPerBlock);

    std::vector<double> ratios, cpuRatios, applyUs, applyCpuUs, bareUs, bareCpuUs;
    std::vector<double> rowsRatios, rowsCpuRatios, rowsUs, rowsCpuUs;
    for (int r = 0; r < reps; ++r) {
        const fs::path dir = freshRepetition(f, r);
        const std::string db = (dir / "server.db").string();
        const std::string token = runBackfilld(bin, {"--db", db, "device", "add", "HH-1"}).substr(0, 64);
        fs::copy_file(db, dir / "rows.db"); // the second limit's database, before any op
        StoredRows stored((dir / "rows.db").string());

        auto store = server::SqliteServerStore::open(db);
        if (!store) throw std::runtime_error(store.error().message);
        server::Applier applier(**store);
        const auto hello = applier.hello(protocol::Hello{protocol::kProtocolVersion, "HH-1", 0, token});
        const auto* ack = std::get_if<protocol::HelloAck>(&hello);
        if (!ack) throw std::runtime_error("hello refused");
        const protocol::Auth auth = protocol::Session{ack->sessionId};
        BareBatches bare(dir / "bare.db");

        ReceiveOps ops, shadow;
        shadow.index = 1 << 20; // the limit's rows: the same shape, other op ids
        for (int b = 0; b < blocks; ++b) {
            std::vector<protocol::Push> pushes, limits;
            for (int i = 0; i < batchesPerBlock; ++i) {
                pushes.push_back(ops.push(auth, batch, products));
                limits.push_back(shadow.push(auth, batch, products));
            }
            const double ops = static_cast<double>(batch * pushes.size());
            double c0 = cpuSeconds();
            auto t0 = Clock::now();
            for (const auto& p : limits) bare.insert("HH-1", p);
            const double bareWall = secondsSince(t0), bareCpu = cpuSeconds() - c0;
            c0 = cpuSeconds();
            t0 = Clock::now();
            std::vector<protocol::PushAck> acks;
            for (const auto& p : pushes) {
                const auto reply = applier.push(p);
                const auto* a = std::get_if<protocol::PushAck>(&reply);
                if (!a || a->results.size() != p.ops.size()) throw std::runtime_error("push: not every op was answered");
                for (const auto& res : a->results)
                    if (res.status != protocol::OpStatus::Applied) throw std::runtime_error("push: " + res.code + ": " + res.message);
                acks.push_back(*a);
            }
            const double applyWall = secondsSince(t0), applyCpu = cpuSeconds() - c0;
            // The second limit: the rows the server stored for these very pushes.
            std::vector<std::vector<StoredOp>> rows;
            for (size_t i = 0; i < pushes.size(); ++i) rows.push_back(StoredRows::rowsOf(**store, "HH-1", pushes[i], acks[i]));
            c0 = cpuSeconds();
            t0 = Clock::now();
            for (const auto& batchRows : rows) stored.insert(batchRows);
            const double rowsWall = secondsSince(t0), rowsCpu = cpuSeconds() - c0;
            rowsRatios.push_back(rowsWall / applyWall);
            rowsCpuRatios.push_back(rowsCpu / applyCpu);
            rowsUs.push_back(rowsWall / ops * 1e6);
            rowsCpuUs.push_back(rowsCpu / ops * 1e6);
            ratios.push_back(bareWall / applyWall);
            cpuRatios.push_back(bareCpu / applyCpu);
            applyUs.push_back(applyWall / ops * 1e6);
            applyCpuUs.push_back(applyCpu / ops * 1e6);
            bareUs.push_back(bareWall / ops * 1e6);
            bareCpuUs.push_back(bareCpu / ops * 1e6);
        }
        std::printf("rep %d: apply %.1f us/op (CPU %.1f), bare %.1f us/row (CPU %.1f), ratio %.2f (CPU %.2f); "
                    "the same rows %.1f us/op (CPU %.1f), ratio %.2f (CPU %.2f)\n", r + 1,
                    median(std::vector<double>(applyUs.end() - blocks, applyUs.end())),
                    median(std::vector<double>(applyCpuUs.end() - blocks, applyCpuUs.end())),
                    median(std::vector<double>(bareUs.end() - blocks, bareUs.end())),
                    median(std::vector<double>(bareCpuUs.end() - blocks, bareCpuUs.end())),
                    median(std::vector<double>(ratios.end() - blocks, ratios.end())),
                    median(std::vector<double>(cpuRatios.end() - blocks, cpuRatios.end())),
                    median(std::vector<double>(rowsUs.end() - blocks, rowsUs.end())),
                    median(std::vector<double>(rowsCpuUs.end() - blocks, rowsCpuUs.end())),
                    median(std::vector<double>(rowsRatios.end() - blocks, rowsRatios.end())),
                    median(std::vector<double>(rowsCpuRatios.end() - blocks, rowsCpuRatios.end())));
        std::fflush(stdout);
    }
    std::printf("\n| measurement | wall per op (median) | CPU per op (median) | ratio, wall (median of blocks; p10-p90) | ratio, CPU |\n"
                "|---|---:|---:|---:|---:|\n");
    std::printf("| limit: bare SQLite, one transaction per batch of %zu rows | %.1f us | %.1f us | 1.00 | 1.00 |\n", batch,
                median(bareUs), median(bareCpuUs));
    std::printf("| limit: the rows the server stores for the same ops (4 per receive), bare, one transaction per batch | %.1f us | "
                "%.1f us | 1.00 | 1.00 |\n",
                median(rowsUs), median(rowsCpuUs));
    std::printf("| apply in process, against the rows it stores | | | **%.2f** (%.2f-%.2f) | %.2f |\n", median(rowsRatios),
                percentile(rowsRatios, 0.1), percentile(rowsRatios, 0.9), median(rowsCpuRatios));
    std::printf("| apply in process (Applier::push, no transport), batches of %zu | %.1f us | %.1f us | **%.2f** (%.2f-%.2f) | %.2f |\n",
                batch, median(applyUs), median(applyCpuUs), median(ratios), percentile(ratios, 0.1), percentile(ratios, 0.9),
                median(cpuRatios));
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_apply: %s\n", e.what());
    return 1;
}
