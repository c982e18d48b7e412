// backfilld's operations (issue 13 item 6; docs/deployment.md), with the real binaries:
// `--version` of both; `backfilld backup` (a consistent copy, also while another connection
// writes; never overwrites; errors name the file); `serve --http` with /health and /metrics
// (exact Prometheus figures after two terminals synced, one pallet received on both);
// `--config FILE` (the packaged backfilld.toml is valid; an unknown key is bad usage; the
// command line wins).

#include "e2e/BackfilldProcess.h"
#include "e2e/CliHarness.h"
#include "server/SqliteServerStore.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

using namespace backfill;
using namespace backfill::e2e;

namespace {

const char* kNow = "2026-01-15T10:00:00Z";
const std::string kGtinA = withCheckDigit("400000000001");
const std::string kPallet = withCheckDigit("34000000000000001"); // ASN-1: 10 SKU-A

struct HttpResponse {
    int status = 0;
    std::string headers;
    std::string body;
};

// get sends `GET path` to http://127.0.0.1:PORT over a plain socket and reads the answer.
HttpResponse get(const std::string& url, const std::string& path)
{
    const std::string prefix = "http://127.0.0.1:";
    REQUIRE(url.rfind(prefix, 0) == 0);
    const int port = std::stoi(url.substr(prefix.size()));
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
    std::string raw;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        raw.append(buf, static_cast<size_t>(n));
        const auto end = raw.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        // Done once Content-Length bytes of body arrived (nng may keep the connection).
        const auto cl = raw.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) {
            const size_t length = std::stoul(raw.substr(cl + 16));
            if (raw.size() >= end + 4 + length) break;
        }
    }
    ::close(fd);
    HttpResponse r;
    const auto end = raw.find("\r\n\r\n");
    REQUIRE_MESSAGE(end != std::string::npos, raw);
    REQUIRE(raw.rfind("HTTP/1.1 ", 0) == 0);
    r.status = std::stoi(raw.substr(9, 3));
    r.headers = raw.substr(0, end);
    r.body = raw.substr(end + 4);
    return r;
}

std::string metricValue(const std::string& text, const std::string& series)
{
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return "missing";
    const auto start = at + 1 + series.size() + 1;
    return text.substr(start, text.find('\n', start) - start);
}

std::string slurpFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void importMasterData(const Backfilld& s)
{
    s.import("locations", "code,kind,sequence\nDOCK,receiving,1\nA-01,storage,100\n", 2);
    s.import("catalog", "sku,description,gtin\nSKU-A,Widget," + kGtinA + "\n", 1);
    s.import("inbound", "inbound_id,supplier,sku,qty,eta,sscc\nASN-1,Acme,SKU-A,10,2026-01-20," + kPallet + "\n", 1);
    s.import("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\nSO-1,1,Ann,SKU-A,4,0,2026-01-01\nSO-2,1,Bob,SKU-A,30,0,2026-01-02\n", 2);
}

} // namespace

TEST_CASE("--version: both binaries print their name and the project's version")
{
    CliHarness h;
    const std::string version = std::getenv("BACKFILL_VERSION"); // CMake's project version
    const auto terminal = h.runRaw({"--version"});
    CHECK(terminal.status == 0);
    CHECK(terminal.out == "backfill " + version + "\n");
    const auto server = h.runProgram(backfilldBin(), {"--version"});
    CHECK(server.status == 0);
    CHECK(server.out == "backfilld " + version + "\n");
}

