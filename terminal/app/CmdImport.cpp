// backfill import catalog|backorders|inbound|locations|reasons FILE.csv

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "app/SignIn.h"
#include "ledger/MasterDataCsv.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace backfill::app {

namespace {

struct ImportArgs {
    std::string file;
};

// refuse prints a file's errors (and that the checks stopped at the cap) and sets exit 2.
void refuse(GlobalOptions& g, const std::string& file, const std::vector<ledger::ImportIssue>& errors, bool truncated)
{
    for (const auto& e : errors) printError(e.code, e.format(file));
    if (truncated)
        printError("too_many_errors", file + ": stopped after " + std::to_string(ledger::kMaxImportErrors) +
                                          " errors; fix these and import again");
    g.exitCode = kExitBadInput;
}

template <class Rows, class Apply>
void runImport(GlobalOptions& g, const std::string& file, Rows (*parse)(std::string_view), Apply apply)
{
    std::ifstream in(file, std::ios::binary);
    // A folder opens like a file on Linux and then reads as empty: it is unreadable, not a
    // CSV file without a header.
    std::error_code ec;
    if (!in || std::filesystem::is_directory(file, ec)) {
        printError("unreadable_file", file + ": cannot open the file for reading");
        g.exitCode = kExitFailure;
        return;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        printError("unreadable_file", file + ": read error");
        g.exitCode = kExitFailure;
        return;
    }
    const Rows rows = parse(text.str());
    for (const auto& w : rows.warnings) printError(w.code, w.format(file));
    if (!rows.errors.empty()) return refuse(g, file, rows.errors, rows.truncated);
    auto store = openStore(g, Access::Write);
    if (!store) return;
    // Issue 11: an enrolled terminal takes its master data from the server (backfill sync).
    auto enrolled = store->enrolled();
    if (failed(g, enrolled)) return;
    if (*enrolled) {
        printError("enrolled", "this terminal is enrolled at a server, which is the master for its data: import " + file +
                                   " with `backfilld import` there, then run `backfill sync`");
        g.exitCode = kExitRejected;
        return;
    }
    if (!signIn(*store, g, ledger::Action::Import)) return;
    auto report = apply(*store, rows, cliActor(g));
    if (!report) {
        printError(report.error());
        g.exitCode = kExitFailure;
        return;
    }
    if (!report->errors.empty()) return refuse(g, file, report->errors, report->truncated);
    printJson(Json{{"imported", report->imported}});
}

} // namespace

void registerImportCommand(CLI::App& app, GlobalOptions& g)
{
    auto* cmd = app.add_subcommand("import", "import master data from CSV (nothing is imported if any row is bad)");
    cmd->require_subcommand(1);
    auto args = std::make_shared<ImportArgs>();
    using namespace ledger;
    auto add = [&](const char* name, const char* help, auto handler) {
        auto* sub = cmd->add_subcommand(name, help);
        sub->add_option("FILE", args->file, "CSV file with a header row")->required();
        sub->callback([&g, args, handler] { handler(g, args->file); });
    };
    add("catalog", "products: sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days",
        [](GlobalOptions& g, const std::string& f) {
            runImport(g, f, &parseCatalogCsv, [](store::TerminalStore& s, const auto& rows, const store::Actor& actor) {
                return s.importCatalog(rows, actor);
            });
        });
    add("backorders", "order lines: order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at",
        [](GlobalOptions& g, const std::string& f) {
            runImport(g, f, &parseBackordersCsv, [](store::TerminalStore& s, const auto& rows, const store::Actor& actor) {
                return s.importBackorders(rows, actor);
            });
        });
    add("inbound", "purchase order / ASN lines: inbound_id,supplier,sku,qty,eta,sscc",
        [](GlobalOptions& g, const std::string& f) {
            runImport(g, f, &parseInboundCsv, [](store::TerminalStore& s, const auto& rows, const store::Actor& actor) {
                return s.importInbound(rows, actor);
            });
        });
    add("locations", "locations: code,kind,sequence", [](GlobalOptions& g, const std::string& f) {
        runImport(g, f, &parseLocationsCsv, [](store::TerminalStore& s, const auto& rows, const store::Actor& actor) {
            return s.importLocations(rows, actor);
        });
    });
    add("reasons", "reason codes for short picks and adjustments: code,kind,description",
        [](GlobalOptions& g, const std::string& f) {
            runImport(g, f, &parseReasonsCsv, [](store::TerminalStore& s, const auto& rows, const store::Actor& actor) {
                return s.importReasons(rows, actor);
            });
        });
}

} // namespace backfill::app
