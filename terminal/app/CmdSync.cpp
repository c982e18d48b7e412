// backfill enroll --server URL --device NAME --token T [--ca F --tls-server-name H]
// backfill sync [--status]
//
// The terminal's side of sync with backfilld (issue 11 item 4; docs/sync.md, Terminal link).
// Exit status: 0 ok, 1 refused here (unsynced_ops, not_enrolled), 3 local failure, 4 server
// unreachable, 5 credentials refused, 6 protocol error; the reason on stderr.

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "link/Link.h"

#include <unistd.h>

#include <memory>

namespace backfill::app {

namespace {

inline constexpr int kExitUnreachable = 4;
inline constexpr int kExitProtocol = 6;

struct SyncArgs {
    std::string server;
    std::string device;
    std::string token;
    std::string ca;
    std::string tlsServerName;
    bool status = false;
    int timeoutMs = 5000;
    int retries = 2;
};


link::LinkOptions linkOptions(const GlobalOptions& g, const SyncArgs& a)
{
    link::LinkOptions o;
    o.timeout = std::chrono::milliseconds(a.timeoutMs);
    o.retries = a.retries;
    o.now = ledger::formatTimestamp(g.now());
    // A long catch-up shows progress when a person watches stderr.
    if (isatty(STDERR_FILENO)) o.progress = [](const std::string& line) { std::fprintf(stderr, "backfill sync: %s\n", line.c_str()); };
    return o;
}

void report(GlobalOptions& g, const link::LinkError& e)
{
    printError(e.error);
    switch (e.failure) {
    case link::Failure::Unreachable: g.exitCode = kExitUnreachable; break;
    case link::Failure::Refused: g.exitCode = kExitAuth; break;
    case link::Failure::Protocol: g.exitCode = kExitProtocol; break;
    case link::Failure::Local:
        g.exitCode = e.error.code == "unsynced_ops" || e.error.code == "not_enrolled" ? kExitRejected : kExitFailure;
        break;
    }
}

// correctionsJson prints the pulled corrections of this terminal's claims not shown before.
Json correctionsJson(store::TerminalStore& store, GlobalOptions& g, bool& ok)
{
    Json out = Json::array();
    auto taken = store.takeCorrections();
    if (failed(g, taken)) {
        ok = false;
        return out;
    }
    for (const auto& text : *taken) {
        const Json c = Json::parse(text, nullptr, false);
        if (c.is_discarded()) continue;
        out.push_back({{"order_id", c.value("order_id", "")},
                       {"line", c.value("line", int64_t{0})},
                       {"sku", c.value("sku", "")},
                       {"old_qty", c.value("old_qty", int64_t{0})},
                       {"new_qty", c.value("new_qty", int64_t{0})},
                       {"message", c.value("message", "")}});
        // A release correction (docs/sync.md): the op's releases differed, not a claim.
        if (c.value("release", false)) out.back()["release"] = true;
    }
    return out;
}

void runEnroll(GlobalOptions& g, const SyncArgs& a)
{
    auto store = openStore(g, Access::Write);
    if (!store) return;
    link::Identity id;
    id.server = a.server;
    id.deviceId = a.device;
    id.token = a.token;
    id.caFile = a.ca;
    id.tlsServerName = a.tlsServerName;
    auto port = store->linkStore(g.now());
    auto done = link::enrol(*port, id, linkOptions(g, a));
    if (!done) return report(g, done.error());
    bool ok = true;
    Json corrections = correctionsJson(*store, g, ok);
    if (!ok) return;
    // A re-enrolled terminal sends what waited: the corrections of its claims are shown here,
    // as `sync` shows them (taking them marks them reported).
    printJson(Json{{"enrolled", a.device},
                   {"server", a.server},
                   {"epoch", done->epoch},
                   {"pushed", done->pushed},
                   {"pulled", done->pulled},
                   {"corrections", corrections}});
}

void runStatus(GlobalOptions& g)
{
    auto store = openStore(g, Access::Read);
    if (!store) return;
    auto s = store->syncStatus();
    if (failed(g, s)) return;
    printJson(Json{{"server", optionalText(s->server)},
                   {"device", optionalText(s->device)},
                   {"epoch", s->epoch},
                   {"unsent", s->unsent},
                   {"cursor", s->cursor},
                   {"last_sync", optionalText(s->lastSync)}});
}

void runSync(GlobalOptions& g, const SyncArgs& a)
{
    auto store = openStore(g, Access::Write);
    if (!store) return;
    auto port = store->linkStore(g.now());
    auto done = link::sync(*port, linkOptions(g, a));
    if (!done) return report(g, done.error());
    bool ok = true;
    Json corrections = correctionsJson(*store, g, ok);
    if (!ok) return;
    for (const auto& r : done->rejected)
        printError(r.code, "op " + r.opId + " (device_seq " + std::to_string(r.deviceSeq) + ") was refused by the server and will never apply: " +
                               r.message);
    printJson(Json{{"pushed", done->pushed}, {"pulled", done->pulled}, {"corrections", corrections}});
}

} // namespace

void registerSyncCommands(CLI::App& app, GlobalOptions& g)
{
    auto args = std::make_shared<SyncArgs>();
    auto* enroll = app.add_subcommand("enroll", "enrol this terminal at a backfilld server, then pull its data (JSON)");
    enroll->add_option("--server", args->server, "the server: tcp://HOST:PORT or tls+tcp://HOST:PORT")->required();
    enroll->add_option("--device", args->device, "this terminal's name at the server (backfilld device add NAME)")->required();
    enroll->add_option("--token", args->token, "the enrolment token backfilld printed")->required();
    enroll->add_option("--ca", args->ca, "tls+tcp://: PEM file of the CA that signed the server's certificate");
    enroll->add_option("--tls-server-name", args->tlsServerName, "tls+tcp://: the DNS name in the server's certificate");
    enroll->add_option("--timeout-ms", args->timeoutMs, "per request (default 5000)")->check(CLI::Range(50, 600000));
    enroll->callback([&g, args] { runEnroll(g, *args); });

    auto* sync = app.add_subcommand("sync", "push unsent ops, then pull until nothing waits (JSON); --status reads only");
    sync->add_flag("--status", args->status, "print the sync state without connecting");
    sync->add_option("--timeout-ms", args->timeoutMs, "per request (default 5000)")->check(CLI::Range(50, 600000));
    sync->add_option("--retries", args->retries, "resends after a timeout (default 2)")->check(CLI::Range(0, 100));
    sync->callback([&g, args] {
        if (args->status) return runStatus(g);
        runSync(g, *args);
    });
}

} // namespace backfill::app