TEST_CASE("backup: a consistent copy that backfilld reads as the original; never overwrites; errors name the file")
{
    CliHarness h;
    Backfilld s(h);
    importMasterData(s);
    const std::string copy = (h.dir() / "copy.db").string();
    const Json done = s.json({"backup", copy});
    CHECK(done["backup"] == copy);
    CHECK(done["bytes"].get<int64_t>() == static_cast<int64_t>(std::filesystem::file_size(copy)));
    CHECK(done["pages"].get<int64_t>() * 4096 == done["bytes"].get<int64_t>());
    // One plain file: no -wal or -shm beside it, and every backfilld reader sees the same.
    CHECK_FALSE(std::filesystem::exists(copy + "-wal"));
    for (const auto& what : std::vector<std::vector<std::string>>{{"stock"}, {"backorders"}, {"log"}, {"device", "list"}}) {
        CAPTURE(what[0]);
        auto fromCopy = what;
        fromCopy.insert(fromCopy.begin(), {"--db", copy});
        const auto r = h.runProgram(backfilldBin(), fromCopy);
        REQUIRE(r.status == 0);
        CHECK(r.json() == s.json(what));
    }

    SUBCASE("a second backup to the same name is refused and the first is left byte-identical")
    {
        const std::string before = slurpFile(copy);
        s.import("catalog", "sku,description,gtin\nSKU-B,Gadget," + withCheckDigit("400000000002") + "\n", 1);
        const auto again = s.run({"backup", copy});
        CHECK(again.status == 1);
        CHECK(again.codes() == std::vector<std::string>{"backup_exists"});
        CHECK(again.out == "");
        CHECK(slurpFile(copy) == before);
    }
    SUBCASE("a folder that does not exist: db_io naming the backup, nothing left behind")
    {
        const std::string bad = (h.dir() / "no-such-folder" / "b.db").string();
        const auto r = s.run({"backup", bad});
        CHECK(r.status == 3);
        CHECK(r.codes() == std::vector<std::string>{"db_io"});
        CHECK(r.err.find(bad + ": creating the backup file") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(h.dir() / "no-such-folder"));
    }
    SUBCASE("while another connection commits: the copy is one moment of the log, checked and complete")
    {
        // A writer appends log entries in their own transactions while the backups run.
        std::atomic<bool> stop{false};
        std::atomic<int64_t> written{0};
        std::thread writer([&] {
            auto store = server::SqliteServerStore::open(s.db());
            REQUIRE(store);
            while (!stop) {
                auto r = (*store)->transact("writing", [&]() -> ledger::Result<void> {
                    auto seq = (*store)->appendLog("note", R"({"n":)" + std::to_string(written.load()) + "}");
                    if (!seq) return ledger::unexpected(seq.error());
                    return {};
                });
                REQUIRE(r);
                ++written;
            }
        });
        std::vector<std::string> copies;
        for (int i = 0; i < 3; ++i) {
            while (written.load() < 50 * (i + 1)) std::this_thread::yield();
            copies.push_back((h.dir() / ("live" + std::to_string(i) + ".db")).string());
            const auto r = s.run({"backup", copies.back()});
            INFO(r);
            CHECK(r.status == 0);
        }
        stop = true;
        writer.join();
        const Json full = s.json({"log"});
        int64_t previous = 0;
        for (const auto& c : copies) {
            const auto r = h.runProgram(backfilldBin(), {"--db", c, "log"});
            REQUIRE(r.status == 0);
            const Json log = r.json();
            // A prefix of the final log: entries 1..K, each exactly as the original has it.
            REQUIRE(log.size() <= full.size());
            for (size_t i = 0; i < log.size(); ++i) CHECK(log[i] == full[i]);
            CHECK(static_cast<int64_t>(log.size()) > previous);
            previous = static_cast<int64_t>(log.size());
        }
    }
}

