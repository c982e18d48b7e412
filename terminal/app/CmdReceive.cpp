// backfill receive [--location LOC] [--sync-each] SCAN...|-
//
// Each scan is committed before its JSON line is printed: a printed line is a confirmed scan
// that survives a crash or power cut. With `-`, scans already waiting on stdin are grouped
// into one transaction (at most kMaxGroup scans or kMaxGroupAge of arrivals), and every line
// of the group is printed after the group's commit. Stdin is read by StdinLines: a line
// over its limit is refused as too_long like any refused scan.

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "app/SignIn.h"
#include "app/StdinLines.h"
#include "scan/Gs1Parser.h"
#include "workflow/ReceiptScan.h"

#include <unistd.h>

#include <chrono>
#include <deque>
#include <optional>

namespace backfill::app {

namespace {

constexpr size_t kMaxGroup = 100;
constexpr auto kMaxGroupAge = std::chrono::milliseconds(50);

struct ReceiveArgs {
    std::string location;
    bool syncEach = false;
    std::vector<std::string> scans;
};

Json receivedJson(const std::string& scan, const store::ReceivedLine& l)
{
    Json allocations = Json::array();
    for (const auto& a : l.allocations)
        allocations.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty},
                               {"stage", a.stage ? Json(*a.stage) : Json(nullptr)}});
    Json out{{"scan", scan},
             {"ok", true},
             {"sku", l.sku},
             {"qty", l.qty},
             {"lot", l.lot ? Json(*l.lot) : Json(nullptr)},
             {"expiry", l.expiry ? Json(ledger::formatDate(*l.expiry)) : Json(nullptr)},
             {"sscc", l.sscc ? Json(*l.sscc) : Json(nullptr)},
             {"location", l.location},
             {"allocations", allocations},
             {"to_stock", l.toStock}};
    if (l.overReceipt > 0) out["over_receipt"] = l.overReceipt;
    if (!l.released.empty()) {
        Json released = Json::array();
        for (const auto& r : l.released) released.push_back({{"order_id", r.orderId}, {"line", r.line}, {"qty", r.qty}});
        out["released"] = released;
    }
    return out;
}

// isBlank: an empty stdin line, or one of only spaces and tabs, is no scan and is skipped
// (as blank lines in the CSV imports are); no GS1 scan can be made of them.
bool isBlank(const InputLine& line) { return !line.tooLong && line.text.find_first_not_of(" \t") == std::string::npos; }

// Receiver turns scans into recorded receipts and their output lines.
class Receiver {
public:
    Receiver(store::TerminalStore& store, GlobalOptions& g, std::string location, scan::ParseOptions parse)
        : m_store(store), m_g(g), m_location(std::move(location)), m_parse(parse)
    {
    }

    // receive records one scan (inside whatever transaction is open) and queues its lines.
    // Returns false on a database failure (exit 3).
    bool receive(const std::string& text)
    {
        auto parsed = workflow::parseReceiptScan(text, m_parse);
        if (!parsed) return reject(text, parsed.error());
        auto request = workflow::receiptFromScan(*parsed, m_location);
        if (!request) return reject(text, request.error());
        auto lines = m_store.receive(*request, cliActor(m_g));
        if (!lines) {
            if (isStoreFailure(lines.error())) {
                printError(lines.error());
                m_g.exitCode = kExitFailure;
                return false;
            }
            return reject(text, lines.error());
        }
        for (const auto& l : *lines) m_pending.push_back(receivedJson(text, l));
        return true;
    }

    // receiveLine is receive for a stdin line: a line over the limit is refused (too_long)
    // without being looked at.
    bool receiveLine(const InputLine& line)
    {
        if (line.tooLong) return reject(line.text, tooLongError(line));
        return receive(line.text);
    }

    // flush prints the queued lines: call only after the commit that holds them.
    void flush()
    {
        printJsonLines(m_pending);
        m_pending.clear();
        // The lines are out: a checkpoint due runs now, between two transactions, not inside
        // the next scan's commit (store/Checkpointer.h).
        m_store.checkpointIfDue();
    }
    void discard() { m_pending.clear(); }

private:
    bool reject(const std::string& text, const ledger::Error& e)
    {
        m_pending.push_back(Json{{"scan", text}, {"ok", false}, {"code", e.code}, {"error", e.message}});
        if (m_g.exitCode == kExitOk) m_g.exitCode = kExitRejected;
        return true;
    }

