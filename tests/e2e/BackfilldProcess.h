#pragma once
// Backfilld: the real backfilld ($BACKFILLD_BIN) for end-to-end tests: its database in a
// CliHarness's folder, its commands, and `serve` while running (stdout on a pipe for the
// `listening URL` line; stderr appended to serve-stderr.txt in the folder).

#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace backfill::e2e {

inline std::string backfilldBin()
{
    const char* b = std::getenv("BACKFILLD_BIN");
    if (!b || !*b) throw std::runtime_error("BACKFILLD_BIN is not set: run the test through ctest");
    return b;
}

// Backfilld is backfilld: its database in `h`'s folder, its commands, and `serve` while running.
class Backfilld {
public:
    explicit Backfilld(const CliHarness& h) : m_h(h), m_db((h.dir() / "server.db").string()) {}
    // A database elsewhere (a small disk).
    Backfilld(const CliHarness& h, std::string db) : m_h(h), m_db(std::move(db)) {}
    ~Backfilld() { kill(SIGKILL); }

    RunResult run(const std::vector<std::string>& args, const std::string& input = "") const
    {
        std::vector<std::string> all{"--db", m_db, "--today", CliHarness::kToday};
        all.insert(all.end(), args.begin(), args.end());
        return m_h.runProgram(backfilldBin(), all, input);
    }
    Json json(const std::vector<std::string>& args) const
    {
        auto r = run(args);
        INFO(r);
        REQUIRE(r.status == 0);
        return r.json();
    }
    void import(const std::string& kind, const std::string& csv, int64_t n) const
    {
        const auto file = m_h.writeFile("server-" + kind + ".csv", csv);
        CHECK(json({"import", kind, file}) == Json{{"imported", n}});
    }
    // addDevice runs `device add NAME` and gives the token it printed.
    std::string addDevice(const std::string& name) const
    {
        auto r = run({"device", "add", name});
        INFO(r);
        REQUIRE(r.status == 0);
        REQUIRE(r.out.size() == 65);
        return r.out.substr(0, 64);
    }

    // serve starts `backfilld serve --listen URL` and waits for its `listening URL` line.
    void serve(const std::string& url = "tcp://127.0.0.1:0") { serveWith({"--db", m_db, "serve", "--listen", url}); }
    // serveWith starts `backfilld ARGS...` (which must serve) and waits for its `listening
    // URL` line; the lines it printed before that are in before().
    void serveWith(const std::vector<std::string>& backfilldArgs)
    {
        REQUIRE(m_pid < 0);
        std::vector<std::string> args{backfilldBin()};
        args.insert(args.end(), backfilldArgs.begin(), backfilldArgs.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
        posix_spawn_file_actions_addclose(&fa, fds[1]);
        const auto err = (m_h.dir() / "serve-stderr.txt").string();
        posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        const int rc = ::posix_spawn(&m_pid, args[0].c_str(), &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        ::close(fds[1]);
        REQUIRE(rc == 0);
        m_out = fds[0];
        m_before.clear();
        for (;;) {
            const std::string line = readLine(std::chrono::seconds(30));
            if (line.rfind("listening ", 0) == 0) {
                REQUIRE_MESSAGE(line.rfind("listening tcp://127.0.0.1:", 0) == 0, line);
                m_url = line.substr(std::string("listening ").size());
                break;
            }
            REQUIRE_MESSAGE(!line.empty(), "backfilld printed no `listening` line; its stderr: " << m_h.dir().string()
                                                                                                  << "/serve-stderr.txt");
            m_before.push_back(line);
        }
    }
    const std::vector<std::string>& before() const { return m_before; }
    // kill sends `signal` and waits for the exit; gives the exit status (-1: killed by it).
    int kill(int signal)
    {
        if (m_pid < 0) return -1;
        ::kill(m_pid, signal);
        int st = 0;
        while (::waitpid(m_pid, &st, 0) < 0) {
        }
        m_pid = -1;
        ::close(m_out);
        m_out = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    const std::string& url() const { return m_url; }
    const std::string& db() const { return m_db; }

    // stockOf is the server's rows of `sku` as the terminal's `stock --sku` lists locations.
    Json stockOf(const std::string& sku) const
    {
        Json out = Json::array();
        for (const auto& product : json({"stock", "--sku", sku}))
            for (const auto& row : product["locations"])
                out.push_back({{"location", row["location"]}, {"lot", row["lot"]}, {"qty", row["qty"]}, {"held", row["held"]}});
        return out;
    }

private:
    std::string readLine(std::chrono::milliseconds timeout)
    {
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{m_out, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char c;
            if (::read(m_out, &c, 1) != 1) break;
            if (c == '\n') return line;
            line += c;
        }
        return line;
    }

    const CliHarness& m_h;
    std::string m_db;
    pid_t m_pid = -1;
    int m_out = -1;
    std::string m_url;
    std::vector<std::string> m_before;
};

} // namespace backfill::e2e
