// The back-office commands of the real backfilld binary (BACKFILLD_BIN), once each: the
// process boundary (arguments, exit status, stdout JSON/CSV, stderr error lines, files
// written) on a real database. The figures are the rules' (tests/ledger/replenishment_test,
// tests/server/backoffice_test); here they are checked exactly once more through the CLI.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

struct Run {
    int status = -1;
    std::string out;
    std::string err;
};

std::string slurp(const fs::path& p)
{
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

struct Cli {
    fs::path dir;
    std::string bin;

    Cli()
    {
        const char* b = std::getenv("BACKFILLD_BIN");
        REQUIRE_MESSAGE(b != nullptr, "BACKFILLD_BIN is not set (run through ctest)");
        bin = b;
        dir = fs::temp_directory_path() / ("backfilld_office_cli_" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~Cli() { fs::remove_all(dir); }

    // run runs `backfilld --db DIR/server.db --today 2026-12-01 ARGS` in DIR.
    Run run(const std::string& args)
    {
        const fs::path err = dir / "stderr.txt";
        const std::string cmd = "cd '" + dir.string() + "' && '" + bin + "' --db server.db --today 2026-12-01 " + args + " 2>'" +
                                err.string() + "'";
        FILE* p = ::popen(cmd.c_str(), "r");
        REQUIRE(p);
        Run r;
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
        const int st = ::pclose(p);
        r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        r.err = slurp(err);
        return r;
    }
};

} // namespace

TEST_CASE("backfilld import suppliers, promo, replenish, report, export")
{
    Cli cli;
    write(cli.dir / "catalog.csv", "sku,description,safety_stock,lead_time_days\nSKU-A,Widget,5,30\nSKU-B,Gadget,0,4\n");
    write(cli.dir / "bad.csv", "sku,supplier,lead_time_days,min_order_qty,unit_cost\nSKU-A,Acme,10,12,2.50\nSKU-X,Acme,1,1,1\n");
    write(cli.dir / "suppliers.csv",
          "sku,supplier,lead_time_days,min_order_qty,unit_cost\nSKU-A,Slow,14,5,1.00\nSKU-A,\"Acme, Inc.\",10,12,2.50\n");
    write(cli.dir / "backorders.csv", "order_id,line,customer,sku,qty,ordered_at\n"
                                      "SO-1,1,Ann,SKU-A,30,2026-11-10\nSO-2,1,Bob,SKU-A,12,2026-11-30T12:00Z\n"
                                      "SO-3,1,Cy,SKU-B,3,2026-11-05\nSO-4,1,Dan,SKU-B,1,2026-10-01\n");

    REQUIRE(cli.run("import catalog catalog.csv").out == "{\"imported\":2}\n");
    // A row naming an unknown product: named by line and field, exit 2, nothing imported.
    auto bad = cli.run("import suppliers bad.csv");
    CHECK(bad.status == 2);
    CHECK(bad.out.empty());
    CHECK(bad.err == "{\"code\":\"unknown_sku\",\"error\":\"bad.csv:3: column sku: unknown sku 'SKU-X'\"}\n");
    CHECK(cli.run("import suppliers suppliers.csv").out == "{\"imported\":2}\n");
    CHECK(cli.run("import backorders backorders.csv").out == "{\"imported\":4}\n");

    auto refused = cli.run("promo add SKU-A --factor 0 --until 2026-12-01");
    CHECK(refused.status == 1);
    CHECK(refused.err == "{\"code\":\"bad_factor\",\"error\":\"--factor '0': a factor must be more than 0\"}\n");
    CHECK(cli.run("promo add SKU-A --factor 1.5 --until 2026-12-01").out ==
          "{\"id\":1,\"sku\":\"SKU-A\",\"factor\":\"1.50\",\"until\":\"2026-12-01\",\"active\":true}\n");
    CHECK(cli.run("promo list").out == "[{\"id\":1,\"sku\":\"SKU-A\",\"factor\":\"1.50\",\"until\":\"2026-12-01\",\"active\":true}]\n");

    // SKU-A: nothing on hand, 42 waiting: P = -42; D = 42/28 = 1.5, U = 1.5, L = 10 (Acme):
    // ROP = ceil(5 + 22.5) = 28; suggested = max(12, 28 + ceil(15.75) + 42) = 86.
    // SKU-B: P = -4; D = 3/28 (SO-4 is before the window); no supplier, L = 4: ROP = 1;
    // suggested = max(0, 1 + 1 + 4) = 6.
    auto json = cli.run("replenish");
    CHECK(json.status == 0);
    CHECK(json.out ==
          "[{\"sku\":\"SKU-A\",\"on_hand\":0,\"inbound\":0,\"allocated\":0,\"waiting\":42,\"projected\":-42,\"daily_demand\":\"1.50\","
          "\"reorder_point\":28,\"suggested_qty\":86,\"supplier\":\"Acme, Inc.\",\"lead_time_days\":10},"
          "{\"sku\":\"SKU-B\",\"on_hand\":0,\"inbound\":0,\"allocated\":0,\"waiting\":4,\"projected\":-4,\"daily_demand\":\"0.11\","
          "\"reorder_point\":1,\"suggested_qty\":6,\"supplier\":null,\"lead_time_days\":4}]\n");
    auto csv = cli.run("replenish --format csv --out purchases --review-days 14");
    CHECK(csv.status == 0);
    CHECK(csv.out == "{\"files\":[{\"supplier\":\"Acme, Inc.\",\"file\":\"purchases/purchase-Acme__Inc..csv\",\"lines\":1},"
                     "{\"supplier\":null,\"file\":\"purchases/no-supplier.csv\",\"lines\":1}]}\n");
    // Review 14 days: SKU-A cover ceil(1.5 x 1.5 x 14 = 31.5) = 32: 28 + 32 + 42 = 102, 102 x 2.50 = 255.00.
    CHECK(slurp(cli.dir / "purchases" / "purchase-Acme__Inc..csv") ==
          "sku,supplier,qty,unit_cost,line_total,lead_time_days,min_order_qty,projected,reorder_point,daily_demand\n"
          "SKU-A,\"Acme, Inc.\",102,2.50,255.00,10,12,-42,28,1.50\n");
    CHECK(slurp(cli.dir / "purchases" / "no-supplier.csv") ==
          "sku,supplier,qty,unit_cost,line_total,lead_time_days,min_order_qty,projected,reorder_point,daily_demand\n"
          "SKU-B,,7,,,4,0,-4,1,0.11\n");
    auto usage = cli.run("replenish --format csv");
    CHECK(usage.status == 3);
    CHECK(usage.err == "{\"code\":\"bad_usage\",\"error\":\"--format csv writes files: give --out DIR\"}\n");

    // Aged on 12-01: SO-1 21 days, SO-2 1, SO-3 26, SO-4 61.
    auto aging = cli.run("report backorders --format csv");
    CHECK(aging.status == 0);
    CHECK(aging.out.rfind("group,key,bucket,lines,units\ncustomer,Ann,0-7,0,0\ncustomer,Ann,8-14,0,0\ncustomer,Ann,15-30,1,30\n", 0) == 0);
    CHECK(aging.out.find("product,SKU-B,>30,1,1\n") != std::string::npos);
    const Json agingJson = Json::parse(cli.run("report backorders").out);
    CHECK(agingJson["by_product"][0]["units"].dump() == R"({"0-7":12,"8-14":0,"15-30":30,">30":0})");
    CHECK(cli.run("report velocity").out == "[]\n");
    CHECK(cli.run("report fill-rate --format csv").out ==
          "day,lines_from_stock,lines_from_inbound,units_from_stock,units_from_inbound,stock_share\n");
    CHECK(cli.run("report counts").out == "[]\n");

    // No receipt yet: no record, the cursor stays.
    CHECK(cli.run("export receipts --since 0").out == "{\"next_cursor\":0,\"records\":0}\n");
    auto kind = cli.run("export bogus");
    CHECK(kind.status == 3);
    CHECK(kind.err.find("\"code\":\"bad_usage\"") != std::string::npos);
}
