// backfilld end to end: the real binary (BACKFILLD_BIN) imports, enrols, serves on
// tcp://127.0.0.1:0 and prints the resolved URL; a terminal's requests go over
// sync/transport's Client in the protocol codec; other subcommands run beside the serving
// process on the same database; SIGTERM stops it cleanly within seconds.

#include "protocol/Codec.h"
#include "transport/Transport.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace backfill;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string bin()
{
    const char* b = std::getenv("BACKFILLD_BIN");
    REQUIRE_MESSAGE(b != nullptr, "BACKFILLD_BIN is not set (run through ctest)");
    return b;
}

struct Run {
    int status = -1;
    std::string out;
};

// run runs backfilld with `args` (already shell-quoted where needed), returning its exit
// status and stdout; stderr goes to `errFile`.
Run run(const std::string& args, const fs::path& errFile)
{
    const std::string cmd = bin() + " " + args + " 2>" + errFile.string();
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    Run r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::string slurp(const fs::path& p)
{
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// Serving is a running `backfilld serve` with its stdout on a pipe.
struct Serving {
    pid_t pid = -1;
    int out = -1;
    std::string url;

    Serving(const std::string& db, const fs::path& errFile, std::vector<std::string> serveArgs = {"--listen", "tcp://127.0.0.1:0"})
    {
        std::vector<std::string> args{bin(), "--db", db, "serve"};
        args.insert(args.end(), serveArgs.begin(), serveArgs.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const std::string exe = bin();
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::dup2(fds[1], 1);
            FILE* err = std::fopen(errFile.c_str(), "w");
            if (err) ::dup2(::fileno(err), 2);
            ::close(fds[0]);
            ::close(fds[1]);
            ::execv(exe.c_str(), argv.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        out = fds[0];
        url = readLine(10s);
    }
    ~Serving()
    {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        if (out >= 0) ::close(out);
    }

    // readLine reads one line of the child's stdout, waiting at most `timeout`.
    std::string readLine(std::chrono::milliseconds timeout)
    {
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{out, POLLIN, 0};
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 1))) <= 0) continue;
            char c;
            if (::read(out, &c, 1) != 1) break;
            if (c == '\n') return line;
            line += c;
        }
        return line;
    }

    // stop sends `signal` and waits at most `timeout` for the exit; returns the exit status
    // (-1 when it did not exit in time or died of a signal).
    int stop(int signal, std::chrono::milliseconds timeout)
    {
        ::kill(pid, signal);
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            int st = 0;
            const pid_t done = ::waitpid(pid, &st, WNOHANG);
            if (done == pid) {
                pid = -1;
                return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
            }
            std::this_thread::sleep_for(20ms);
        }
        return -1;
    }
};

protocol::Message ask(transport::Client& client, const protocol::Message& request)
{
    auto bytes = protocol::encodeChecked(request);
    REQUIRE(bytes);
    auto reply = client.request(*bytes);
    REQUIRE_MESSAGE(reply.has_value(), (reply ? std::string() : reply.error().code + ": " + reply.error().message));
    auto message = protocol::decode(*reply);
    REQUIRE(message);
    return *message;
}

