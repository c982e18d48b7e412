// backfilld: the central server (issue 11 item 3; docs/server.md).
//
//   backfilld [--db FILE] [--today YYYY-MM-DD] serve --listen URL [--tls-cert F --tls-key F]
//   backfilld import catalog|backorders|inbound|locations|reasons FILE
//   backfilld enrol DEVICE_ID
//   backfilld device add|revoke DEVICE_ID, device list
//   backfilld user add NAME --role receiver|picker|supervisor [--pin PIN], user list, user remove NAME
//   backfilld stock [--sku SKU], backorders, exceptions [resolve ID --note TEXT]
//   backfilld log [--after N]
//   back office: import suppliers, promo, replenish, report, export (server/BackofficeCommands.h)
//
// Errors go to stderr as {"code":"...","error":"..."} (the terminal's shape). Exit status:
// 0 ok, 1 refused (device_exists, unknown_device, bad_device_id, the user rules' codes), 2 an import had bad rows
// (nothing imported), 3 failure (unreadable file, bad usage, database, cannot listen).

#include "ledger/Date.h"
#include "ledger/MasterDataCsv.h"
#include "protocol/Codec.h"
#include "server/AdminCommands.h"
#include "server/Apply.h"
#include "server/BackofficeCommands.h"
#include "server/Imports.h"
#include "server/NotifyCommands.h"
#include "server/CommandSupport.h"
#include "server/Queries.h"
#include "server/SqliteServerStore.h"
#include "server/Users.h"
#include "server/WriteQueue.h"
#include "server/Metrics.h"
#include "transport/HttpServer.h"
#include "transport/Transport.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <pthread.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <condition_variable>
#include <mutex>
#include <vector>
#include <sstream>

