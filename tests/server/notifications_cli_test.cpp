// The notification commands of the real backfilld binary (BACKFILLD_BIN) against a real SMTP
// sink on 127.0.0.1 (tests/server/SmtpSink.h): import waitlist, notifications (exact JSON),
// notify with the relay down then back (every run its own process: a restart between each),
// a sender killed while the relay held its reply, unsubscribe, the daily limit by --today,
// and serve --smtp sending in the background.

#include "SmtpSink.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

struct Run {
    int status = -1;
    std::string out;
    std::string err;
    Json json() const { return Json::parse(out); }
};

std::string slurp(const fs::path& p)
{
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

struct Cli {
    fs::path dir;
    std::string bin;

    Cli()
    {
        const char* b = std::getenv("BACKFILLD_BIN");
        REQUIRE_MESSAGE(b != nullptr, "BACKFILLD_BIN is not set (run through ctest)");
        bin = b;
        dir = fs::temp_directory_path() / ("backfilld_notify_cli_" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~Cli() { fs::remove_all(dir); }

    std::string file(const std::string& name, const std::string& text)
    {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    }

    std::vector<std::string> argv(const std::string& today, const std::vector<std::string>& args) const
    {
        std::vector<std::string> all{bin, "--db", (dir / "server.db").string(), "--today", today};
        all.insert(all.end(), args.begin(), args.end());
        return all;
    }

    // spawn starts backfilld with stdout and stderr in files; returns its pid.
    pid_t spawn(const std::vector<std::string>& args, const std::string& tag)
    {
        std::vector<std::string> a = args;
        std::vector<char*> v;
        for (auto& s : a) v.push_back(s.data());
        v.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        const std::string out = (dir / (tag + ".out")).string(), err = (dir / (tag + ".err")).string();
        posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        pid_t pid = -1;
        const int rc = ::posix_spawn(&pid, a[0].c_str(), &fa, nullptr, v.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        REQUIRE(rc == 0);
        return pid;
    }
    Run wait(pid_t pid, const std::string& tag)
    {
        int st = 0;
        while (::waitpid(pid, &st, 0) < 0) {
        }
        Run r;
        r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        r.out = slurp(dir / (tag + ".out"));
        r.err = slurp(dir / (tag + ".err"));
        return r;
    }
    Run run(const std::vector<std::string>& args, const std::string& today = "2026-12-01")
    {
        return wait(spawn(argv(today, args), "run"), "run");
    }
    Json ok(const std::vector<std::string>& args, const std::string& today = "2026-12-01")
    {
        auto r = run(args, today);
        INFO(r.err);
        REQUIRE(r.status == 0);
        return r.json();
    }
};

// stable drops what depends on the clock or on the database's random id, after checking
// their shape.
Json stable(Json rows)
{
    for (auto& r : rows) {
        const std::string id = r["message_id"];
        CHECK(id.rfind("<n" + std::to_string(r["id"].get<int64_t>()) + ".", 0) == 0);
        CHECK(id.size() == std::string("<n.0123456789abcdef@backfilld>").size() + std::to_string(r["id"].get<int64_t>()).size());
        r.erase("message_id");
        if (r["sent_at"].is_string()) r["sent_at"] = "set";
        if (r["next_attempt_at"].is_string()) r["next_attempt_at"] = "set";
        if (r["last_error"].is_string()) r["last_error"] = "set";
    }
    return rows;
}

Json etaFirst(int id, const char* order, const char* email, int qty, const char* state)
{
    return {{"id", id},           {"kind", "eta_first"},     {"state", state},
            {"email", email},     {"order_id", order},       {"line", 1},
            {"sku", "SKU-A"},     {"qty", qty},              {"eta", "2026-12-10"},
            {"previous_eta", nullptr}, {"day", "2026-12-01"}, {"subject", std::string("Order ") + order + ": expected 2026-12-10"},
            {"attempts", 0},      {"queued_at", "2026-12-01T00:00:00Z"}, {"next_attempt_at", nullptr},
            {"sent_at", nullptr}, {"last_error", nullptr}};
}

void setUp(Cli& cli)
{
    CHECK(cli.ok({"import", "catalog", cli.file("catalog.csv", "sku,description\nSKU-A,Widget\nSKU-B,Gadget\n")}) ==
          Json{{"imported", 2}});
    CHECK(cli.ok({"import", "backorders",
                  cli.file("backorders.csv", "order_id,line,customer,email,sku,qty,ordered_at\n"
                                             "SO-1,1,Ann,ann@example.com,SKU-A,5,2026-11-20\n"
                                             "SO-2,1,Bob,bob@example.com,SKU-A,3,2026-11-21\n")}) == Json{{"imported", 2}});
    CHECK(cli.ok({"import", "inbound", cli.file("inbound.csv", "inbound_id,supplier,sku,qty,eta\nASN-1,Acme,SKU-A,8,2026-12-10\n")}) ==
          Json{{"imported", 1}});
}

} // namespace

TEST_CASE("backfilld notifications, notify (relay down then back), unsubscribe, import waitlist, the daily limit")
{
    Cli cli;
    setUp(cli);
    CHECK(stable(cli.ok({"notifications"})) ==
          Json::array({etaFirst(1, "SO-1", "ann@example.com", 5, "pending"), etaFirst(2, "SO-2", "bob@example.com", 3, "pending")}));

    // The waitlist: refusals change nothing; SKU-B has no stock, the entry waits.
    const auto bad = cli.run({"import", "waitlist", cli.file("bad.csv", "email,sku\nann,SKU-B\ncy@example.com,SKU-X\n")});
    CHECK(bad.status == 2);
    CHECK(bad.err == "{\"code\":\"bad_email\",\"error\":\"" + (cli.dir / "bad.csv").string() +
                         ":2: column email: \\\"ann\\\" is not an e-mail address like name@example.com\"}\n");
    const auto unknown = cli.run({"import", "waitlist", cli.file("unknown.csv", "email,sku\ncy@example.com,SKU-X\n")});
    CHECK(unknown.status == 2);
    CHECK(unknown.err.find("\"code\":\"unknown_sku\"") != std::string::npos);
    CHECK(cli.ok({"import", "waitlist", cli.file("waitlist.csv", "email,sku\ncy@example.com,SKU-B\n")}) == Json{{"imported", 1}});
    CHECK(cli.ok({"notifications"}).size() == 2);

    // Same day: ASN-1 slips to 12-12; each line was told today: nothing new.
    cli.ok({"import", "inbound", cli.file("slip.csv", "inbound_id,supplier,sku,qty,eta\nASN-1,Acme,SKU-A,8,2026-12-12\n")});
    CHECK(cli.ok({"notifications"}).size() == 2);

    backfill::test::SmtpSink sink;
    const std::string url = sink.url();
    sink.down();
    // 12-02, relay down: the held-back changes are queued first, then nothing can be sent.
    CHECK(cli.ok({"notify", "--smtp", url, "--smtp-from", "shop@example.com"}, "2026-12-02") ==
          Json{{"sent", 0}, {"retry", 4}, {"failed", 0}, {"pending", 4}});
    auto rows = cli.ok({"notifications", "--state", "pending"});
    REQUIRE(rows.size() == 4);
    CHECK(rows[2]["kind"] == "eta_changed");
    CHECK(rows[2]["order_id"] == "SO-1");
    CHECK(rows[2]["eta"] == "2026-12-12");
    CHECK(rows[2]["previous_eta"] == "2026-12-10");
    CHECK(rows[2]["day"] == "2026-12-02");
    CHECK(rows[2]["queued_at"] == "2026-12-02T00:00:00Z");
    for (const auto& r : rows) {
        CHECK(r["attempts"] == 1);
        CHECK(r["next_attempt_at"].is_string());
        CHECK(r["last_error"].get<std::string>().find("Couldn't connect") != std::string::npos);
    }

    // The relay is back: within the back-off nothing is due; --ignore-backoff sends all.
    sink.up();
    CHECK(cli.ok({"notify", "--smtp", url, "--smtp-from", "shop@example.com"}, "2026-12-02") ==
          Json{{"sent", 0}, {"retry", 0}, {"failed", 0}, {"pending", 4}});
    CHECK(cli.ok({"notify", "--smtp", url, "--smtp-from", "shop@example.com", "--ignore-backoff"}, "2026-12-02") ==
          Json{{"sent", 4}, {"retry", 0}, {"failed", 0}, {"pending", 0}});
    CHECK(cli.ok({"notify", "--smtp", url, "--ignore-backoff"}, "2026-12-02") ==
          Json{{"sent", 0}, {"retry", 0}, {"failed", 0}, {"pending", 0}});
    const auto sent = cli.ok({"notifications", "--state", "sent"});
    REQUIRE(sent.size() == 4);
    const auto got = sink.messages();
    REQUIRE(got.size() == 4);
    for (size_t i = 0; i < 4; ++i) {
        CHECK(got[i].messageId == sent[i]["message_id"]);
        CHECK(got[i].to == std::vector<std::string>{sent[i]["email"].get<std::string>()});
        CHECK(sent[i]["attempts"] == 2);
        CHECK(sent[i]["last_error"].is_null());
    }
    CHECK(got[2].header("Subject") == "Order SO-1: new date 2026-12-12");

    // unsubscribe: exact replies; a bad address is refused.
    CHECK(cli.ok({"unsubscribe", "Bob@Example.com"}) ==
          Json{{"email", "bob@example.com"}, {"unsubscribed", true}, {"already", false}, {"dropped", 0}});
    CHECK(cli.ok({"unsubscribe", "bob@example.com"}) ==
          Json{{"email", "bob@example.com"}, {"unsubscribed", true}, {"already", true}, {"dropped", 0}});
    const auto refused = cli.run({"unsubscribe", "bob"});
    CHECK(refused.status == 1);
    CHECK(refused.err == "{\"code\":\"bad_email\",\"error\":\"'bob' is not an e-mail address like name@example.com\"}\n");

    // 12-03: ASN-1 moves to 12-20: Ann is told (a new day); Bob is unsubscribed: recorded, never sent.
    cli.ok({"import", "inbound", cli.file("slip2.csv", "inbound_id,supplier,sku,qty,eta\nASN-1,Acme,SKU-A,8,2026-12-20\n")}, "2026-12-03");
    rows = cli.ok({"notifications"});
    REQUIRE(rows.size() == 6);
    CHECK(rows[4]["state"] == "pending");
    CHECK(rows[4]["email"] == "ann@example.com");
    CHECK(rows[5]["state"] == "unsubscribed");
    CHECK(rows[5]["email"] == "bob@example.com");
    CHECK(cli.ok({"notify", "--smtp", url}, "2026-12-03") == Json{{"sent", 1}, {"retry", 0}, {"failed", 0}, {"pending", 0}});
    CHECK(sink.messages().size() == 5);

    const auto usage = cli.run({"notify"});
    CHECK(usage.status == 3);
    CHECK(usage.err.find("\"code\":\"bad_usage\"") != std::string::npos);
}

TEST_CASE("backfilld notify killed while the relay held its reply: after a restart every message is accepted exactly once")
{
    Cli cli;
    setUp(cli);
    // Three more lines get a first date: five messages in all.
    cli.ok({"import", "backorders", cli.file("more.csv", "order_id,line,customer,email,sku,qty,ordered_at\n"
                                                        "SO-3,1,Cy,cy@example.com,SKU-A,4,2026-11-22\n"
                                                        "SO-4,1,Dan,dan@example.com,SKU-A,4,2026-11-23\n"
                                                        "SO-5,1,Eve,eve@example.com,SKU-A,4,2026-11-24\n")});
    cli.ok({"import", "inbound", cli.file("more-inbound.csv", "inbound_id,supplier,sku,qty,eta\nASN-2,Acme,SKU-A,12,2026-12-10\n")});
    REQUIRE(cli.ok({"notifications"}).size() == 5);

    backfill::test::SmtpSink sink;
    sink.holdData(true);
    const pid_t pid = cli.spawn(cli.argv("2026-12-01", {"notify", "--smtp", sink.url()}), "killed");
    REQUIRE(sink.waitFor([](const auto&, size_t held) { return held == 1; }));
    ::kill(pid, SIGKILL);
    CHECK(cli.wait(pid, "killed").status == -1);
    // The relay saw the first message's data but never accepted it: not delivered.
    REQUIRE(sink.waitFor([&](const auto& m, size_t) { return m.empty() && sink.connections() == 1; }));
    const auto before = cli.ok({"notifications"});
    for (const auto& r : before) {
        CHECK(r["state"] == "pending");
        CHECK(r["attempts"] == 0);
    }

    sink.release();
    CHECK(cli.ok({"notify", "--smtp", sink.url()}) == Json{{"sent", 5}, {"retry", 0}, {"failed", 0}, {"pending", 0}});
    const auto got = sink.messages();
    REQUIRE(got.size() == 5);
    std::set<std::string> ids;
    for (const auto& m : got) ids.insert(m.messageId);
    CHECK(ids.size() == 5);
    const auto after = cli.ok({"notifications"});
    for (size_t i = 0; i < after.size(); ++i) {
        CHECK(after[i]["state"] == "sent");
        CHECK(after[i]["message_id"] == before[i]["message_id"]);
        CHECK(got[i].messageId == after[i]["message_id"]);
    }
}

TEST_CASE("backfilld serve --smtp sends in the background what imports queue")
{
    Cli cli;
    backfill::test::SmtpSink sink;
    CHECK(cli.ok({"import", "catalog", cli.file("catalog.csv", "sku,description\nSKU-A,Widget\n")}) == Json{{"imported", 1}});
    const pid_t pid = cli.spawn(cli.argv("2026-12-01", {"serve", "--listen", "tcp://127.0.0.1:0", "--smtp", sink.url(), "--smtp-from",
                                                        "shop@example.com", "--notify-interval", "0.2"}),
                                "serve");
    cli.ok({"import", "backorders", cli.file("b.csv", "order_id,line,customer,email,sku,qty,ordered_at\nSO-1,1,Ann,ann@example.com,SKU-A,5,2026-11-20\n")});
    cli.ok({"import", "inbound", cli.file("i.csv", "inbound_id,supplier,sku,qty,eta\nASN-1,Acme,SKU-A,5,2026-12-10\n")});
    const bool delivered = sink.waitFor([](const auto& m, size_t) { return m.size() == 1; });
    ::kill(pid, SIGTERM);
    const auto served = cli.wait(pid, "serve");
    INFO(served.err);
    REQUIRE(delivered);
    CHECK(served.status == 0);
    CHECK(sink.messages()[0].header("Subject") == "Order SO-1: expected 2026-12-10");
    CHECK(sink.messages()[0].from == "shop@example.com");
    const auto rows = cli.ok({"notifications"});
    REQUIRE(rows.size() == 1);
    CHECK(rows[0]["state"] == "sent");
    CHECK(rows[0]["message_id"] == sink.messages()[0].messageId);
}
