// backfill move --from LOC --to LOC SCAN...|-        (each scan one move)
// backfill move --from LOC --to LOC --sku SKU --qty N [--lot L]
// backfill putaway
//
// Each move is its own transaction, committed before its JSON line is printed (a printed line
// is a confirmed move). A refused move prints {"ok":false,"code",...} and writes nothing; the
// next one goes on (exit status 1 at the end). Moving out of quarantine into any other kind
// of location is a release: a supervisor's (ledger::Action::Release). The rules are in
// docs/operations.md, Moves and put-away.

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "app/SignIn.h"
#include "app/StdinLines.h"
#include "scan/Gs1Parser.h"
#include "workflow/MoveScan.h"
#include "workflow/ReceiptScan.h"

#include <memory>
#include <optional>

namespace backfill::app {

namespace {

struct MoveArgs {
    std::string from;
    std::string to;
    std::string sku;
    ledger::Qty qty = 0;
    std::string lot;
    std::vector<std::string> scans;
};


Json movedJson(const std::optional<std::string>& scan, const store::MoveResult& m)
{
    Json lots = Json::array();
    for (const auto& l : m.lots) lots.push_back({{"lot", optionalText(l.lot)}, {"qty", l.qty}});
    Json released = Json::array();
    for (const auto& r : m.released) released.push_back({{"order_id", r.orderId}, {"line", r.line}, {"qty", r.qty}});
    Json allocated = Json::array();
    for (const auto& a : m.allocated)
        allocated.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty}, {"stage", optionalText(a.stage)}});
    return Json{{"scan", optionalText(scan)}, {"ok", true},         {"from", m.from},         {"to", m.to},
                {"sku", m.sku},               {"qty", m.qty},       {"lot", optionalText(m.lot)}, {"lots", lots},
                {"released", released},       {"allocated", allocated}};
}

// Mover turns move requests into recorded moves and their output lines.
class Mover {
public:
    Mover(store::TerminalStore& store, GlobalOptions& g, const MoveArgs& args, scan::ParseOptions parse)
        : m_store(store), m_g(g), m_args(args), m_parse(parse)
    {
    }

    // moveScan records the move one scan asks for; false on a database failure (exit 3).
    bool moveScan(const std::string& text)
    {
        auto parsed = workflow::parseReceiptScan(text, m_parse);
        if (!parsed) return reject(text, parsed.error());
        auto request = workflow::moveFromScan(*parsed, m_args.from, m_args.to);
        if (!request) return reject(text, request.error());
        return record(text, *request);
    }

    bool moveLine(const InputLine& line)
    {
        if (line.tooLong) return reject(line.text, tooLongError(line));
        return moveScan(line.text);
    }

    // moveSku records --sku/--qty [--lot].
    bool moveSku()
    {
        ledger::MoveRequest request;
        request.sku = m_args.sku;
        request.count = m_args.qty;
        if (!m_args.lot.empty()) request.lot = m_args.lot;
        request.from = m_args.from;
        request.to = m_args.to;
        return record(std::nullopt, request);
    }

private:
    bool record(const std::optional<std::string>& scan, const ledger::MoveRequest& request)
    {
        auto moved = m_store.move(request, cliActor(m_g));
        if (!moved) {
            if (isStoreFailure(moved.error())) {
                printError(moved.error());
                m_g.exitCode = kExitFailure;
                return false;
            }
            return reject(scan, moved.error());
        }
        printJson(movedJson(scan, *moved)); // after the commit
        return true;
    }

    bool reject(const std::optional<std::string>& scan, const ledger::Error& e)
    {
        printJson(Json{{"scan", optionalText(scan)}, {"ok", false}, {"code", e.code}, {"error", e.message}});
        if (m_g.exitCode == kExitOk) m_g.exitCode = kExitRejected;
        return true;
    }

    store::TerminalStore& m_store;
    GlobalOptions& m_g;
    const MoveArgs& m_args;
    scan::ParseOptions m_parse;
};

bool isBlank(const InputLine& line) { return !line.tooLong && line.text.find_first_not_of(" \t") == std::string::npos; }