namespace {

using namespace backfill;
using Json = nlohmann::ordered_json;

// The exit statuses and the output of every command (server/CommandSupport.h).
constexpr int kExitOk = 0;
using server::kExitBadInput;
using server::kExitFailure;
using server::kExitRejected;
using server::printError;
using server::printImportErrors;
using server::printLine;

struct Options {
    std::string dbPath = "backfilld.db";
    std::string todayText;
    int exitCode = kExitOk;
};

void printError(const ledger::Error& e) { printError(e.code, e.message); }

std::unique_ptr<server::SqliteServerStore> openStore(Options& o)
{
    auto store = server::SqliteServerStore::open(o.dbPath);
    if (!store) {
        printError(store.error());
        o.exitCode = kExitFailure;
        return nullptr;
    }
    // With --today, what a command logs is dated today 00:00 UTC (reports by day).
    if (const auto today = ledger::parseDate(o.todayText)) (*store)->setLogTime(ledger::startOf(*today));
    return std::move(*store);
}

// ---------------------------------------------------------------------------------------
// serve

struct ServeArgs {
    std::string listen;
    std::string tlsCert;
    std::string tlsKey;
    std::string http; // /health and /metrics (server/Metrics.h), when set
    server::ServeNotifyArgs notify; // --smtp: customer notifications in the background
};

// startHttp serves /health and /metrics on `url` with a connection of its own (the HTTP
// server answers on one thread). /health is 200 {"status":"ok","log_head":N} when the
// database answers, else 503 with the error; /metrics is Prometheus text, 503 likewise.
ledger::Result<std::unique_ptr<transport::HttpServer>> startHttp(const Options& o, const std::string& url,
                                                                 server::ServerCounters& counters)
{
    auto store = std::make_shared<std::unique_ptr<server::SqliteServerStore>>();
    auto connection = [&o, store]() -> ledger::Result<server::SqliteServerStore*> {
        if (!*store) {
            auto opened = server::SqliteServerStore::open(o.dbPath);
            if (!opened) return ledger::unexpected(opened.error());
            *store = std::move(*opened);
        }
        return store->get();
    };
    auto failed = [](const ledger::Error& e) {
        return transport::HttpReply{503, "application/json", Json{{"status", "failing"}, {"code", e.code}, {"error", e.message}}.dump() + "\n"};
    };
    return transport::HttpServer::start(url, {"/health", "/metrics"}, [=, &counters](const std::string& path) {
        auto db = connection();
        if (!db) return failed(db.error());
        const int64_t now = static_cast<int64_t>(std::time(nullptr));
        auto m = server::collectMetrics(**db, counters, now);
        if (!m) return failed(m.error());
        if (path == "/health") return transport::HttpReply{200, "application/json", Json{{"status", "ok"}, {"log_head", m->logHead}}.dump() + "\n"};
        return transport::HttpReply{200, "text/plain; version=0.0.4; charset=utf-8", server::renderPrometheus(*m)};
    });
}

// 64 workers: fifty terminals pushing at once all reach the writer's next round (fewer
// workers split them over several commits). Long polls hold a worker each while they wait:
// at most half of them at once (server::PollSlots), so pushes always find a worker; before,
// 64 watching terminals left none (a push waited up to 30 s).
constexpr int kWorkers = 64;
constexpr int kMaxHeldPolls = kWorkers / 2;

void serve(Options& o, const ServeArgs& args)
{
    if (args.tlsCert.empty() != args.tlsKey.empty()) {
        printError("bad_usage", "--tls-cert and --tls-key go together (separate PEM files)");
        o.exitCode = kExitFailure;
        return;
    }
    auto store = openStore(o);
    if (!store) return;
    // SIGINT and SIGTERM are blocked before any thread starts, so every thread inherits the
    // mask and only sigwait below sees them: no handler runs inside nng's threads.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    // Requests run in parallel, each reading on a connection of its own from `pool`
    // (store::Database is one connection per thread); every write (a Push's ops, a Hello) goes
    // to the one writer thread, which groups the writes of the requests waiting into one
    // commit (server/WriteQueue.h). A long-poll Pull holds a worker while it waits.
    auto writer = openStore(o);
    if (!writer) return;
    server::WriteQueue writes(std::move(writer));
    std::mutex poolMutex;
    std::vector<std::unique_ptr<server::SqliteServerStore>> pool;
    pool.push_back(std::move(store));
    // Every worker's connection is opened now, not at its first request: fifty terminals
    // pushing at once after a start found one connection and opened the others while they
    // waited (each open reads the schema; the first pushes took ~40 ms; bench/README.md, Sync).
    while (pool.size() < static_cast<size_t>(kWorkers)) {
        auto more = openStore(o);
        if (!more) return;
        pool.push_back(std::move(more));
    }
    // Every handled Push or Hello bumps `changes` and wakes the long polls; `stopping` ends them.
    std::mutex changeMutex;
    std::condition_variable changed;
    uint64_t changes = 0;
    bool stopping = false;
    server::ServerCounters counters;
    server::ApplierOptions applierOptions;
    applierOptions.counters = &counters;
    applierOptions.writes = &writes;
    server::PollSlots pollSlots(kMaxHeldPolls);
    applierOptions.pollSlots = &pollSlots;
    applierOptions.waitForChange = [&](std::chrono::milliseconds most) {
        std::unique_lock lock(changeMutex);
        const uint64_t seen = changes;
        changed.wait_for(lock, most, [&] { return stopping || changes != seen; });
        return !stopping;
    };
    // /health and /metrics start first: a bad --http address is refused before the sync
    // socket and its workers exist, so the refusal has nothing to stop.
    std::unique_ptr<transport::HttpServer> http;
    if (!args.http.empty()) {
        auto started = startHttp(o, args.http, counters);
        if (!started) {
            printError(started.error());
            o.exitCode = kExitFailure;
            return;
        }
        http = std::move(*started);
    }
    transport::ServerOptions options;
    options.url = args.listen;
    options.workers = kWorkers;
    if (!args.tlsCert.empty()) options.tls = transport::TlsFiles{args.tlsCert, args.tlsKey, "", ""};
    auto srv = transport::Server::start(options, [&](std::string_view request) {
        std::unique_ptr<server::SqliteServerStore> mine;
        {
            std::lock_guard lock(poolMutex);
            if (!pool.empty()) {
                mine = std::move(pool.back());
                pool.pop_back();
            }
        }
        if (!mine) {
            auto opened = server::SqliteServerStore::open(o.dbPath);
            if (!opened) return protocol::encode(protocol::Error{opened.error().code, opened.error().message});
            mine = std::move(*opened);
        }
        std::string reply = server::Applier(*mine, applierOptions).handle(request);
        {
            std::lock_guard lock(poolMutex);
            pool.push_back(std::move(mine));
        }
        {
            std::lock_guard lock(changeMutex);
            ++changes;
        }
        changed.notify_all();
        return reply;
    });
    if (!srv) {
        if (http) http->stop();
        printError(srv.error());
        o.exitCode = kExitFailure;
        return;
    }
    if (http) printLine("http " + http->url());
    auto sender = server::startServeSender(args.notify, {&o.dbPath, &o.todayText, &o.exitCode});
    printLine("listening " + (*srv)->url());
    int received = 0;
    sigwait(&stopSignals, &received);
    sender.reset();
    {
        std::lock_guard lock(changeMutex);
        stopping = true;
    }
    changed.notify_all();
    if (http) http->stop();
    (*srv)->stop();
    std::fprintf(stderr, "backfilld: stopped (%s)\n", received == SIGINT ? "SIGINT" : "SIGTERM");
}

// ---------------------------------------------------------------------------------------
// import

template <class Rows, class Apply>
void runImport(Options& o, const std::string& file, Rows (*parse)(std::string_view), Apply apply)
{
    std::ifstream in(file, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(file, ec)) {
        printError("unreadable_file", file + ": cannot open the file for reading");
        o.exitCode = kExitFailure;
        return;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        printError("unreadable_file", file + ": read error");
        o.exitCode = kExitFailure;
        return;
    }
    const Rows rows = parse(text.str());
    for (const auto& w : rows.warnings) printError(w.code, w.format(file));
    auto refuse = [&](const std::vector<ledger::ImportIssue>& errors, bool truncated) {
        printImportErrors(file, errors, truncated);
        o.exitCode = kExitBadInput;
    };
    if (!rows.errors.empty()) return refuse(rows.errors, rows.truncated);
    auto store = openStore(o);
    if (!store) return;
    auto report = apply(*store, rows);
    if (!report) {
        printError(report.error());
        o.exitCode = kExitFailure;
        return;
    }
    if (!report->errors.empty()) return refuse(report->errors, report->errors.size() >= ledger::kMaxImportErrors);
    printLine(Json{{"imported", report->imported}}.dump());
}

void registerImport(CLI::App& app, Options& o)
{
    auto* cmd = app.add_subcommand("import", "import master data from CSV (nothing is imported if any row is bad)");
    cmd->require_subcommand(1);
    auto file = std::make_shared<std::string>();
    auto add = [&](const char* name, const char* help, std::function<void(Options&, const std::string&)> handler) {
        auto* sub = cmd->add_subcommand(name, help);
        sub->add_option("FILE", *file, "CSV file with a header row")->required();
        sub->callback([&o, file, handler] { handler(o, *file); });
    };
    using namespace ledger;
    add("catalog", "products: sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days",
        [](Options& o, const std::string& f) { runImport(o, f, &parseCatalogCsv, server::importCatalog); });
    add("backorders", "order lines: order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at",
        [](Options& o, const std::string& f) { runImport(o, f, &parseBackordersCsv, server::importBackorders); });
    add("inbound", "purchase order / ASN lines: inbound_id,supplier,sku,qty,eta,sscc",
        [](Options& o, const std::string& f) { runImport(o, f, &parseInboundCsv, server::importInbound); });
    add("locations", "locations: code,kind,sequence",
        [](Options& o, const std::string& f) { runImport(o, f, &parseLocationsCsv, server::importLocations); });
    add("reasons", "reason codes: code,kind,description",
        [](Options& o, const std::string& f) { runImport(o, f, &parseReasonsCsv, server::importReasons); });
}

// fail prints `e` and sets the exit status: 3 for the store's own failures, else 1.
void fail(Options& o, const ledger::Error& e)
{
    printError(e);
    o.exitCode = e.code.rfind("db_", 0) == 0 || e.code == "no_database" ? kExitFailure : kExitRejected;
}

void registerDevice(CLI::App& app, Options& o)
{
    auto* cmd = app.add_subcommand("device", "terminals: add, revoke, list");
    cmd->require_subcommand(1);
    auto name = std::make_shared<std::string>();
    auto* add = cmd->add_subcommand("add", "register a new device; prints its one-time enrolment token");
    add->add_option("DEVICE_ID", *name, "the terminal's device name")->required();
    add->callback([&o, name] {
        auto store = openStore(o);
        if (!store) return;
        auto token = server::addDevice(*store, *name);
        if (!token) return fail(o, token.error());
        printLine(*token);
    });
    auto* revoke = cmd->add_subcommand("revoke", "refuse the device until it is enrolled again");
    revoke->add_option("DEVICE_ID", *name, "the terminal's device name")->required();
    revoke->callback([&o, name] {
        auto store = openStore(o);
        if (!store) return;
        if (auto r = server::revokeDevice(*store, *name); !r) return fail(o, r.error());
        printLine(Json{{"revoked", *name}}.dump());
    });
    auto* list = cmd->add_subcommand("list", R"(print [{"name","epoch","revoked","last_seen"}])");
    list->callback([&o] {
        auto store = openStore(o);
        if (!store) return;
        auto devices = store->devices();
        if (!devices) return fail(o, devices.error());
        Json out = Json::array();
        for (const auto& d : *devices)
            out.push_back({{"name", d.deviceId},
                           {"epoch", d.epoch},
                           {"revoked", d.revoked},
                           {"last_seen", d.lastSeen ? Json(ledger::formatTimestamp(*d.lastSeen)) : Json()}});
        printLine(out.dump());
    });
}

// readPinLine reads the PIN from the first line of stdin (echo off when it is a terminal), so
// a script keeps it out of `ps`. The format is checked by the user rules.
ledger::Result<std::string> readPinLine(const std::string& name)
{
    termios saved{};
    const bool tty = ::isatty(0) && ::tcgetattr(0, &saved) == 0;
    if (tty) {
        std::fputs("PIN: ", stderr);
        termios quiet = saved;
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        ::tcsetattr(0, TCSAFLUSH, &quiet);
    }
    std::string line;
    const bool got = static_cast<bool>(std::getline(std::cin, line));
    if (tty) {
        ::tcsetattr(0, TCSAFLUSH, &saved);
        std::fputc('\n', stderr);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!got || line.empty())
        return ledger::fail("bad_pin_format", "no PIN for '" + name + "': give --pin or one line on stdin, 4 to 12 digits");
    return line;
}

void registerUser(CLI::App& app, Options& o)
{
    auto* cmd = app.add_subcommand("user", "operators: add, list, remove (terminals receive them by sync)");
    cmd->require_subcommand(1);
    struct Args {
        std::string name, role;
        std::optional<std::string> pin;
    };
    auto args = std::make_shared<Args>();
    auto* add = cmd->add_subcommand("add", "add an operator (PIN from --pin or one line on stdin); prints {\"name\",\"role\"}");
    add->add_option("NAME", args->name, "user name: letters, digits, '.', '_', '-'")->required();
    add->add_option("--role", args->role, "receiver, picker or supervisor")->required();
    add->add_option("--pin", args->pin, "4 to 12 digits (default: one line read from stdin)");
    add->callback([&o, args] {
        const auto role = ledger::parseRole(args->role);
        if (!role) return fail(o, {"bad_role", "'" + args->role + "' is not a role: receiver, picker or supervisor"});
        auto pin = args->pin ? ledger::Result<std::string>(*args->pin) : readPinLine(args->name);
        if (!pin) return fail(o, pin.error());
        auto store = openStore(o);
        if (!store) return;
        if (auto r = server::addUser(*store, args->name, *role, *pin); !r) {
            if (r.error().code == "hash_failed") {
                printError(r.error());
                o.exitCode = kExitFailure;
                return;
            }
            return fail(o, r.error());
        }
        printLine(Json{{"name", args->name}, {"role", ledger::roleName(*role)}}.dump());
    });
    auto* list = cmd->add_subcommand("list", R"(print [{"name","role"}] sorted by name (never a hash))");
    list->callback([&o] {
        auto store = openStore(o);
        if (!store) return;
        auto users = store->users();
        if (!users) return fail(o, users.error());
        Json out = Json::array();
        for (const auto& u : *users) out.push_back({{"name", u.name}, {"role", ledger::roleName(u.role)}});
        printLine(out.dump());
    });
    auto* remove = cmd->add_subcommand("remove", "remove an operator; prints {\"name\",\"removed\":true}");
    remove->add_option("NAME", args->name, "user name")->required();
    remove->callback([&o, args] {
        auto store = openStore(o);
        if (!store) return;
        if (auto r = server::removeUser(*store, args->name); !r) return fail(o, r.error());
        printLine(Json{{"name", args->name}, {"removed", true}}.dump());
    });
}

void registerQueries(CLI::App& app, Options& o)
{
    auto sku = std::make_shared<std::string>();
    auto* stock = app.add_subcommand(
        "stock", R"(print the server's stock as `backfill stock` does: [{"sku","on_hand","allocated","quarantined","free","held","expired"}]; --sku adds "locations")");
    auto* skuOption = stock->add_option("--sku", *sku, "only this product, with its locations (an unknown sku prints [])");
    stock->callback([&o, sku, skuOption] {
        auto store = openStore(o);
        if (!store) return;
        const bool one = skuOption->count() > 0;
        auto rows = server::productStock(*store, one ? std::optional<std::string>(*sku) : std::nullopt);
        if (!rows) return fail(o, rows.error());
        Json out = Json::array();
        for (const auto& r : *rows) {
            // The terminal's keys, in its order (terminal/app/CmdQueries.cpp).
            Json row{{"sku", r.sku},     {"on_hand", r.onHand}, {"allocated", r.allocated}, {"quarantined", r.quarantined},
                     {"free", r.free()}, {"held", r.held},      {"expired", r.expired}};
            if (one) {
                Json locations = Json::array();
                for (const auto& l : r.locations)
                    locations.push_back({{"location", l.location}, {"lot", l.lot.empty() ? Json() : Json(l.lot)},
                                         {"expiry", l.expiry ? Json(ledger::formatDate(*l.expiry)) : Json()},
                                         {"qty", l.qty}, {"held", l.held}});
                row["locations"] = std::move(locations);
            }
            out.push_back(std::move(row));
        }
        printLine(out.dump());
    });
    auto* backorders = app.add_subcommand(
        "backorders", R"(print every order line: [{"order_id","line","sku","qty","allocated","picked","state","eta"}])");
    backorders->callback([&o] {
        auto store = openStore(o);
        if (!store) return;
        auto rows = server::backorders(*store);
        if (!rows) return fail(o, rows.error());
        Json out = Json::array();
        for (const auto& r : *rows) {
            const auto& l = r.line;
            out.push_back({{"order_id", l.orderId}, {"line", l.line}, {"sku", l.sku}, {"qty", l.qty}, {"allocated", l.allocated},
                           {"picked", l.picked}, {"state", ledger::lineStateName(r.state)},
                           {"eta", r.eta ? Json(ledger::formatDate(*r.eta)) : Json()}});
        }
        printLine(out.dump());
    });
    auto* exceptions = app.add_subcommand(
        "exceptions", R"(print what needs a person: [{"id","code","device","op_id","payload","resolved":null|"note"}])");
    auto id = std::make_shared<int64_t>(0);
    auto note = std::make_shared<std::string>();
    auto* resolve = exceptions->add_subcommand("resolve", "mark an exception resolved, saying what was done");
    resolve->add_option("ID", *id, "the exception's id")->required();
    resolve->add_option("--note", *note, "what was done")->required();
    resolve->callback([&o, id, note] {
        auto store = openStore(o);
        if (!store) return;
        if (auto r = server::resolveException(*store, *id, *note); !r) return fail(o, r.error());
        printLine(Json{{"resolved", *id}}.dump());
    });
    exceptions->callback([&o, exceptions] {
        if (exceptions->got_subcommand("resolve")) return;
        auto store = openStore(o);
        if (!store) return;
        auto rows = store->exceptions();
        if (!rows) return fail(o, rows.error());
        Json out = Json::array();
        for (const auto& e : *rows)
            out.push_back({{"id", e.id}, {"code", e.code}, {"device", e.deviceId}, {"op_id", e.opId},
                           {"payload", Json::parse(e.payload, nullptr, false)},
                           {"resolved", e.resolvedNote ? Json(*e.resolvedNote) : Json()}});
        printLine(out.dump());
    });
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"backfilld: the Backfill server terminals sync with"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("backfilld ") + BACKFILL_VERSION);
    // Settings from a file (the .deb's systemd unit uses /etc/backfill/backfilld.toml):
    // `key = value` for the global options, a [serve] section for serve's; the command line
    // wins over the file; an unknown key is bad usage.
    app.set_config("--config", "", "read options from this TOML file (command-line options override it)");
    app.allow_config_extras(CLI::config_extras_mode::error); // inherited by the subcommands made below
    Options o;
    std::signal(SIGPIPE, SIG_IGN);
    app.add_option("--db", o.dbPath, "server database (default ./backfilld.db)")->check([](const std::string& path) {
        return path.empty() ? std::string("the database path is empty") : std::string();
    });
    app.add_option("--today", o.todayText, "date used wherever today matters, YYYY-MM-DD")->check([](const std::string& text) {
        return backfill::ledger::parseDate(text) ? std::string() : "'" + text + "' is not a date YYYY-MM-DD";
    });

