#include "server/BackofficeCommands.h"

#include "server/CommandSupport.h"

#include "ledger/Date.h"
#include "ledger/MasterDataCsv.h"
#include "server/Exports.h"
#include "server/Replenish.h"
#include "server/Reports.h"
#include "server/SqliteServerStore.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

namespace backfill::server {

namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

std::string csvField(const std::string& s)
{
    const bool quote = s.find_first_of(",\"\r\n") != std::string::npos || (!s.empty() && (s.front() == ' ' || s.back() == ' '));
    if (!quote) return s;
    std::string out = "\"";
    for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string csvRow(std::initializer_list<std::string> fields)
{
    std::string out;
    for (const auto& f : fields) out += (out.empty() ? "" : ",") + csvField(f);
    return out + "\n";
}

std::string str(int64_t v) { return std::to_string(v); }
std::string str(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : std::string(); }
Json json(const std::optional<int64_t>& v) { return v ? Json(*v) : Json(); }

// ---------------------------------------------------------------------------------------
// import suppliers

void importSuppliersFile(const Command& c, const std::string& file)
{
    std::ifstream in(file, std::ios::binary);
    std::error_code ec;
    if (!in || fs::is_directory(file, ec)) return c.failure("unreadable_file", file + ": cannot open the file for reading");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return c.failure("unreadable_file", file + ": read error");
    const auto rows = ledger::parseSuppliersCsv(text.str());
    for (const auto& w : rows.warnings) printError(w.code, w.format(file));
    auto refuse = [&](const std::vector<ledger::ImportIssue>& errors, bool truncated) {
        printImportErrors(file, errors, truncated);
        *c.ctx.exitCode = kExitBadInput;
    };
    if (!rows.errors.empty()) return refuse(rows.errors, rows.truncated);
    auto store = c.open();
    if (!store) return;
    auto report = importSuppliers(*store, rows);
    if (!report) return c.fail(report.error());
    if (!report->errors.empty()) return refuse(report->errors, report->errors.size() >= ledger::kMaxImportErrors);
    printLine(Json{{"imported", report->imported}}.dump());
}

// ---------------------------------------------------------------------------------------
// promo

Json promotionJson(const ledger::Promotion& p, ledger::Date today)
{
    return {{"id", p.id}, {"sku", p.sku}, {"factor", ledger::formatDecimal(p.factor)}, {"until", ledger::formatDate(p.until)},
            {"active", ledger::promotionActive(p, today)}};
}

void registerPromo(CLI::App& app, const Command& c)
{
    auto* promo = app.add_subcommand("promo", "promotions that raise a product's demand: add, list");
    promo->require_subcommand(1);
    struct Args {
        std::string sku, factor, until;
    };
    auto args = std::make_shared<Args>();
    auto* add = promo->add_subcommand("add", R"(add a promotion; prints {"id","sku","factor","until","active"})");
    add->add_option("SKU", args->sku, "the product")->required();
    add->add_option("--factor", args->factor, "demand uplift while active, a decimal > 0 (1.5 = +50 %)")->required();
    add->add_option("--until", args->until, "last day it is active, YYYY-MM-DD (inclusive)")->required()->check([](const std::string& t) {
        return ledger::parseDate(t) ? std::string() : "'" + t + "' is not a date YYYY-MM-DD";
    });
    add->callback([c, args] {
        auto store = c.open();
        if (!store) return;
        auto p = addPromotion(*store, args->sku, args->factor, *ledger::parseDate(args->until));
        if (!p) return c.fail(p.error());
        printLine(promotionJson(*p, c.today()).dump());
    });
    auto* list = promo->add_subcommand("list", R"(print every promotion: [{"id","sku","factor","until","active"}] by sku, id)");
    list->callback([c] {
        auto store = c.open();
        if (!store) return;
        auto rows = store->promotions();
        if (!rows) return c.fail(rows.error());
        Json out = Json::array();
        for (const auto& p : *rows) out.push_back(promotionJson(p, c.today()));
        printLine(out.dump());
    });
}

// ---------------------------------------------------------------------------------------
// replenish

struct ReplenishArgs {
    std::string format = "json";
    std::string out;
    int32_t window = 28;
    int32_t review = 7;
    bool all = false;
};

Json replenishmentJson(const ledger::Replenishment& r)
{
    return {{"sku", r.sku},
            {"on_hand", r.onHand},
            {"inbound", r.inbound},
            {"allocated", r.allocated},
            {"waiting", r.waiting},
            {"projected", r.projected},
            {"daily_demand", ledger::formatDailyDemand(r.demandUnits, r.windowDays)},
            {"reorder_point", r.reorderPoint},
            {"suggested_qty", r.suggestedQty},
            {"supplier", r.supplier ? Json(*r.supplier) : Json()},
            {"lead_time_days", r.leadTimeDays}};
}

// fileNameFor gives a supplier's purchase file: purchase-NAME.csv with every byte outside
// A-Z a-z 0-9 . _ - written as '_' (a second supplier with the same spelling gets -2, -3...).
std::string fileNameFor(const std::string& supplier, std::set<std::string>& taken)
{
    std::string base = "purchase-";
    for (const char ch : supplier) {
        const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        base += ok ? ch : '_';
    }
    std::string name = base + ".csv";
    for (int n = 2; !taken.insert(name).second; ++n) name = base + "-" + std::to_string(n) + ".csv";
    return name;
}

std::string lineTotal(ledger::Qty qty, ledger::Decimal cost)
{
    const __int128 total = static_cast<__int128>(qty) * cost.scaled;
    if (total > std::numeric_limits<int64_t>::max()) return "overflow";
    return ledger::formatDecimal({static_cast<int64_t>(total)});
}

void writePurchaseFiles(const Command& c, const ReplenishArgs& a, const std::vector<ledger::Replenishment>& rows)
{
    std::error_code ec;
    fs::create_directories(a.out, ec);
    if (ec || !fs::is_directory(a.out, ec))
        return c.failure("unwritable_dir", a.out + ": cannot create the directory: " + ec.message());
    // Suppliers in name order; products without a supplier in no-supplier.csv.
    std::map<std::string, std::vector<const ledger::Replenishment*>> bySupplier;
    std::vector<const ledger::Replenishment*> none;
    for (const auto& r : rows)
        if (r.reorder) (r.supplier ? bySupplier[*r.supplier] : none).push_back(&r);
    std::set<std::string> taken{"no-supplier.csv"};
    Json files = Json::array();
    auto write = [&](const std::optional<std::string>& supplier, const std::string& name,
                     const std::vector<const ledger::Replenishment*>& lines) -> bool {
        const fs::path path = fs::path(a.out) / name;
        std::string text = csvRow({"sku", "supplier", "qty", "unit_cost", "line_total", "lead_time_days", "min_order_qty",
                                   "projected", "reorder_point", "daily_demand"});
        for (const auto* r : lines)
            text += csvRow({r->sku, supplier.value_or(""), str(r->suggestedQty), supplier ? ledger::formatDecimal(r->unitCost) : "",
                            supplier ? lineTotal(r->suggestedQty, r->unitCost) : "", str(r->leadTimeDays),
                            str(r->minOrderQty), str(r->projected), str(r->reorderPoint),
                            ledger::formatDailyDemand(r->demandUnits, r->windowDays)});
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f << text;
        f.close();
        if (!f) {
            c.failure("unwritable_file", path.string() + ": cannot write the file");
            return false;
        }
        files.push_back({{"supplier", supplier ? Json(*supplier) : Json()}, {"file", path.string()},
                         {"lines", static_cast<int64_t>(lines.size())}});
        return true;
    };
    for (const auto& [supplier, lines] : bySupplier)
        if (!write(supplier, fileNameFor(supplier, taken), lines)) return;
    if (!none.empty() && !write(std::nullopt, "no-supplier.csv", none)) return;
    printLine(Json{{"files", files}}.dump());
}

void registerReplenish(CLI::App& app, const Command& c)
{
    auto a = std::make_shared<ReplenishArgs>();
    auto* cmd = app.add_subcommand("replenish", "products at or below their reorder point, with suggested quantities (docs/backoffice.md)");
    cmd->add_option("--format", a->format, "json (stdout, default) or csv (one purchase file per supplier in --out)")
        ->check(CLI::IsMember({"json", "csv"}));
    cmd->add_option("--out", a->out, "directory for the csv purchase files");
    cmd->add_option("--window", a->window, "days of order lines averaged into daily demand (default 28)")->check(CLI::Range(1, 3650));
    cmd->add_option("--review-days", a->review, "days of demand a suggestion covers above the reorder point (default 7)")
        ->check(CLI::Range(0, 3650));
    cmd->add_flag("--all", a->all, "json: every product, also those above their reorder point (suggested_qty 0)");
    cmd->callback([c, a] {
        if (a->format == "csv" && a->out.empty()) return c.failure("bad_usage", "--format csv writes files: give --out DIR");
        if (a->format == "json" && !a->out.empty()) return c.failure("bad_usage", "--out goes with --format csv");
        auto store = c.open();
        if (!store) return;
        auto rows = replenishment(*store, c.today(), {a->window, a->review});
        if (!rows) return c.fail(rows.error());
        if (a->format == "csv") return writePurchaseFiles(c, *a, *rows);
        Json out = Json::array();
        for (const auto& r : *rows)
            if (r.reorder || a->all) out.push_back(replenishmentJson(r));
        printLine(out.dump());
    });
}

// ---------------------------------------------------------------------------------------
// report

void registerReport(CLI::App& app, const Command& c)
{
    auto* report = app.add_subcommand("report", "reports: backorders, fill-rate, velocity, counts (JSON or CSV on stdout)");
    report->require_subcommand(1);
    struct Args {
        std::string format = "json";
        int32_t window = 28;
    };
    auto a = std::make_shared<Args>();
    auto add = [&](const char* name, const char* help, bool windowed) {
        auto* sub = report->add_subcommand(name, help);
        sub->add_option("--format", a->format, "json (default) or csv")->check(CLI::IsMember({"json", "csv"}));
        if (windowed) sub->add_option("--window", a->window, "days before --today to report (default 28)")->check(CLI::Range(1, 3650));
        return sub;
    };
    auto window = [c, a] {
        const ledger::Date to = c.today();
        return std::pair{ledger::Date{to.days - a->window}, to};
    };

    add("backorders", "waiting lines aged 0-7, 8-14, 15-30, >30 days, by customer and by product", false)->callback([c, a] {
        auto store = c.open();
        if (!store) return;
        auto r = backorderAgingReport(*store, c.today());
        if (!r) return c.fail(r.error());
        if (a->format == "csv") {
            std::string text = csvRow({"group", "key", "bucket", "lines", "units"});
            for (const auto& [group, rows] : {std::pair{"customer", &r->byCustomer}, std::pair{"product", &r->byProduct}})
                for (const auto& row : *rows)
                    for (size_t b = 0; b < ledger::kAgingBuckets.size(); ++b)
                        text += csvRow({group, row.key, std::string(ledger::kAgingBuckets[b]), str(row.lines[b]), str(row.units[b])});
            return printText(text);
        }
        auto rowsJson = [](const std::vector<ledger::AgingRow>& rows, const char* keyName) {
            Json out = Json::array();
            for (const auto& row : rows) {
                Json lines = Json::object(), units = Json::object();
                for (size_t b = 0; b < ledger::kAgingBuckets.size(); ++b) {
                    lines[std::string(ledger::kAgingBuckets[b])] = row.lines[b];
                    units[std::string(ledger::kAgingBuckets[b])] = row.units[b];
                }
                out.push_back({{keyName, row.key}, {"lines", lines}, {"units", units}});
            }
            return out;
        };
        printLine(Json{{"today", ledger::formatDate(c.today())},
                       {"by_customer", rowsJson(r->byCustomer, "customer")},
                       {"by_product", rowsJson(r->byProduct, "sku")}}
                      .dump());
    });

    add("fill-rate", "units and lines allocated per day from stock vs from inbound, over --window days before --today", true)
        ->callback([c, a, window] {
            auto store = c.open();
            if (!store) return;
            const auto [from, to] = window();
            auto r = fillRateReport(*store, from, to);
            if (!r) return c.fail(r.error());
            std::string text = csvRow({"day", "lines_from_stock", "lines_from_inbound", "units_from_stock", "units_from_inbound", "stock_share"});
            Json out = Json::array();
            for (const auto& d : *r) {
                const std::string share = ledger::formatRatio(d.unitsFromStock, d.unitsFromStock + d.unitsFromInbound);
                text += csvRow({ledger::formatDate(d.day), str(d.linesFromStock), str(d.linesFromInbound), str(d.unitsFromStock),
                                str(d.unitsFromInbound), share});
                out.push_back({{"day", ledger::formatDate(d.day)}, {"lines_from_stock", d.linesFromStock},
                               {"lines_from_inbound", d.linesFromInbound}, {"units_from_stock", d.unitsFromStock},
                               {"units_from_inbound", d.unitsFromInbound}, {"stock_share", share}});
            }
            a->format == "csv" ? printText(text) : printLine(out.dump());
        });

    add("velocity", "units picked per product over --window days before --today, fastest first", true)->callback([c, a, window] {
        auto store = c.open();
        if (!store) return;
        const auto [from, to] = window();
        auto r = velocityReport(*store, from, to);
        if (!r) return c.fail(r.error());
        std::string text = csvRow({"rank", "sku", "units", "picks"});
        Json out = Json::array();
        for (const auto& v : *r) {
            text += csvRow({str(v.rank), v.sku, str(v.units), str(v.picks)});
            out.push_back({{"rank", v.rank}, {"sku", v.sku}, {"units", v.units}, {"picks", v.picks}});
        }
        a->format == "csv" ? printText(text) : printLine(out.dump());
    });

    add("counts", "every count, approval and rejection with its variance and reason, in log order", false)->callback([c, a] {
        auto store = c.open();
        if (!store) return;
        auto r = countsReport(*store);
        if (!r) return c.fail(r.error());
        std::string text = csvRow({"seq", "at", "kind", "count_id", "state", "device", "sku", "location", "lot", "counted",
                                   "variance", "adjusted", "reason", "note"});
        Json out = Json::array();
        for (const auto& k : *r) {
            const std::string at = k.at ? ledger::formatTimestamp(*k.at) : std::string();
            text += csvRow({str(k.seq), at, k.kind, str(k.countId), k.state, k.device, k.sku, k.location, k.lot, str(k.counted),
                            str(k.variance), str(k.adjusted), k.reason, k.note});
            out.push_back({{"seq", k.seq}, {"at", k.at ? Json(at) : Json()}, {"kind", k.kind}, {"count_id", k.countId},
                           {"state", k.state}, {"device", k.device}, {"sku", k.sku}, {"location", k.location}, {"lot", k.lot},
                           {"counted", json(k.counted)}, {"variance", json(k.variance)}, {"adjusted", json(k.adjusted)},
                           {"reason", k.reason}, {"note", k.note}});
        }
        a->format == "csv" ? printText(text) : printLine(out.dump());
    });
}

// ---------------------------------------------------------------------------------------
// export

void registerExport(CLI::App& app, const Command& c)
{
    struct Args {
        std::string kind;
        int64_t since = 0;
        int64_t limit = 0;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("export", "JSON lines of receipts, picks or adjustments after a cursor, then {\"next_cursor\":N}");
    cmd->add_option("KIND", a->kind, "receipts, picks or adjustments")->required()->check(CLI::IsMember({"receipts", "picks", "adjustments"}));
    cmd->add_option("--since", a->since, "the next_cursor of the previous export (0 = from the start)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--limit", a->limit, "at most this many records (0 = all)")->check(CLI::NonNegativeNumber);
    cmd->callback([c, a] {
        auto store = c.open();
        if (!store) return;
        auto batch = exportSince(*store, *parseExportKind(a->kind), a->since, static_cast<size_t>(a->limit));
        if (!batch) return c.fail(batch.error());
        std::string text;
        for (const auto& r : batch->records) text += r + "\n";
        text += Json{{"next_cursor", batch->nextCursor}, {"records", static_cast<int64_t>(batch->records.size())}}.dump() + "\n";
        printText(text);
    });
}

} // namespace

void registerBackofficeCommands(CLI::App& app, CommandContext context)
{
    const Command c{context};
    auto* import = app.get_subcommand("import");
    auto file = std::make_shared<std::string>();
    auto* suppliers = import->add_subcommand("suppliers", "suppliers: sku,supplier,lead_time_days,min_order_qty,unit_cost (several per product)");
    suppliers->add_option("FILE", *file, "CSV file with a header row")->required();
    suppliers->callback([c, file] { importSuppliersFile(c, *file); });
    registerPromo(app, c);
    registerReplenish(app, c);
    registerReport(app, c);
    registerExport(app, c);
}

} // namespace backfill::server