TEST_CASE("serve --http: /health and /metrics with exact figures after two terminals synced")
{
    CliHarness t1, t2;
    Backfilld s(t1);
    importMasterData(s);
    const std::string token1 = s.addDevice("HH-01"), token2 = s.addDevice("HH-02");
    s.serveWith({"--db", s.db(), "serve", "--listen", "tcp://127.0.0.1:0", "--http", "http://127.0.0.1:0"});
    REQUIRE(s.before().size() == 1);
    REQUIRE(s.before()[0].rfind("http http://127.0.0.1:", 0) == 0);
    const std::string http = s.before()[0].substr(5);

    const auto health = get(http, "/health");
    CHECK(health.status == 200);
    CHECK(Json::parse(health.body) == Json{{"status", "ok"}, {"log_head", s.json({"log"}).size()}});
    const auto empty = get(http, "/metrics");
    CHECK(empty.status == 200);
    CHECK(empty.headers.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
    CHECK(metricValue(empty.body, "backfilld_ops_total{result=\"applied\"}") == "0");
    CHECK(metricValue(empty.body, "backfilld_devices") == "2");
    CHECK(metricValue(empty.body, "backfilld_connected_terminals") == "0");
    CHECK(get(http, "/nothing-here").status == 404);

    // Both terminals receive the same pallet offline (10 SKU-A: SO-1 4, SO-2 6) and sync.
    for (auto [t, device, token] : {std::tuple{&t1, "HH-01", token1}, std::tuple{&t2, "HH-02", token2}}) {
        const auto e = t->run({"--now", kNow, "enroll", "--server", s.url(), "--device", device, "--token", token});
        INFO(e);
        REQUIRE(e.status == 0);
        const auto r = t->run({"--now", kNow, "receive", "(00)" + kPallet});
        INFO(r);
        REQUIRE(r.status == 0);
    }
    for (auto* t : {&t1, &t2}) {
        const auto r = t->run({"--now", kNow, "sync"});
        INFO(r);
        REQUIRE(r.status == 0);
    }
    const auto m = get(http, "/metrics").body;
    INFO(m);
    // HH-01's receipt applied; HH-02's flagged (the pallet was received already), its two
    // claims (SO-1 4, SO-2 6) cut: two corrections, one exception for a person.
    CHECK(metricValue(m, "backfilld_ops_total{result=\"applied\"}") == "1");
    CHECK(metricValue(m, "backfilld_ops_total{result=\"flagged\"}") == "1");
    CHECK(metricValue(m, "backfilld_ops_total{result=\"duplicate\"}") == "0");
    CHECK(metricValue(m, "backfilld_ops_total{result=\"rejected\"}") == "0");
    CHECK(metricValue(m, "backfilld_corrections_total") == "2");
    CHECK(metricValue(m, "backfilld_open_exceptions") == "1");
    CHECK(metricValue(m, "backfilld_connected_terminals") == "2");
    CHECK(metricValue(m, "backfilld_requests_refused_total") == "0");
    CHECK(metricValue(m, "backfilld_log_head") == std::to_string(s.json({"log"}).size()));
    CHECK(std::stoi(metricValue(m, "backfilld_requests_total{kind=\"push\"}")) >= 2);
    // A person resolves the exception with the CLI while the server runs: the gauge follows.
    REQUIRE(s.json({"exceptions", "resolve", "1", "--note", "pallet counted, one receipt kept"}) == Json{{"resolved", 1}});
    CHECK(metricValue(get(http, "/metrics").body, "backfilld_open_exceptions") == "0");
    CHECK(s.kill(SIGTERM) == 0);
}

TEST_CASE("serve --http refuses what is not http://HOST:PORT, and serves nothing")
{
    CliHarness h;
    Backfilld s(h);
    const auto r = s.run({"serve", "--listen", "tcp://127.0.0.1:0", "--http", "ftp://127.0.0.1:0"});
    CHECK(r.status == 3);
    CHECK(r.codes() == std::vector<std::string>{"bad_address"});
    CHECK(r.out == "");
}

TEST_CASE("--config: the packaged backfilld.toml is valid; the command line wins; an unknown key is bad usage")
{
    CliHarness h;
    const std::string packaged = std::string(std::getenv("BACKFILL_SOURCE")) + "/packaging/backfilld.toml";
    const std::string db = (h.dir() / "here.db").string();
    // The packaged file names /var/lib/backfill; --db on the command line wins.
    const auto listed = h.runProgram(backfilldBin(), {"--config", packaged, "--db", db, "device", "list"});
    INFO(listed);
    CHECK(listed.status == 0);
    CHECK(listed.out == "[]\n");
    CHECK(std::filesystem::exists(db));

    // A file of our own: the database and serve's addresses from it.
    const std::string other = (h.dir() / "other.db").string();
    const auto config = h.writeFile("backfilld.toml", "# test\ndb = \"" + other +
                                                          "\"\n\n[serve]\nlisten = \"tcp://127.0.0.1:0\"\nhttp = \"http://127.0.0.1:0\"\n");
    Backfilld s(h);
    s.serveWith({"--config", config, "serve"});
    REQUIRE(s.before().size() == 1);
    CHECK(s.before()[0].rfind("http http://127.0.0.1:", 0) == 0);
    CHECK(get(s.before()[0].substr(5), "/health").status == 200);
    CHECK(s.kill(SIGTERM) == 0);
    CHECK(std::filesystem::exists(other));

    const auto unknown = h.writeFile("bad.toml", "db = \"" + other + "\"\ncolour = \"red\"\n");
    const auto r = h.runProgram(backfilldBin(), {"--config", unknown, "device", "list"});
    CHECK(r.status == 3);
    CHECK(r.codes() == std::vector<std::string>{"bad_usage"});
    CHECK(r.err.find("colour") != std::string::npos);
}
