// `backfill parse SCAN...`: interprets each scan as GS1 data and prints one JSON line per scan.
// Touches no database. Exit status 1 when any scan was rejected.

#include "app/Cli.h"
#include "app/Json.h"
#include "app/ScanJson.h"
#include "scan/Gs1Parser.h"

#include <memory>
#include <string>
#include <vector>

namespace backfill::app {

void registerParseCommand(CLI::App& app, GlobalOptions& g)
{
    auto* cmd = app.add_subcommand(
        "parse", "Interpret scans (GS1 element strings, bracketed AIs, GTIN/UPC/EAN, SSCC, Digital Link) as JSON lines");
    auto scans = std::make_shared<std::vector<std::string>>();
    cmd->add_option("scan", *scans, "what the scanner delivered, one argument per scan")->required();
    cmd->callback([&g, scans] {
        const scan::ParseOptions options{.gsSubstitute = g.gsChar(), .today = g.today()};
        for (const auto& text : *scans) {
            const auto result = scan::parseScan(text, options);
            printJson(scanResultJson(text, result));
            if (!result) g.exitCode = kExitRejected;
        }
    });
}

} // namespace backfill::app
