// Users at the server (docs/server.md, Users): the rules in process over a real SQLite file,
// with the exact log entries and codes; then end to end with the real binaries: a user added
// at a serving backfilld signs in on an enrolled terminal after `backfill sync`, the terminal
// refuses its own user admin (`enrolled`), and once the server has no user again the
// terminal's commands run as `cli`.

#include "pin/PinHash.h"
#include "server/Users.h"
#include "server/SqliteServerStore.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

using namespace backfill;
using namespace backfill::server;
using Json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

fs::path freshDir(const std::string& name)
{
    const auto dir = fs::temp_directory_path() / ("backfilld_users_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string env(const char* name)
{
    const char* v = std::getenv(name);
    REQUIRE_MESSAGE(v != nullptr, name, " is not set (run through ctest)");
    return v;
}

struct Run {
    int status = -1;
    std::string out;
    std::string err;
};

// run runs a shell command line (already quoted), returning its exit status, stdout and stderr.
Run run(const std::string& command, const fs::path& dir)
{
    const fs::path errFile = dir / "stderr.txt";
    FILE* p = ::popen((command + " 2>" + errFile.string()).c_str(), "r");
    REQUIRE(p);
    Run r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    FILE* e = std::fopen(errFile.c_str(), "r");
    if (e) {
        while ((n = std::fread(buf, 1, sizeof buf, e)) > 0) r.err.append(buf, n);
        std::fclose(e);
    }
    return r;
}

std::string codeOf(const std::string& line)
{
    const Json j = Json::parse(line, nullptr, false);
    return j.is_object() ? j.value("code", "") : "";
}

} // namespace

TEST_CASE("user rules at the server: the terminal's codes, one log entry per change, the hash in the entry")
{
    const auto dir = freshDir("rules");
    auto opened = SqliteServerStore::open((dir / "server.db").string());
    REQUIRE(opened);
    auto& store = **opened;
    CHECK(addUser(store, "rita", ledger::Role::Receiver, "1234").error().code == "supervisor_required");
    CHECK(addUser(store, "cli", ledger::Role::Supervisor, "1234").error().code == "bad_user_name");
    CHECK(addUser(store, "boss", ledger::Role::Supervisor, "12").error().code == "bad_pin_format");
    CHECK(*store.headSeq() == 0);

    REQUIRE(addUser(store, "boss", ledger::Role::Supervisor, "4711"));
    REQUIRE(addUser(store, "rita", ledger::Role::Receiver, "1234"));
    CHECK(addUser(store, "rita", ledger::Role::Picker, "1234").error().code == "duplicate_user");
    auto entries = *store.entriesAfter(0, 10);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].kind == "user");
    const Json boss = Json::parse(entries[0].payload);
    CHECK(boss.size() == 3);
    CHECK(boss["name"] == "boss");
    CHECK(boss["role"] == "supervisor");
    const std::string hash = boss["pin_hash"];
    CHECK(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
    CHECK(pin::pinMatches(hash, "4711"));
    CHECK(!pin::pinMatches(hash, "4712"));
    const auto users = *store.users();
    REQUIRE(users.size() == 2);
    CHECK(users[0].name == "boss");
    CHECK(users[1].role == ledger::Role::Receiver);

    CHECK(removeUser(store, "nobody").error().code == "unknown_user");
    CHECK(removeUser(store, "boss").error().code == "last_supervisor");
    REQUIRE(removeUser(store, "rita"));
    REQUIRE(removeUser(store, "boss")); // the last user of all may go
    entries = *store.entriesAfter(2, 10);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].kind == "user_removed");
    CHECK(entries[0].payload == R"({"name":"rita"})");
    CHECK(entries[1].payload == R"({"name":"boss"})");
    CHECK(store.users()->empty());
    opened->reset();
    fs::remove_all(dir);
}