    ServeArgs serveArgs;
    auto* serveCmd = app.add_subcommand("serve", "serve terminals until SIGINT or SIGTERM; prints `listening URL`");
    serveCmd->add_option("--listen", serveArgs.listen, "tcp://HOST:PORT (0 = any free port), tls+tcp://..., ipc://...")->required();
    serveCmd->add_option("--tls-cert", serveArgs.tlsCert, "server certificate (PEM) for tls+tcp://");
    serveCmd->add_option("--tls-key", serveArgs.tlsKey, "its private key (PEM, a separate file)");
    serveCmd->add_option("--http", serveArgs.http, "serve /health and /metrics on http://HOST:PORT (0 = any free port); prints `http URL`");
    server::addServeNotifyOptions(*serveCmd, serveArgs.notify);
    serveCmd->callback([&] { serve(o, serveArgs); });

    registerImport(app, o);
    registerDevice(app, o);
    registerQueries(app, o);
    registerUser(app, o);
    // Back office (issue 13; server/BackofficeCommands.h): import suppliers, promo, replenish,
    // report, export.
    server::registerBackofficeCommands(app, {&o.dbPath, &o.todayText, &o.exitCode});
    // Operations (issue 13 item 6; server/AdminCommands.h): backup.
    server::registerAdminCommands(app, {&o.dbPath, &o.todayText, &o.exitCode});
    // Customer notifications (issue 13 item 3; server/NotifyCommands.h): import waitlist,
    // notifications, notify, unsubscribe.
    server::registerNotifyCommands(app, {&o.dbPath, &o.todayText, &o.exitCode});

