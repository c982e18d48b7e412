// backfill: the handheld terminal's command line. Each subcommand runs the same engine the
// touch UI uses, headless.

#include "app/Cli.h"
#include "app/Json.h"

#include <csignal>
#include <cstdio>
#include <exception>

using namespace backfill::app;

int main(int argc, char** argv)
{
    CLI::App app{"backfill: barcode-scanning warehouse terminal"};
    app.require_subcommand(0, 1); // none: the touch UI (CmdUi.cpp)
    app.set_version_flag("--version", std::string("backfill ") + BACKFILL_VERSION);
    GlobalOptions g;
    std::signal(SIGPIPE, SIG_IGN); // a closed stdout pipe is output_failed (printJson), not a silent death
    app.add_option("--db", g.dbPath, "terminal database (default $XDG_DATA_HOME/backfill/terminal.db)")
        ->check([](const std::string& path) { return path.empty() ? std::string("the database path is empty") : std::string(); });
    app.add_option("--today", g.todayText, "date used wherever today matters, YYYY-MM-DD (also BACKFILL_TODAY)");
    app.add_option("--gs", g.gsSubstitute, "character a wedge scanner sends instead of GS (0x1D)");
    app.add_option("--busy-timeout", g.busyTimeoutMs,
                   "milliseconds to wait for another process's write (a large import) before failing db_busy")
        ->check(CLI::Range(0, 3600000));
    app.add_option("--now", g.nowText, "instant actions are stamped with, ISO-8601 UTC (also BACKFILL_NOW; tests)")
        ->check([](const std::string& text) {
            return backfill::ledger::parseTimestamp(text) ? std::string() : "'" + text + "' is not a timestamp YYYY-MM-DDTHH:MM[:SS]Z";
        });
    app.add_option("--operator", g.operatorName,
                   "sign in as this user; the PIN is read from the environment variable BACKFILL_PIN")
        ->check([](const std::string& name) { return name.empty() ? std::string("the operator name is empty") : std::string(); });

    // One line per subcommand.
    registerImportCommand(app, g);
    registerStockCommand(app, g);
    registerBackordersCommand(app, g);
    registerParseCommand(app, g);
    registerPickCommand(app, g);
    registerReceiveCommand(app, g);
    registerDecodeCommand(app, g);
    registerHistoryCommand(app, g);
    registerUserCommand(app, g);
    registerMoveCommand(app, g);
    registerUndoCommand(app, g);
    registerCountCommands(app, g);
    registerSyncCommands(app, g);
    registerUiCommand(app, g); // no subcommand: the touch UI

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        printError("bad_usage", e.what());
        return kExitFailure;
    } catch (const std::exception& e) {
        printError("cannot_start", e.what());
        return kExitFailure;
    }
    return g.exitCode;
}