struct Dir {
    fs::path path;
    Dir()
    {
        path = fs::temp_directory_path() / ("backfilld_serve_" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~Dir() { fs::remove_all(path); }
};

// PollerAndPusher is backfilld serving a catalog of SKU-A, with HH-01 (the poller, its
// client waiting up to 40 s) and HH-02 (the pusher) enrolled and signed in.
struct PollerAndPusher {
    explicit PollerAndPusher(std::chrono::milliseconds pushTimeout = 40s)
    {
        const fs::path err = dir.path / "stderr.txt";
        const std::string db = (dir.path / "server.db").string();
        write(dir.path / "catalog.csv", "sku,description\nSKU-A,Widget\n");
        REQUIRE(run("--db " + db + " import catalog " + (dir.path / "catalog.csv").string(), err).status == 0);
        a = run("--db " + db + " enrol HH-01", err).out.substr(0, 64);
        b = run("--db " + db + " enrol HH-02", err).out.substr(0, 64);
        server = std::make_unique<Serving>(db, dir.path / "serve.txt");
        REQUIRE(server->url.rfind("listening ", 0) == 0);
        transport::ClientOptions options;
        options.url = server->url.substr(10);
        options.timeout = 40s;
        auto polling = transport::Client::open(options);
        options.timeout = pushTimeout;
        auto pushing = transport::Client::open(options);
        REQUIRE(polling);
        REQUIRE(pushing);
        poller = std::move(*polling);
        pusher = std::move(*pushing);
        REQUIRE(std::holds_alternative<protocol::HelloAck>(ask(*poller, protocol::Hello{1, "HH-01", 0, a})));
        REQUIRE(std::holds_alternative<protocol::HelloAck>(ask(*pusher, protocol::Hello{1, "HH-02", 0, b})));
    }
    // receipt is HH-02's first op: 2 x SKU-A at DOCK.
    static protocol::Op receipt()
    {
        return {"00000000-0000-4000-8000-000000000001", 1, 1, "receive",
                R"({"location":"DOCK","lines":[{"sku":"SKU-A","qty":2,"lot":"","sscc":"","claims":[]}]})", 1'800'000'000};
    }

    Dir dir;
    std::string a, b; // HH-01's and HH-02's tokens
    std::unique_ptr<Serving> server;
    std::unique_ptr<transport::Client> poller, pusher;
};

} // namespace

TEST_CASE("backfilld serves Hello, Push and Pull over tcp, refuses garbage, runs beside other commands and stops on SIGTERM")
{
    Dir dir;
    const fs::path err = dir.path / "stderr.txt";
    const std::string db = (dir.path / "server.db").string();
    write(dir.path / "locations.csv", "code,kind,sequence\nDOCK,receiving,1\n");
    write(dir.path / "catalog.csv", "sku,description\nSKU-A,Widget\n");
    write(dir.path / "backorders.csv", "order_id,line,customer,sku,qty,priority,ordered_at\nSO-1,1,Ann,SKU-A,5,0,2026-01-01\n");
    write(dir.path / "bad.csv", "sku,description\n,Nameless\n");
    for (const char* kind : {"locations", "catalog", "backorders"}) {
        auto r = run("--db " + db + " import " + kind + " " + (dir.path / (std::string(kind) + ".csv")).string(), err);
        CHECK(r.status == 0);
        CHECK(r.out == "{\"imported\":1}\n");
    }
    auto bad = run("--db " + db + " import catalog " + (dir.path / "bad.csv").string(), err);
    CHECK(bad.status == 2);
    CHECK(bad.out == "");
    CHECK(slurp(err).find("\"code\":\"required\"") != std::string::npos);

    auto enrolled = run("--db " + db + " enrol HH-01", err);
    REQUIRE(enrolled.status == 0);
    REQUIRE(enrolled.out.size() == 65);
    const std::string token = enrolled.out.substr(0, 64);

    Serving server(db, dir.path / "serve-stderr.txt");
    REQUIRE_MESSAGE(server.url.rfind("listening tcp://127.0.0.1:", 0) == 0, server.url);
    const std::string url = server.url.substr(std::string("listening ").size());
    CHECK(url != "tcp://127.0.0.1:0");
    // Its 64 workers' connections and the writer's are open before it listens (fifty
    // terminals at once after a start found one and opened the rest while they waited).
    int dbHandles = 0;
    for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(server.pid) + "/fd")) {
        std::error_code ec;
        if (fs::read_symlink(fd.path(), ec) == fs::path(db)) ++dbHandles;
    }
    CHECK(dbHandles == 65);

    transport::ClientOptions options;
    options.url = url;
    auto client = transport::Client::open(options);
    REQUIRE(client);

    auto hello = ask(**client, protocol::Hello{1, "HH-01", 0, token});
    REQUIRE(std::holds_alternative<protocol::HelloAck>(hello));
    const auto ack = std::get<protocol::HelloAck>(hello);
    CHECK(ack.epoch == 1);
    CHECK(ack.headCursor == 3);