    std::string deviceId;
    auto* enrolCmd = app.add_subcommand("enrol", "print a one-time enrolment token for a device (a known one enrols again)");
    enrolCmd->add_option("DEVICE_ID", deviceId, "the terminal's device name")->required();
    enrolCmd->callback([&] {
        auto store = openStore(o);
        if (!store) return;
        auto token = server::enrolDevice(*store, deviceId);
        if (!token) return fail(o, token.error());
        printLine(*token);
    });

    int64_t after = 0;
    auto* logCmd = app.add_subcommand("log", "print the server log as JSON: [{\"seq\":N,\"kind\":\"...\",\"payload\":{...}}]");
    logCmd->add_option("--after", after, "only entries after this seq")->check(CLI::NonNegativeNumber);
    logCmd->callback([&] {
        auto store = openStore(o);
        if (!store) return;
        Json out = Json::array();
        for (int64_t cursor = after;;) {
            auto entries = store->entriesAfter(cursor, 1000);
            if (!entries) {
                printError(entries.error());
                o.exitCode = kExitFailure;
                return;
            }
            for (const auto& e : *entries)
                out.push_back({{"seq", e.seq}, {"kind", e.kind}, {"payload", Json::parse(e.payload, nullptr, false)}});
            if (entries->size() < 1000) break;
            cursor = entries->back().seq;
        }
        printLine(out.dump());
    });

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
    return o.exitCode;
}