    store::TerminalStore& m_store;
    GlobalOptions& m_g;
    std::string m_location;
    scan::ParseOptions m_parse;
    std::vector<Json> m_pending;
};

bool commitOrFail(store::TerminalStore& store, GlobalOptions& g, Receiver& receiver)
{
    if (auto r = store.commit(); !r) {
        receiver.discard();
        printError(r.error());
        g.exitCode = kExitFailure;
        return false;
    }
    receiver.flush();
    return true;
}

void runReceive(GlobalOptions& g, const ReceiveArgs& args, bool locationGiven)
{
    auto store = openStore(g, Access::Write);
    if (!store) return;
    if (!signIn(*store, g, ledger::Action::Receive)) return;
    // --gs is kept for the runs after this one (and the touch terminal's wedge).
    if (const char gs = g.gsChar())
        if (auto r = store->setSetting("gs_substitute", std::string(1, gs)); !r) {
            printError(r.error());
            g.exitCode = kExitFailure;
            return;
        }
    const scan::ParseOptions parse = scanOptions(*store, g.today(), g.gsChar());
    std::string location = args.location;
    if (!locationGiven) {
        auto def = store->defaultReceivingLocation();
        if (!def) {
            printError(def.error());
            g.exitCode = kExitFailure;
            return;
        }
        location = *def;
    }
    Receiver receiver(*store, g, location, parse);

    const bool fromStdin = args.scans.size() == 1 && args.scans[0] == "-";
    if (!fromStdin) {
        for (const auto& s : args.scans) {
            if (!receiver.receive(s)) return;
            receiver.flush(); // each receive() committed on its own
        }
        return;
    }
    // A person at an interactive terminal gets each scan confirmed on its own.
    const bool syncEach = args.syncEach || ::isatty(0);
    StdinLines input;
    InputLine line;
    // readOrFail: a failed read of stdin (not its end) is exit 3; the scans before it stand.
    auto readOrFail = [&g](const ledger::Result<bool>& got) {
        if (got) return *got;
        printError(got.error());
        g.exitCode = kExitFailure;
        return false;
    };
    while (readOrFail(input.next(line))) {
        if (isBlank(line)) continue;
        if (syncEach) {
            if (!receiver.receiveLine(line)) return;
            receiver.flush();
            continue;
        }
        const auto started = std::chrono::steady_clock::now();
        if (auto r = store->begin(); !r) {
            printError(r.error());
            g.exitCode = kExitFailure;
            return;
        }
        if (!receiver.receiveLine(line)) return;
        size_t inGroup = 1;
        std::optional<ledger::Error> readError; // the group read before it is still committed
        while (inGroup < kMaxGroup && std::chrono::steady_clock::now() - started < kMaxGroupAge) {
            auto got = input.nextIfWaiting(line);
            if (!got) readError = got.error();
            if (!got || !*got) break;
            if (isBlank(line)) continue;
            if (!receiver.receiveLine(line)) return;
            ++inGroup;
        }
        if (!commitOrFail(*store, g, receiver)) return;
        if (readError) {
            printError(*readError);
            g.exitCode = kExitFailure;
            return;
        }
    }
}

} // namespace

void registerReceiveCommand(CLI::App& app, GlobalOptions& g)
{
    auto args = std::make_shared<ReceiveArgs>();
    auto* cmd = app.add_subcommand("receive", "record receipt scans locally, allocate them to waiting backorders (JSON lines)");
    auto* loc = cmd->add_option("--location", args->location, "receiving location (default: first receiving location, else DOCK)");
    cmd->add_flag("--sync-each", args->syncEach, "one transaction per scan also when reading stdin");
    cmd->add_option("SCAN", args->scans, "scans exactly as the scanner delivers them, or - to read one per line from stdin")
        ->required();
    cmd->callback([&g, args, loc] { runReceive(g, *args, loc->count() > 0); });
}

} // namespace backfill::app