TEST_CASE("end to end: a user added at the server signs in on an enrolled terminal after backfill sync")
{
    const auto dir = freshDir("e2e");
    const std::string server = env("BACKFILLD_BIN") + " --db " + (dir / "server.db").string();
    const std::string terminal = env("BACKFILL_BIN") + " --db " + (dir / "terminal.db").string();
    const auto token = run(server + " device add HH-01", dir);
    REQUIRE(token.status == 0);

    // Serving, with its stdout on a pipe for the `listening URL` line.
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const std::string exe = env("BACKFILLD_BIN");
    const std::string db = (dir / "server.db").string();
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(fds[1], 1);
        ::close(fds[0]);
        ::close(fds[1]);
        ::execl(exe.c_str(), exe.c_str(), "--db", db.c_str(), "serve", "--listen", "tcp://127.0.0.1:0", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[1]);
    std::string line;
    for (const auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;) {
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        char c;
        if (::read(fds[0], &c, 1) != 1 || c == '\n') break;
        line += c;
    }
    REQUIRE(line.rfind("listening ", 0) == 0);
    const std::string url = line.substr(10);

    std::string tok = token.out;
    while (!tok.empty() && tok.back() == '\n') tok.pop_back();
    const auto enrolled = run(terminal + " enroll --server " + url + " --device HH-01 --token " + tok, dir);
    CHECK_MESSAGE(enrolled.status == 0, enrolled.err);
    // Neither the terminal nor its server has users: commands run as cli.
    auto undo = run("env -u BACKFILL_PIN " + terminal + " undo", dir);
    CHECK(undo.status == 1);
    CHECK(codeOf(undo.out) == "nothing_to_undo");

    // Added at the serving server (PIN on stdin), pulled by sync.
    const auto added = run("echo 4711 | " + server + " user add boss --role supervisor", dir);
    CHECK(added.status == 0);
    CHECK(added.out == "{\"name\":\"boss\",\"role\":\"supervisor\"}\n");
    CHECK(run(server + " user list", dir).out == "[{\"name\":\"boss\",\"role\":\"supervisor\"}]\n");
    const auto synced = run(terminal + " sync", dir);
    CHECK_MESSAGE(synced.status == 0, synced.err);
    CHECK(run(terminal + " user list", dir).out == "[{\"name\":\"boss\",\"role\":\"supervisor\"}]\n");

    undo = run("env -u BACKFILL_PIN " + terminal + " undo", dir);
    CHECK(undo.status == 5);
    CHECK(codeOf(undo.err) == "auth_required");
    undo = run("env BACKFILL_PIN=4711 " + terminal + " --operator boss undo", dir);
    CHECK(undo.status == 1); // signed in offline with the server's hash; nothing to undo
    CHECK(codeOf(undo.out) == "nothing_to_undo");
    undo = run("env BACKFILL_PIN=1111 " + terminal + " --operator boss undo", dir);
    CHECK(undo.status == 5);
    CHECK(codeOf(undo.err) == "bad_pin");

    // The terminal's own user admin is refused: the server is the master.
    const auto own = run("env BACKFILL_PIN=4711 " + terminal + " --operator boss user add rita --role receiver --pin 1234", dir);
    CHECK(own.status == 1);
    CHECK(codeOf(own.err) == "enrolled");
    CHECK(codeOf(run(terminal + " user remove boss", dir).err) == "enrolled");

    // Removed at the server: after sync the terminal has no user and runs as cli again.
    CHECK(run(server + " user remove boss", dir).status == 0);
    CHECK(run(terminal + " sync", dir).status == 0);
    CHECK(run(terminal + " user list", dir).out == "[]\n");
    undo = run("env -u BACKFILL_PIN " + terminal + " undo", dir);
    CHECK(codeOf(undo.out) == "nothing_to_undo");

    ::kill(pid, SIGTERM);
    int st = 0;
    ::waitpid(pid, &st, 0);
    ::close(fds[0]);
    fs::remove_all(dir);
}