// usageError: how the command was called is wrong (exit 3, like CLI11's bad_usage).
void usageError(GlobalOptions& g, const std::string& message)
{
    printError("bad_usage", message);
    g.exitCode = kExitFailure;
}

void runMove(GlobalOptions& g, const MoveArgs& args, bool bySku, bool qtyGiven, bool lotGiven)
{
    if (bySku == !args.scans.empty())
        return usageError(g, "move: give either scans (or - for stdin) or --sku with --qty, not both");
    if (bySku && !qtyGiven) return usageError(g, "move --sku: --qty N is required");
    if (!bySku && (qtyGiven || lotGiven))
        return usageError(g, "move: --qty and --lot go with --sku; a scan carries its own count and lot");

    auto store = openStore(g, Access::Write);
    if (!store) return;
    // A move out of quarantine into a location that is not one releases held stock: a
    // supervisor's decision. Unknown locations are refused by the move itself.
    auto fromKind = store->locationKind(args.from);
    auto toKind = fromKind ? store->locationKind(args.to) : fromKind;
    if (!fromKind || !toKind) {
        printError(!fromKind ? fromKind.error() : toKind.error());
        g.exitCode = kExitFailure;
        return;
    }
    const bool release = *fromKind == ledger::LocationKind::Quarantine && *toKind &&
                         **toKind != ledger::LocationKind::Quarantine;
    if (!signIn(*store, g, release ? ledger::Action::Release : ledger::Action::Move)) return;

    Mover mover(*store, g, args, scanOptions(*store, g.today(), g.gsChar()));

    if (bySku) {
        mover.moveSku();
        return;
    }
    if (!(args.scans.size() == 1 && args.scans[0] == "-")) {
        for (const auto& s : args.scans)
            if (!mover.moveScan(s)) return;
        return;
    }
    StdinLines input;
    InputLine line;
    while (true) {
        auto got = input.next(line);
        if (!got) {
            printError(got.error());
            g.exitCode = kExitFailure;
            return;
        }
        if (!*got) return;
        if (isBlank(line)) continue;
        if (!mover.moveLine(line)) return;
    }
}

void runPutaway(GlobalOptions& g)
{
    auto store = openStore(g, Access::Read);
    if (!store) return;
    auto rows = store->putaway();
    if (failed(g, rows)) return;
    Json out = Json::array();
    for (const auto& r : *rows)
        out.push_back({{"sku", r.sku},
                       {"lot", optionalText(r.lot)},
                       {"expiry", r.expiry ? Json(ledger::formatDate(*r.expiry)) : Json(nullptr)},
                       {"from", r.from},
                       {"qty", r.qty},
                       {"suggest", optionalText(r.suggest)},
                       {"suggest_holds", r.suggestHolds}});
    printJson(out);
}

} // namespace

void registerMoveCommand(CLI::App& app, GlobalOptions& g)
{
    auto args = std::make_shared<MoveArgs>();
    auto* cmd = app.add_subcommand("move", "move stock between locations; into quarantine holds it, out of it releases "
                                           "it (JSON lines)");
    cmd->add_option("--from", args->from, "location the units are taken from")->required();
    cmd->add_option("--to", args->to, "location the units are put")->required();
    auto* sku = cmd->add_option("--sku", args->sku, "move by sku instead of scans (with --qty)");
    auto* qty = cmd->add_option("--qty", args->qty, "units to move with --sku");
    auto* lot = cmd->add_option("--lot", args->lot, "only this lot, with --sku (default: any, first expiry first)");
    cmd->add_option("SCAN", args->scans, "scans of what is moved, each one move, or - to read one per line from stdin");
    cmd->callback([&g, args, sku, qty, lot] { runMove(g, *args, sku->count() > 0, qty->count() > 0, lot->count() > 0); });

    auto* put = app.add_subcommand("putaway", "unallocated units at receiving locations with a suggested bin (JSON)");
    put->callback([&g] { runPutaway(g); });
}

} // namespace backfill::app
