// bench_data OUTDIR [--products 100000] [--lines 1000000]: writes the benchmarks' master data
// (BenchData.h) as catalog.csv, locations.csv, inbound.csv and backorders.csv, and 20,000
// sample scans as scans.txt, for `backfill import` and `backfill receive -` by hand.

#include "BenchData.h"
#include "BenchUtil.h"

#include <fstream>

using namespace backfill::bench;

int main(int argc, char** argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        std::fprintf(stderr, "usage: bench_data OUTDIR [--products N] [--lines N]\n");
        return 3;
    }
    const Flags flags(argc - 1, argv + 1);
    const BenchDataSize size = benchSizeFrom(flags);
    const fs::path out = argv[1];
    fs::create_directories(out);
    std::string scans;
    for (const auto& s : benchScans(size, 20000, 1)) scans += s + "\n";
    const std::pair<const char*, std::string> files[] = {{"catalog.csv", benchCatalogCsv(size)},
                                                         {"locations.csv", benchLocationsCsv()},
                                                         {"inbound.csv", benchInboundCsv(size)},
                                                         {"backorders.csv", benchBackordersCsv(size)},
                                                         {"scans.txt", scans}};
    for (const auto& [name, text] : files) {
        std::ofstream f(out / name, std::ios::binary);
        f << text;
        if (!f) {
            std::fprintf(stderr, "bench_data: cannot write %s\n", (out / name).c_str());
            return 3;
        }
    }
    return 0;
}
