// Allocation of a receipt against 1M waiting lines of 100k products: the time of one
// allocate() call for the waiting lines of the received product, how it grows with the number
// of lines of that product, and the limit measured in the same run (a full sort of the same
// span, and a plain copy of it). After the runs a table prints the medians and the ratios.
//
// Dataset: 1,000,000 waiting lines. Five products have 100000, 10000, 1000, 100 and 10 lines;
// the other 99,995 products share the remaining 888,890 lines (8 or 9 each). A product's lines
// are contiguous, as a store hands them out. Priorities 0..3 (mostly 0), 40 % with a promised
// date, order and promised dates at day resolution over 90 days, so ties go down to the order
// id; remainders 1..20 units.

#include "ledger/Allocation.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

using namespace backfill::ledger;

namespace {

constexpr size_t kLines = 1'000'000;
constexpr size_t kProducts = 100'000;
constexpr int64_t kSizedProducts[] = {100'000, 10'000, 1'000, 100, 10};
constexpr Qty kPallet = 48; // a receipt of one pallet of 48 units
constexpr Timestamp kDay = 86400;
constexpr Timestamp kSep1 = 1788220800; // 2026-09-01T00:00:00Z

struct Dataset {
    std::vector<WaitingLine> lines;
    std::vector<size_t> begin; // product p owns lines[begin[p], begin[p + 1])

    std::span<const WaitingLine> product(size_t p) const { return {lines.data() + begin[p], begin[p + 1] - begin[p]}; }
};

Dataset makeDataset()
{
    Dataset d;
    std::mt19937_64 rng(20261128);
    std::uniform_int_distribution<int> percent(0, 99);
    std::uniform_int_distribution<int> day(0, 89);
    std::uniform_int_distribution<int> orderNo(0, 9'999'999);
    std::uniform_int_distribution<Qty> qty(1, 20);

    std::vector<size_t> counts;
    for (int64_t n : kSizedProducts) counts.push_back(static_cast<size_t>(n));
    const size_t rest = kProducts - counts.size();
    const size_t restLines = kLines - std::accumulate(counts.begin(), counts.end(), size_t{0});
    for (size_t p = 0; p < rest; ++p) counts.push_back(restLines / rest + (p < restLines % rest ? 1 : 0));

    d.lines.reserve(kLines);
    d.begin.push_back(0);
    for (size_t n : counts) {
        for (size_t i = 0; i < n; ++i) {
            WaitingLine w;
            w.orderId = "SO-" + std::to_string(orderNo(rng));
            w.line = 1 + static_cast<int64_t>(i % 7);
            const int pr = percent(rng);
            w.priority = pr < 70 ? 0 : pr < 90 ? 1 : pr < 97 ? 2 : 3;
            w.orderedAt = kSep1 + day(rng) * kDay;
            if (percent(rng) < 40) w.promisedAt = w.orderedAt + (7 + day(rng) % 30) * kDay;
            w.remaining = qty(rng);
            d.lines.push_back(std::move(w));
        }
        d.begin.push_back(d.lines.size());
    }
    return d;
}

const Dataset& dataset()
{
    static const Dataset d = makeDataset();
    return d;
}

// sizedProduct finds the product with exactly n waiting lines.
std::span<const WaitingLine> sizedProduct(int64_t n)
{
    for (size_t p = 0; p < std::size(kSizedProducts); ++p)
        if (kSizedProducts[p] == n) return dataset().product(p);
    return {};
}

Qty demandOf(std::span<const WaitingLine> lines)
{
    Qty s = 0;
    for (const auto& w : lines) s += w.remaining;
    return s;
}

// A receipt of one pallet: covers a handful of the product's lines.
void BM_AllocatePallet(benchmark::State& state)
{
    const auto lines = sizedProduct(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(allocate(kPallet, lines));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

// A receipt that fills every waiting line: the whole span comes out in order.
void BM_AllocateAllDemand(benchmark::State& state)
{
    const auto lines = sizedProduct(state.range(0));
    const Qty all = demandOf(lines);
    for (auto _ : state) benchmark::DoNotOptimize(allocate(all, lines));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

// A receipt for half the demand: half the lines come out in order (the heapify path).
void BM_AllocateHalfDemand(benchmark::State& state)
{
    const auto lines = sizedProduct(state.range(0));
    const Qty half = demandOf(lines) / 2;
    for (auto _ : state) benchmark::DoNotOptimize(allocate(half, lines));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The limit of a sort-based rule: index the span and sort it by allocatesBefore (what a
// "full sort + greedy" allocate() pays before it hands out a single unit).
void BM_SortBaseline(benchmark::State& state)
{
    const auto lines = sizedProduct(state.range(0));
    for (auto _ : state) {
        std::vector<size_t> order(lines.size());
        std::iota(order.begin(), order.end(), size_t{0});
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return allocatesBefore(lines[a], lines[b]); });
        benchmark::DoNotOptimize(order.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The floor of any rule that reads every line: one copy of the span.
void BM_CopyBaseline(benchmark::State& state)
{
    const auto lines = sizedProduct(state.range(0));
    for (auto _ : state) {
        std::vector<WaitingLine> copy(lines.begin(), lines.end());
        benchmark::DoNotOptimize(copy.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

// Receipts for typical products (8-9 waiting lines), drawn at random among the 99,995 of
// them, so caches see the spread of the whole 1M-line dataset.
void BM_AllocateTypicalProduct(benchmark::State& state)
{
    const Dataset& d = dataset();
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<size_t> pick(std::size(kSizedProducts), kProducts - 1);
    std::vector<size_t> products(1 << 16);
    for (auto& p : products) p = pick(rng);
    size_t next = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(allocate(kPallet, d.product(products[next])));
        next = (next + 1) & (products.size() - 1);
    }
}

void sizes(benchmark::internal::Benchmark* b)
{
    b->ArgName("lines");
    for (int64_t n : {10, 100, 1'000, 10'000, 100'000}) b->Arg(n);
}

BENCHMARK(BM_AllocatePallet)->Apply(sizes);
BENCHMARK(BM_AllocateHalfDemand)->Apply(sizes);
BENCHMARK(BM_AllocateAllDemand)->Apply(sizes);
BENCHMARK(BM_SortBaseline)->Apply(sizes);
BENCHMARK(BM_CopyBaseline)->Apply(sizes);
BENCHMARK(BM_AllocateTypicalProduct);

// MedianTable prints what the console reporter prints and keeps each benchmark's median (or
// its only run without repetitions), to print the ratios to the baselines at the end.
class MedianTable : public benchmark::ConsoleReporter {
public:
    // A custom reporter does not see --benchmark_color: colour only on a terminal.
    MedianTable() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

    void ReportRuns(const std::vector<Run>& runs) override
    {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& r : runs) {
            const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
            const bool single = r.run_type == Run::RT_Iteration && r.repetitions <= 1;
            if (!r.error_occurred && (median || single))
                m_ns[r.run_name.function_name + "/" + r.run_name.args] = r.GetAdjustedCPUTime() * toNs(r.time_unit);
        }
    }

    void printTable() const
    {
        std::printf("\nMedians (CPU time, ns per call) and ratios to the baselines of the same run\n");
        std::printf("%8s %12s %12s %12s %12s %12s %12s %11s %11s %12s\n", "lines", "pallet(48)", "half", "all", "sort", "copy",
                    "pallet/sort", "half/sort", "all/sort", "pallet/copy");
        for (auto it = std::rbegin(kSizedProducts); it != std::rend(kSizedProducts); ++it) {
            const std::string arg = "/lines:" + std::to_string(*it);
            const double pallet = get("BM_AllocatePallet" + arg), half = get("BM_AllocateHalfDemand" + arg);
            const double all = get("BM_AllocateAllDemand" + arg);
            const double sort = get("BM_SortBaseline" + arg), copy = get("BM_CopyBaseline" + arg);
            if (pallet < 0 || half < 0 || all < 0 || sort < 0 || copy < 0) continue;
            std::printf("%8lld %12.0f %12.0f %12.0f %12.0f %12.0f %12.3f %11.3f %11.3f %12.3f\n", static_cast<long long>(*it), pallet,
                        half, all, sort, copy, pallet / sort, half / sort, all / sort, pallet / copy);
        }
        if (const double typical = get("BM_AllocateTypicalProduct/"); typical >= 0)
            std::printf("typical product (8-9 lines, random among 99,995): %.0f ns per call\n", typical);
    }

private:
    static double toNs(benchmark::TimeUnit unit)
    {
        switch (unit) {
        case benchmark::kNanosecond: return 1;
        case benchmark::kMicrosecond: return 1e3;
        case benchmark::kMillisecond: return 1e6;
        case benchmark::kSecond: return 1e9;
        }
        return 1;
    }
    double get(const std::string& name) const
    {
        const auto it = m_ns.find(name);
        return it == m_ns.end() ? -1 : it->second;
    }

    std::map<std::string, double> m_ns;
};

} // namespace

int main(int argc, char** argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    (void)dataset(); // build the 1M lines before the first timing
    MedianTable table;
    benchmark::RunSpecifiedBenchmarks(&table);
    table.printTable();
    benchmark::Shutdown();
    return 0;
}
