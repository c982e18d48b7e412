// `backfill parse SCAN...|-`: interprets each scan as GS1 data and prints one JSON line per
// scan; `-` reads one scan per line from stdin (StdinLines: blank lines skipped, a line over
// the limit refused as too_long). Touches no database. Exit status 1 when any scan was
// rejected, 3 when stdin could not be read.

#include "app/Cli.h"
#include "app/Json.h"
#include "app/ScanJson.h"
#include "app/StdinLines.h"
#include "scan/Gs1Parser.h"

#include <memory>
#include <string>
#include <vector>

namespace backfill::app {

namespace {

void parseOne(GlobalOptions& g, const scan::ParseOptions& options, const std::string& text)
{
    const auto result = scan::parseScan(text, options);
    printJson(scanResultJson(text, result));
    if (!result) g.exitCode = kExitRejected;
}

void parseStdin(GlobalOptions& g, const scan::ParseOptions& options)
{
    StdinLines input;
    InputLine line;
    while (true) {
        const auto got = input.next(line);
        if (!got) {
            printError(got.error());
            g.exitCode = kExitFailure;
            return;
        }
        if (!*got) return;
        if (line.tooLong) {
            printJson(scanResultJson(line.text, ledger::unexpected(tooLongError(line))));
            if (g.exitCode == kExitOk) g.exitCode = kExitRejected;
            continue;
        }
        if (line.text.find_first_not_of(" \t") == std::string::npos) continue;
        parseOne(g, options, line.text);
    }
}

} // namespace

void registerParseCommand(CLI::App& app, GlobalOptions& g)
{
    auto* cmd = app.add_subcommand(
        "parse", "Interpret scans (GS1 element strings, bracketed AIs, GTIN/UPC/EAN, SSCC, Digital Link) as JSON lines");
    auto scans = std::make_shared<std::vector<std::string>>();
    cmd->add_option("scan", *scans, "what the scanner delivered, one argument per scan, or - to read one per line from stdin")
        ->required();
    cmd->callback([&g, scans] {
        const scan::ParseOptions options{.gsSubstitute = g.gsChar(), .today = g.today()};
        if (scans->size() == 1 && (*scans)[0] == "-") return parseStdin(g, options);
        for (const auto& text : *scans) parseOne(g, options, text);
    });
}

} // namespace backfill::app