    const protocol::Op receipt{"00000000-0000-4000-8000-000000000001", 1, 1, "receive",
                               R"({"scan":"x","location":"DOCK","lines":[{"sku":"SKU-A","qty":3,"lot":"","sscc":"","claims":[{"order_id":"SO-1","line":1,"qty":3}]}]})",
                               1'800'000'000};
    auto pushed = ask(**client, protocol::Push{protocol::Session{ack.sessionId}, {receipt}});
    REQUIRE(std::holds_alternative<protocol::PushAck>(pushed));
    const auto& results = std::get<protocol::PushAck>(pushed).results;
    REQUIRE(results.size() == 1);
    CHECK(results[0].status == protocol::OpStatus::Applied);
    CHECK(results[0].globalSeq == 4);
    CHECK(results[0].result ==
          R"({"allocations":[{"order_id":"SO-1","line":1,"qty":3,"claimed":true}],"releases":[],"corrections":[]})");

    // Resent with the device's credentials instead of the session: a duplicate.
    auto again = ask(**client, protocol::Push{protocol::Credentials{"HH-01", 1, token}, {receipt}});
    CHECK(std::get<protocol::PushAck>(again).results.at(0).status == protocol::OpStatus::Duplicate);
    CHECK(std::get<protocol::PushAck>(again).headCursor == 4);

    // Wrong credentials: refused, nothing applied.
    protocol::Op other = receipt;
    other.opId = "00000000-0000-4000-8000-000000000002";
    other.deviceSeq = 2;
    auto refused = ask(**client, protocol::Push{protocol::Credentials{"HH-01", 1, std::string(64, 'x')}, {other}});
    REQUIRE(std::holds_alternative<protocol::Error>(refused));
    CHECK(std::get<protocol::Error>(refused).code == "bad_credentials");

    // Garbage on the wire: an Error with bad_message, and the server keeps serving.
    auto garbage = (*client)->request("\x08\x01\xff\xff\xff garbage");
    REQUIRE(garbage);
    auto decoded = protocol::decode(*garbage);
    REQUIRE(decoded);
    REQUIRE(std::holds_alternative<protocol::Error>(*decoded));
    CHECK(std::get<protocol::Error>(*decoded).code == "bad_message");

    // Another process imports while the server runs; the server's next pull sees it.
    write(dir.path / "more.csv", "sku,description\nSKU-B,Gadget\n");
    CHECK(run("--db " + db + " import catalog " + (dir.path / "more.csv").string(), err).status == 0);
    auto pulled = ask(**client, protocol::Pull{protocol::Session{ack.sessionId}, 3, 1000, 0});
    REQUIRE(std::holds_alternative<protocol::Changes>(pulled));
    const auto& changes = std::get<protocol::Changes>(pulled);
    REQUIRE(changes.entries.size() == 2);
    CHECK(changes.entries[0].kind == "receive");
    CHECK(changes.entries[1].kind == "product");
    CHECK(changes.entries[1].payload ==
          R"({"sku":"SKU-B","description":"Gadget","gtin":null,"case_gtin":null,"case_qty":0,"safety_stock":0,"lead_time_days":0})");
    CHECK(changes.nextCursor == 5);
    CHECK(!changes.more);

    auto log = run("--db " + db + " log --after 3", err);
    CHECK(log.status == 0);
    const auto json = nlohmann::json::parse(log.out);
    REQUIRE(json.size() == 2);
    CHECK(json[0]["seq"] == 4);
    CHECK(json[0]["kind"] == "receive");
    CHECK(json[0]["payload"]["device"] == "HH-01");
    CHECK(json[0]["payload"]["allocations"][0]["qty"] == 3);
    CHECK(run("--db " + db + " backorders", err).out ==
          R"([{"order_id":"SO-1","line":1,"sku":"SKU-A","qty":5,"allocated":3,"picked":0,"state":"partially_allocated","eta":null}])"
          "\n");

    // Device admin beside the server: a second add of one name is refused; list shows the
    // epoch and when it was last seen; the same pallet twice is an exception; stock is exact.
    auto exists = run("--db " + db + " device add HH-01", err);
    CHECK(exists.status == 1);
    CHECK(slurp(err).find("\"code\":\"device_exists\"") != std::string::npos);
    auto added = run("--db " + db + " device add HH-02", err);
    CHECK(added.status == 0);
    CHECK(added.out.size() == 65);
    auto devices = nlohmann::json::parse(run("--db " + db + " device list", err).out);
    REQUIRE(devices.size() == 2);
    CHECK(devices[0]["name"] == "HH-01");
    CHECK(devices[0]["epoch"] == 1);
    CHECK(devices[0]["revoked"] == false);
    CHECK(devices[0]["last_seen"].get<std::string>().size() == 20); // YYYY-MM-DDTHH:MM:SSZ
    CHECK(devices[1].dump() == R"({"epoch":0,"last_seen":null,"name":"HH-02","revoked":false})");

    auto pallet = [](const char* id, int64_t seq) {
        return protocol::Op{id, seq, 1, "receive",
                            R"({"scan":"x","location":"DOCK","lines":[{"sku":"SKU-A","qty":10,"lot":"L1","sscc":"376104250021234569","claims":[]}]})",
                            1'800'000'000};
    };
    auto twice = ask(**client, protocol::Push{protocol::Session{ack.sessionId},
                                              {pallet("00000000-0000-4000-8000-000000000003", 2),
                                               pallet("00000000-0000-4000-8000-000000000004", 3)}});
    REQUIRE(std::holds_alternative<protocol::PushAck>(twice));
    const auto& tr = std::get<protocol::PushAck>(twice).results;
    REQUIRE(tr.size() == 2);
    CHECK(tr[0].status == protocol::OpStatus::Applied);
    CHECK(tr[1].status == protocol::OpStatus::Flagged);
    CHECK(tr[1].code == "sscc_received");
    auto exceptions = nlohmann::json::parse(run("--db " + db + " exceptions", err).out);
    REQUIRE(exceptions.size() == 1);
    CHECK(exceptions[0]["code"] == "sscc_received");
    CHECK(exceptions[0]["op_id"] == "00000000-0000-4000-8000-000000000004");
    CHECK(exceptions[0]["device"] == "HH-01");
    CHECK(exceptions[0]["resolved"].is_null());
    const int64_t id = exceptions[0]["id"];
    CHECK(run("--db " + db + " exceptions resolve " + std::to_string(id) + " --note 'pallet returned to the carrier'", err).out ==
          "{\"resolved\":" + std::to_string(id) + "}\n");
    CHECK(run("--db " + db + " exceptions resolve " + std::to_string(id) + " --note again", err).status == 1);
    CHECK(slurp(err).find("\"code\":\"already_resolved\"") != std::string::npos);
    CHECK(run("--db " + db + " exceptions resolve 99 --note x", err).status == 1);
    CHECK(slurp(err).find("\"code\":\"unknown_exception\"") != std::string::npos);
    auto resolved = nlohmann::json::parse(run("--db " + db + " exceptions", err).out);
    CHECK(resolved[0]["resolved"] == "pallet returned to the carrier");
    auto tail = nlohmann::json::parse(run("--db " + db + " log --after 7", err).out);
    REQUIRE(!tail.empty());
    CHECK(tail.back()["kind"] == "exception_resolved");
    CHECK(tail.back()["payload"].dump() == R"({"code":"sscc_received","id":1,"note":"pallet returned to the carrier"})");
    CHECK(run("--db " + db + " stock --sku SKU-A", err).out ==
          R"([{"sku":"SKU-A","on_hand":13,"allocated":5,"quarantined":0,"free":8,"held":0,"expired":0,"locations":[{"location":"DOCK","lot":null,"expiry":null,"qty":3,"held":0},{"location":"DOCK","lot":"L1","expiry":null,"qty":10,"held":0}]}])"
          "\n");

    // Revoked: the session is refused from the next request on, and nothing is applied.
    CHECK(run("--db " + db + " device revoke HH-01", err).out == "{\"revoked\":\"HH-01\"}\n");
    auto afterRevoke = ask(**client, protocol::Push{protocol::Session{ack.sessionId}, {pallet("00000000-0000-4000-8000-000000000005", 4)}});
    REQUIRE(std::holds_alternative<protocol::Error>(afterRevoke));
    CHECK(std::get<protocol::Error>(afterRevoke).code == "revoked");
    CHECK(run("--db " + db + " device revoke HH-09", err).status == 1);
    CHECK(slurp(err).find("\"code\":\"unknown_device\"") != std::string::npos);

    const auto start = std::chrono::steady_clock::now();
    CHECK(server.stop(SIGTERM, 5s) == 0);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    CHECK(slurp(dir.path / "serve-stderr.txt") == "backfilld: stopped (SIGTERM)\n");
}

TEST_CASE("backfilld serve refuses a busy address and a half TLS configuration")
{
    Dir dir;
    const std::string db = (dir.path / "server.db").string();
    auto half = run("--db " + db + " serve --listen tcp://127.0.0.1:0 --tls-cert x.pem", dir.path / "err.txt");
    CHECK(half.status == 3);
    CHECK(slurp(dir.path / "err.txt").find("\"code\":\"bad_usage\"") != std::string::npos);

    Serving first(db, dir.path / "first.txt");
    REQUIRE(first.url.rfind("listening ", 0) == 0);
    auto busy = run("--db " + db + " serve --listen " + first.url.substr(10), dir.path / "err2.txt");
    CHECK(busy.status == 3);
    CHECK(slurp(dir.path / "err2.txt").find("\"code\":\"address_in_use\"") != std::string::npos);
    CHECK(first.stop(SIGINT, 5s) == 0);
}

namespace {

int64_t count(const std::string& db, const char* sql)
{
    sqlite3* c = nullptr;
    int64_t n = -1;
    if (sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(c, 5000);
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(c, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(c);
    return n;
}

} // namespace

TEST_CASE("SIGKILL in the middle of a push, restart, the same push again: every op applied exactly once")
{
    Dir dir;
    const fs::path err = dir.path / "stderr.txt";
    const std::string db = (dir.path / "server.db").string();
    write(dir.path / "catalog.csv", "sku,description\nSKU-A,Widget\n");
    REQUIRE(run("--db " + db + " import catalog " + (dir.path / "catalog.csv").string(), err).status == 0);
    auto enrolled = run("--db " + db + " enrol HH-01", err);
    REQUIRE(enrolled.status == 0);
    const protocol::Credentials who{"HH-01", 1, enrolled.out.substr(0, 64)};

    constexpr int kOps = 300;
    protocol::Push push{who, {}};
    for (int i = 1; i <= kOps; ++i) {
        std::string tail = std::to_string(i);
        push.ops.push_back({"00000000-0000-4000-8000-" + std::string(12 - tail.size(), '0') + tail, i, 1, "receive",
                            R"({"location":"DOCK","lines":[{"sku":"SKU-A","qty":1,"lot":"","sscc":"","claims":[]}]})",
                            1'800'000'000});
    }

    int64_t appliedBeforeKill = 0;
    {
        Serving server(db, dir.path / "serve1.txt");
        REQUIRE(server.url.rfind("listening ", 0) == 0);
        transport::ClientOptions options;
        options.url = server.url.substr(10);
        options.timeout = 60s;
        auto client = transport::Client::open(options);
        REQUIRE(client);
        REQUIRE(std::holds_alternative<protocol::HelloAck>(ask(**client, protocol::Hello{1, "HH-01", 0, who.token})));
        std::thread pusher([&] { (void)(*client)->request(protocol::encode(push)); });
        // Kill once the server has applied some of the ops and before it has answered.
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (count(db, "SELECT COUNT(*) FROM applied_ops") < kOps / 10 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(2ms);
        CHECK(server.stop(SIGKILL, 5s) == -1); // killed: no exit status
        pusher.join();
        appliedBeforeKill = count(db, "SELECT COUNT(*) FROM applied_ops");
        CHECK(appliedBeforeKill >= kOps / 10);
        MESSAGE("ops applied before SIGKILL: ", appliedBeforeKill, " of ", kOps);
    }

    Serving restarted(db, dir.path / "serve2.txt");
    REQUIRE(restarted.url.rfind("listening ", 0) == 0);
    transport::ClientOptions options;
    options.url = restarted.url.substr(10);
    options.timeout = 60s;
    auto client = transport::Client::open(options);
    REQUIRE(client);
    auto reply = ask(**client, push);
    REQUIRE(std::holds_alternative<protocol::PushAck>(reply));
    const auto& results = std::get<protocol::PushAck>(reply).results;
    REQUIRE(results.size() == static_cast<size_t>(kOps));
    int64_t duplicates = 0, applied = 0;
    for (const auto& r : results) {
        duplicates += r.status == protocol::OpStatus::Duplicate;
        applied += r.status == protocol::OpStatus::Applied;
    }
    CHECK(duplicates == appliedBeforeKill);
    CHECK(applied == kOps - appliedBeforeKill);
    CHECK(count(db, "SELECT COUNT(*) FROM applied_ops") == kOps);
    CHECK(count(db, "SELECT COUNT(*) FROM log WHERE kind = 'receive'") == kOps);
    // Read by the push's last slice (of three): the head counts every entry the push wrote.
    CHECK(std::get<protocol::PushAck>(reply).headCursor == count(db, "SELECT MAX(seq) FROM log"));
    CHECK(count(db, "SELECT SUM(qty) FROM stock WHERE sku = 'SKU-A'") == kOps);
    CHECK(restarted.stop(SIGTERM, 5s) == 0);
}

TEST_CASE("a long-poll pull is answered as soon as another device pushes, and SIGTERM ends waiting polls at once")
{
    PollerAndPusher f;

    const auto start = std::chrono::steady_clock::now();
    protocol::Message polled;
    std::thread waiting([&] { polled = ask(*f.poller, protocol::Pull{protocol::Credentials{"HH-01", 1, f.a}, 1, 100, 20000}); });
    const protocol::Op op = PollerAndPusher::receipt();
    auto pushed = ask(*f.pusher, protocol::Push{protocol::Credentials{"HH-02", 1, f.b}, {op}});
    REQUIRE(std::holds_alternative<protocol::PushAck>(pushed));
    waiting.join();
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(std::holds_alternative<protocol::Changes>(polled));
    const auto& changes = std::get<protocol::Changes>(polled);
    REQUIRE(changes.entries.size() == 1);
    CHECK(changes.entries[0].kind == "receive");
    CHECK(changes.nextCursor == 2);
    CHECK(took < 10s);

    // A poll waiting when SIGTERM comes: the server still stops within seconds.
    std::thread stuck([&] { (void)f.poller->request(protocol::encode(protocol::Pull{protocol::Credentials{"HH-01", 1, f.a}, 2, 100, 30000})); });
    std::this_thread::sleep_for(200ms); // let the poll reach the server (a race either way is fine)
    const auto stopAt = std::chrono::steady_clock::now();
    CHECK(f.server->stop(SIGTERM, 5s) == 0);
    CHECK(std::chrono::steady_clock::now() - stopAt < 5s);
    stuck.join();
}

TEST_CASE("64 long polls at once: half are held, the rest answered at once, and a push still finds a worker")
{
    // Each held poll keeps one of the server's 64 workers. Before the bound, 64 watching
    // terminals held them all, and a push waited until a poll ended (up to 30 s).
    PollerAndPusher f(5s); // the pusher waits far less than a held poll's 20 s

    constexpr int kPolls = 64;
    std::mutex m;
    std::vector<int64_t> entries; // per answered poll, how many entries it carried
    std::vector<std::thread> polls;
    for (int i = 0; i < kPolls; ++i)
        polls.emplace_back([&] {
            auto reply = f.poller->request(protocol::encode(protocol::Pull{protocol::Credentials{"HH-01", 1, f.a}, 1, 100, 20000}));
            auto message = reply ? protocol::decode(*reply) : ledger::Result<protocol::Message>(ledger::unexpected(reply.error()));
            std::lock_guard lock(m);
            entries.push_back(message && std::holds_alternative<protocol::Changes>(*message)
                                  ? static_cast<int64_t>(std::get<protocol::Changes>(*message).entries.size())
                                  : -1);
        });
    // However the test ends, the poll threads end first (a failed REQUIRE would leave them).
    struct JoinPolls {
        std::vector<std::thread>& threads;
        transport::Client& client;
        ~JoinPolls()
        {
            client.cancel();
            for (auto& t : threads)
                if (t.joinable()) t.join();
        }
    } joinPolls{polls, *f.poller};
    auto answered = [&] {
        std::lock_guard lock(m);
        return entries.size();
    };
    // The polls over the bound come back at once, with nothing.
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (answered() < kPolls / 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    REQUIRE(answered() == kPolls / 2);

    // HH-02 pushes while 32 polls are held: answered, and the held polls get its entry.
    const protocol::Op op = PollerAndPusher::receipt();
    auto pushed = f.pusher->request(protocol::encode(protocol::Push{protocol::Credentials{"HH-02", 1, f.b}, {op}}));
    REQUIRE_MESSAGE(pushed.has_value(), (pushed ? std::string() : pushed.error().code));
    for (auto& t : polls) t.join();
    std::lock_guard lock(m);
    std::sort(entries.begin(), entries.end());
    CHECK(entries == [] {
        std::vector<int64_t> v(kPolls / 2, 0);
        v.resize(kPolls, 1);
        return v;
    }());
    CHECK(f.server->stop(SIGTERM, 5s) == 0);
}

TEST_CASE("garbage on raw TCP, truncated and oversize messages are refused and the server keeps serving")
{
    Dir dir;
    const fs::path err = dir.path / "stderr.txt";
    const std::string db = (dir.path / "server.db").string();
    const std::string token = run("--db " + db + " enrol HH-01", err).out.substr(0, 64);
    Serving server(db, dir.path / "serve.txt");
    REQUIRE(server.url.rfind("listening tcp://127.0.0.1:", 0) == 0);
    const int port = std::stoi(server.url.substr(server.url.rfind(':') + 1));

    // Raw TCP: bytes that are not nng's SP handshake; the server drops the connection.
    for (const std::string& bytes : {std::string("GET / HTTP/1.0\r\n\r\n"), std::string(100000, '\xff'), std::string("\x00SP\x00", 4)}) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(fd >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        ::close(fd);
    }

    transport::ClientOptions options;
    options.url = server.url.substr(10);
    auto client = transport::Client::open(options);
    REQUIRE(client);
    // Truncated: a valid Hello cut short is not an Envelope.
    const std::string hello = protocol::encode(protocol::Hello{1, "HH-01", 0, token});
    auto cut = protocol::decode(*(*client)->request(hello.substr(0, hello.size() - 5)));
    REQUIRE(cut);
    CHECK(std::get<protocol::Error>(*cut).code == "bad_message");
    // Oversize: the server's receive limit drops the pipe; the sender sees unreachable.
    transport::ClientOptions big = options;
    big.maxMessageBytes = 16u << 20;
    auto bigClient = transport::Client::open(big);
    REQUIRE(bigClient);
    auto tooBig = (*bigClient)->request(std::string(5u << 20, 'x'));
    CHECK(!tooBig);
    // Still serving, and nothing was applied: the enrolment token still enrols.
    auto ack = ask(**client, protocol::Hello{1, "HH-01", 0, token});
    REQUIRE(std::holds_alternative<protocol::HelloAck>(ack));
    CHECK(std::get<protocol::HelloAck>(ack).epoch == 1);
    CHECK(std::get<protocol::HelloAck>(ack).headCursor == 0);
    CHECK(server.stop(SIGTERM, 5s) == 0);
}

TEST_CASE("serve over tls+tcp: a terminal trusting the CA signs in; one trusting another CA gets no reply")
{
    Dir dir;
    const fs::path err = dir.path / "stderr.txt";
    const std::string db = (dir.path / "server.db").string();
    auto p = [&](const std::string& name) { return (dir.path / name).string(); };
    auto sh = [&](const std::string& cmd) { REQUIRE(std::system((cmd + " >/dev/null 2>&1").c_str()) == 0); };
    for (const char* ca : {"ca", "other"})
        sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=" + std::string(ca) +
           " -keyout " + p(std::string(ca) + ".key") + " -out " + p(std::string(ca) + ".pem"));
    sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost -keyout " + p("server.key") +
       " -out " + p("server.csr"));
    write(p("ext"), "subjectAltName=DNS:localhost\n");
    sh("openssl x509 -req -in " + p("server.csr") + " -CA " + p("ca.pem") + " -CAkey " + p("ca.key") +
       " -CAcreateserial -days 2 -extfile " + p("ext") + " -out " + p("server.pem"));

    const std::string token = run("--db " + db + " enrol HH-01", err).out.substr(0, 64);
    Serving server(db, dir.path / "serve.txt",
                   {"--listen", "tls+tcp://127.0.0.1:0", "--tls-cert", p("server.pem"), "--tls-key", p("server.key")});
    REQUIRE_MESSAGE(server.url.rfind("listening tls+tcp://127.0.0.1:", 0) == 0, server.url);
    transport::ClientOptions options;
    options.url = server.url.substr(10);
    options.timeout = 3s;
    options.tls = transport::TlsFiles{"", "", p("other.pem"), "localhost"};
    auto untrusting = transport::Client::open(options);
    REQUIRE(untrusting);
    auto refused = (*untrusting)->request(protocol::encode(protocol::Hello{1, "HH-01", 0, token}));
    REQUIRE(!refused);
    CHECK(refused.error().code == "timeout");

    options.tls = transport::TlsFiles{"", "", p("ca.pem"), "localhost"};
    options.timeout = 10s;
    auto client = transport::Client::open(options);
    REQUIRE(client);
    auto ack = ask(**client, protocol::Hello{1, "HH-01", 0, token});
    REQUIRE(std::holds_alternative<protocol::HelloAck>(ack));
    CHECK(std::get<protocol::HelloAck>(ack).epoch == 1); // the refused attempt used nothing up
    CHECK(server.stop(SIGTERM, 5s) == 0);
}
