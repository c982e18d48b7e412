#pragma once
// Deterministic master data for the receive and import benchmarks (bench/README.md, ## Receive
// and ## Import): CSV text in the import formats of issue 2, so the data goes in through the
// same import path as a user's files.
//
// - catalog: `products` products SKU-000000..; each-level GTIN-13 for every product, a case
//   GTIN-14 (12 per case) for every third;
// - locations: DOCK-1 (receiving), 200 storage bins, 20 staging lanes;
// - backorders: `lines` waiting order lines over orders of 1-7 lines, 5,000 customers,
//   products uniform at random (about lines / products lines each), qty 1-20, priority mostly
//   0, ordered over 90 days, 40 % with a promised date;
// - inbound: `inbound` loose purchase order lines (no SSCC), on distinct products;
// - scans: each-level GTINs of random products (1 unit each, allocated to the product's
//   waiting lines).

#include "ledger/CheckDigit.h"

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace backfill::bench {

struct BenchDataSize {
    int64_t products = 100'000;
    int64_t lines = 1'000'000;
    int64_t inbound() const { return products / 5; } // on distinct products
};

// benchSizeFrom reads --products and --lines (any flags type with number(name, fallback)).
template <class Flags>
BenchDataSize benchSizeFrom(const Flags& flags)
{
    BenchDataSize size;
    size.products = flags.number("--products", size.products);
    size.lines = flags.number("--lines", size.lines);
    return size;
}

inline std::string benchSku(int64_t product)
{
    char sku[24];
    std::snprintf(sku, sizeof sku, "SKU-%06lld", static_cast<long long>(product));
    return sku;
}

// benchGtin is product's each-level GTIN-13: "40" + 10 digits + check digit.
inline std::string benchGtin(int64_t product)
{
    char data[32];
    std::snprintf(data, sizeof data, "40%010lld", static_cast<long long>(product % 10'000'000'000));
    return std::string(data) + static_cast<char>('0' + ledger::gs1CheckDigit(data));
}

inline std::string benchCatalogCsv(const BenchDataSize& size)
{
    std::string out = "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\n";
    out.reserve(static_cast<size_t>(size.products) * 90);
    for (int64_t p = 0; p < size.products; ++p) {
        const std::string gtin = benchGtin(p);
        out += benchSku(p) + ",Bench item " + std::to_string(p) + "," + gtin + ",";
        if (p % 3 == 0) {
            std::string caseData = "1"; // (GCC 12 warns falsely about "1" + std::string)
            caseData += gtin.substr(0, 12);
            out += caseData + static_cast<char>('0' + ledger::gs1CheckDigit(caseData)) + ",12";
        } else {
            out += ",";
        }
        out += ',';
        out += std::to_string(p % 50);
        out += ',';
        out += std::to_string(1 + p % 21);
        out += '\n';
    }
    return out;
}

inline std::string benchLocationsCsv()
{
    std::string out = "code,kind,sequence\nDOCK-1,receiving,1\n";
    char code[32];
    for (int i = 0; i < 200; ++i) {
        std::snprintf(code, sizeof code, "B-%02d-%02d", i / 20, i % 20);
        out += std::string(code) + ",storage," + std::to_string(100 + i) + "\n";
    }
    for (int i = 1; i <= 20; ++i) out += "OUT-" + std::to_string(i) + ",staging," + std::to_string(1000 + i) + "\n";
    return out;
}

inline std::string benchBackordersCsv(const BenchDataSize& size)
{
    std::mt19937_64 rng(20261128);
    std::uniform_int_distribution<int64_t> product(0, size.products - 1), qty(1, 20), customer(0, 4999);
    std::uniform_int_distribution<int> linesPerOrder(1, 7), percent(0, 99), day(0, 89);
    std::string out = "order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n";
    out.reserve(static_cast<size_t>(size.lines) * 90);
    char date[16];
    auto dateText = [&](int d) {
        // 2026-08-01 + d days, d < 153 (August to December)
        static constexpr int kMonthDays[] = {31, 30, 31, 30, 31};
        int month = 0;
        while (d >= kMonthDays[month]) d -= kMonthDays[month++];
        std::snprintf(date, sizeof date, "2026-%02d-%02d", 8 + month, d + 1);
        return std::string(date);
    };
    int64_t written = 0, order = 0;
    while (written < size.lines) {
        const int n = linesPerOrder(rng);
        const int64_t c = customer(rng);
        const std::string head = "SO-" + std::to_string(1'000'000 + order++) + ",";
        const std::string who = ",Customer " + std::to_string(c) + ",buyer" + std::to_string(c) + "@example.com,";
        const int ordered = day(rng);
        for (int line = 1; line <= n && written < size.lines; ++line, ++written) {
            const int roll = percent(rng);
            const std::string priority = roll < 80 ? "0" : roll < 95 ? "1" : "3";
            out += head + std::to_string(line) + who + benchSku(product(rng)) + "," + std::to_string(qty(rng)) + "," +
                   priority + "," + dateText(ordered) + "," + (percent(rng) < 40 ? dateText(ordered + 14 + day(rng) / 3) : "") +
                   "\n";
        }
    }
    return out;
}

inline std::string benchInboundCsv(const BenchDataSize& size)
{
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int64_t> qty(1, 48);
    std::uniform_int_distribution<int> day(1, 28);
    std::string out = "inbound_id,supplier,sku,qty,eta,sscc\n";
    // Product i * 7919 mod products: distinct for inbound < products (7919 is prime), so no
    // (inbound_id, sku) key repeats.
    for (int64_t i = 0; i < size.inbound(); ++i) {
        char eta[16];
        std::snprintf(eta, sizeof eta, "2026-12-%02d", day(rng));
        out += "PO-" + std::to_string(40000 + i / 25) + ",Supplier " + std::to_string(i % 37) + "," +
               benchSku(i * 7919 % size.products) + "," + std::to_string(qty(rng)) + "," + eta + ",\n";
    }
    return out;
}

// benchScans draws `count` each-level GTIN scans of random products, repeatable by `seed`.
inline std::vector<std::string> benchScans(const BenchDataSize& size, size_t count, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> product(0, size.products - 1);
    std::vector<std::string> scans;
    scans.reserve(count);
    for (size_t i = 0; i < count; ++i) scans.push_back(benchGtin(product(rng)));
    return scans;
}

} // namespace backfill::bench
