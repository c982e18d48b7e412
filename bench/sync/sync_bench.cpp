// Sync benchmark (issue 11, Must show; bench/README.md, ## Sync). The real `backfilld serve`
// process on a real SQLite file, real nng over tcp://127.0.0.1, our protocol and transport:
//
//  (1) push throughput: one device pushes receive ops in batches of --batch ops; ops/s. Side
//      by side in the same blocks: the limit, the server's bare batched SQLite insert of the
//      same rows (one `BEGIN IMMEDIATE; INSERT x batch; COMMIT` per batch into an
//      applied_ops-shaped table, WAL + synchronous=FULL, same directory), and a raw nng round
//      trip of the same Push bytes to an echo server (transport::Server answering a fixed
//      small reply). Blocks alternate the three so a slow spell of the shared disk hits both
//      sides of the ratio.
//      The device pushes one batch at a time (waiting for each reply), then as its link does:
//      the next pushes sent while the one before them is applied (link::kPushesInFlight, or
//      --in-flight N).
//  (2) latency: --terminals devices (default 50) each with its own socket push at once,
//      --rounds pushes of --latency-ops ops each, back to back; every push's latency, p50/p99.
//
// Every push is checked: one Applied result per op (a bench that measured refusals would
// lie), and at the end the server's applied_ops count equals the ops sent.

#include "StoredRows.h"
#include "SyncBenchSupport.h"

#include "link/Link.h"
#include "protocol/Codec.h"
#include "transport/Transport.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using namespace backfill;
using namespace backfill::bench;

// Serving is `backfilld serve --listen tcp://127.0.0.1:0` while it lives.
class Serving {
public:
    Serving(const std::string& bin, const std::string& db, const fs::path& err)
    {
        std::vector<std::string> args{bin, "--db", db, "serve", "--listen", "tcp://127.0.0.1:0"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("pipe");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
        posix_spawn_file_actions_addclose(&fa, fds[1]);
        posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        const int rc = ::posix_spawn(&m_pid, bin.c_str(), &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        ::close(fds[1]);
        if (rc != 0) throw std::runtime_error("cannot start " + bin);
        m_out = fds[0];
        std::string line;
        char c = 0;
        while (::read(m_out, &c, 1) == 1 && c != '\n') line += c;
        if (line.rfind("listening ", 0) != 0) throw std::runtime_error("backfilld did not listen; see " + err.string());
        m_url = line.substr(10);
    }
    ~Serving()
    {
        ::kill(m_pid, SIGTERM);
        int st = 0;
        while (::waitpid(m_pid, &st, 0) < 0) {
        }
        ::close(m_out);
    }
    const std::string& url() const { return m_url; }
    // cpuSeconds is the server process's CPU time so far (user + system, /proc/PID/stat).
    double cpuSeconds() const
    {
        std::ifstream in("/proc/" + std::to_string(m_pid) + "/stat");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        // Fields after the command name in parentheses (which may hold spaces): utime is the
        // 14th field of the line, stime the 15th.
        std::istringstream rest(text.substr(text.rfind(')') + 2));
        std::string field;
        double ticks = 0;
        for (int i = 3; i <= 15 && rest >> field; ++i)
            if (i >= 14) ticks += std::stod(field);
        return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }

private:
    pid_t m_pid = -1;
    int m_out = -1;
    std::string m_url;
};

std::unique_ptr<transport::Client> connect(const std::string& url)
{
    transport::ClientOptions o;
    o.url = url;
    o.timeout = std::chrono::seconds(120);
    o.reconnectMin = std::chrono::milliseconds(50);
    auto c = transport::Client::open(o);
    if (!c) throw std::runtime_error(c.error().message);
    return std::move(*c);
}

protocol::Message ask(transport::Client& c, const protocol::Message& m)
{
    auto reply = c.request(protocol::encode(m));
    if (!reply) throw std::runtime_error("request: " + reply.error().code + ": " + reply.error().message);
    auto decoded = protocol::decode(*reply);
    if (!decoded) throw std::runtime_error("reply: " + decoded.error().message);
    if (const auto* e = std::get_if<protocol::Error>(&*decoded)) throw std::runtime_error("server: " + e->code + ": " + e->message);
    return *decoded;
}

// Device is one enrolled terminal: its session and the receive ops it writes.
struct Device {
    std::string name;
    protocol::Session session;
    bench::ReceiveOps ops;

    protocol::Push push(size_t n, int products) { return ops.push(session, n, products); }
};

void checkApplied(const protocol::Message& reply, size_t n)
{
    const auto* ack = std::get_if<protocol::PushAck>(&reply);
    if (!ack || ack->results.size() != n) throw std::runtime_error("push: not every op was answered");
    for (const auto& r : ack->results)
        if (r.status != protocol::OpStatus::Applied) throw std::runtime_error("push: op " + r.opId + " " + r.code + ": " + r.message);
}

int64_t appliedOps(const std::string& db)
{
    sqlite3* h = nullptr;
    int64_t n = -1;
    if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(h, 5000);
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM applied_ops", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return n;
}

} // namespace

int main(int argc, char** argv)
try {
    ::signal(SIGPIPE, SIG_IGN);
    const Flags flags(argc, argv);
    const PushFlags f(flags, "backfill-sync-bench", BACKFILLD_BIN_DEFAULT);
    const auto& [work, bin, reps, batch, blocks, batchesPerBlock, products] = f;
    const auto terminals = static_cast<int>(flags.number("--terminals", 50));
    const auto rounds = static_cast<int>(flags.number("--rounds", 20));
    const auto latencyOps = static_cast<size_t>(flags.number("--latency-ops", 1));
    // --in-flight: the window of the "as the link pushes" part (default the link's own).
    const auto inFlight = static_cast<size_t>(std::max<int64_t>(1, flags.number("--in-flight", static_cast<int64_t>(link::kPushesInFlight))));
    fs::create_directories(work);

    std::printf("sqlite %s, backfilld %s, work dir %s\n", sqlite3_libversion(), bin.c_str(), work.c_str());
    std::printf("throughput: %d blocks per repetition, a block = %d pushes of %zu ops, %d bare batches, %d nng round trips\n",
                blocks, batchesPerBlock, batch, batchesPerBlock, batchesPerBlock);
    std::printf("latency: %d terminals at once, %d pushes of %zu op(s) each\n", terminals, rounds, latencyOps);

    std::vector<double> pushRates, bareRates, rawRates, ratios, rawRatios, rawRtts, pushMs;
    std::vector<double> latP50, latP99, latMax, pushCpu, latCpu, rowsRates, rowsRatios, aheadRates, aheadRatios, aheadBareRatios;
    for (int r = 0; r < reps; ++r) {
        const fs::path dir = freshRepetition(f, r);
        const std::string db = (dir / "server.db").string();
        std::vector<Device> devices(static_cast<size_t>(terminals) + 1);
        std::vector<std::string> tokens;
        for (size_t i = 0; i < devices.size(); ++i) {
            devices[i].name = "HH-" + std::to_string(i);
            devices[i].ops.index = static_cast<int>(i);
            tokens.push_back(runBackfilld(bin, {"--db", db, "device", "add", devices[i].name}).substr(0, 64));
        }
        fs::copy_file(db, dir / "rows.db"); // the second limit's database, before any op
        StoredRows sameRows((dir / "rows.db").string());
        auto serverDb = server::SqliteServerStore::open(db); // reads back what the server stored
        if (!serverDb) throw std::runtime_error(serverDb.error().message);
        Serving server(bin, db, dir / "serve-stderr.txt");
        std::vector<std::unique_ptr<transport::Client>> clients;
        for (size_t i = 0; i < devices.size(); ++i) {
            clients.push_back(connect(server.url()));
            auto ack = std::get<protocol::HelloAck>(ask(*clients.back(), protocol::Hello{protocol::kProtocolVersion, devices[i].name, 0, tokens[i]}));
            devices[i].session = protocol::Session{ack.sessionId};
        }

        // The raw nng echo: the same transport, the same bytes, no applying.
        transport::ServerOptions echoOptions;
        echoOptions.url = "tcp://127.0.0.1:0";
        const std::string smallReply = protocol::encode(protocol::PushAck{});
        auto echo = transport::Server::start(echoOptions, [&](std::string_view) { return smallReply; });
        if (!echo) throw std::runtime_error(echo.error().message);
        auto echoClient = connect((*echo)->url());
        BareBatches bare(dir / "bare.db");

        // (1) throughput, in blocks.
        double pushCpuSeconds = 0;
        Device& one = devices[0];
        Device shadow = devices[0]; // the same op ids and rows for the limit and the echo
        shadow.ops.index = 1 << 20;
        for (int b = 0; b < blocks; ++b) {
            std::vector<protocol::Push> pushes, limits;
            for (int i = 0; i < batchesPerBlock; ++i) {
                pushes.push_back(one.push(batch, products));
                limits.push_back(shadow.push(batch, products));
            }
            auto t0 = Clock::now();
            for (const auto& p : limits) bare.insert(one.name, p);
            const double bareRate = static_cast<double>(batch * limits.size()) / secondsSince(t0);
            t0 = Clock::now();
            for (const auto& p : limits) {
                auto reply = echoClient->request(protocol::encode(p));
                if (!reply) throw std::runtime_error("echo: " + reply.error().message);
            }
            const double rawSeconds = secondsSince(t0);
            const double rawRate = static_cast<double>(batch * limits.size()) / rawSeconds;
            t0 = Clock::now();
            const double cpu0 = server.cpuSeconds();
            std::vector<protocol::PushAck> acks;
            for (const auto& p : pushes) {
                const auto t1 = Clock::now();
                const auto reply = ask(*clients[0], p);
                checkApplied(reply, p.ops.size());
                pushMs.push_back(secondsSince(t1) * 1000);
                acks.push_back(std::get<protocol::PushAck>(reply));
            }
            const double pushRate = static_cast<double>(batch * pushes.size()) / secondsSince(t0);
            // The second limit: the rows the server stored for these very pushes, inserted bare
            // (read back outside the timed part); ops/s.
            auto storedRowsRate = [&](const std::vector<protocol::Push>& sent, const std::vector<protocol::PushAck>& answers) {
                std::vector<std::vector<StoredOp>> rows;
                for (size_t i = 0; i < sent.size(); ++i) rows.push_back(StoredRows::rowsOf(**serverDb, one.name, sent[i], answers[i]));
                const auto start = Clock::now();
                for (const auto& batchRows : rows) sameRows.insert(batchRows);
                return static_cast<double>(batch * rows.size()) / secondsSince(start);
            };
            const double rowsRate = storedRowsRate(pushes, acks);
            rowsRates.push_back(rowsRate);
            rowsRatios.push_back(pushRate / rowsRate);
            pushCpuSeconds += server.cpuSeconds() - cpu0; // summed: /proc counts in 10 ms ticks

            // The same device pushing the way its link does (sync/link): up to --in-flight pushes
            // (link::kPushesInFlight) sent before the first is answered, each reply taken in
            // order; against the rows the server stored for these pushes. (The window is the
            // link's own loop, Link.cpp pushAll, written again here over the bench's client: the
            // link needs a terminal's store behind it.)
            std::vector<protocol::Push> ahead;
            for (int i = 0; i < batchesPerBlock; ++i) ahead.push_back(one.push(batch, products));
            std::vector<protocol::PushAck> aheadAcks;
            std::deque<std::future<protocol::Message>> flight;
            t0 = Clock::now();
            for (size_t sent = 0, answered = 0; answered < ahead.size();) {
                while (sent < ahead.size() && flight.size() < inFlight) {
                    flight.push_back(std::async(std::launch::async, [&, i = sent] { return ask(*clients[0], ahead[i]); }));
                    ++sent;
                }
                const auto reply = flight.front().get();
                flight.pop_front();
                checkApplied(reply, ahead[answered].ops.size());
                aheadAcks.push_back(std::get<protocol::PushAck>(reply));
                ++answered;
            }
            const double aheadRate = static_cast<double>(batch * ahead.size()) / secondsSince(t0);
            const double aheadRowsRate = storedRowsRate(ahead, aheadAcks);
            aheadRates.push_back(aheadRate);
            aheadRatios.push_back(aheadRate / aheadRowsRate);
            aheadBareRatios.push_back(aheadRate / bareRate);
            pushRates.push_back(pushRate);
            bareRates.push_back(bareRate);
            rawRates.push_back(rawRate);
            rawRtts.push_back(rawSeconds / static_cast<double>(limits.size()) * 1e6);
            ratios.push_back(pushRate / bareRate);
            rawRatios.push_back(pushRate / rawRate);
        }

        pushCpu.push_back(pushCpuSeconds * 1e6 / static_cast<double>(batch * static_cast<size_t>(blocks * batchesPerBlock)));

        // (2) latency: every terminal pushes at once.
        std::vector<std::vector<double>> lat(static_cast<size_t>(terminals));
        std::barrier start(terminals);
        std::atomic<int> failures{0};
        std::string failure;
        std::mutex failureMutex;
        std::vector<std::thread> threads;
        const double latCpu0 = server.cpuSeconds();
        for (int t = 0; t < terminals; ++t) {
            threads.emplace_back([&, t] {
                try {
                    Device& d = devices[static_cast<size_t>(t) + 1];
                    auto& c = *clients[static_cast<size_t>(t) + 1];
                    std::vector<protocol::Push> pushes;
                    for (int i = 0; i < rounds; ++i) pushes.push_back(d.push(latencyOps, products));
                    start.arrive_and_wait();
                    for (const auto& p : pushes) {
                        const auto t0 = Clock::now();
                        checkApplied(ask(c, p), p.ops.size());
                        lat[static_cast<size_t>(t)].push_back(secondsSince(t0) * 1000);
                    }
                } catch (const std::exception& e) {
                    ++failures;
                    std::lock_guard lock(failureMutex);
                    failure = e.what();
                }
            });
        }
        for (auto& t : threads) t.join();
        latCpu.push_back((server.cpuSeconds() - latCpu0) * 1e6 / static_cast<double>(terminals * rounds));
        if (failures) throw std::runtime_error("latency: " + failure);
        std::vector<double> all;
        for (const auto& l : lat) all.insert(all.end(), l.begin(), l.end());
        latP50.push_back(percentile(all, 0.5));
        latP99.push_back(percentile(all, 0.99));
        latMax.push_back(percentile(all, 1.0));

        const int64_t expected = 2 * static_cast<int64_t>(batch) * blocks * batchesPerBlock +
                                 static_cast<int64_t>(terminals) * rounds * static_cast<int64_t>(latencyOps);
        const int64_t stored = appliedOps(db);
        if (stored != expected)
            throw std::runtime_error("the server stored " + std::to_string(stored) + " ops, " + std::to_string(expected) + " were sent");
        std::printf("rep %d: push %.0f ops/s, bare %.0f rows/s, ratio %.2f, the same rows %.0f ops/s, ratio %.2f, "
                    "%zu in flight %.0f ops/s, ratio %.2f, raw nng %.0f ops/s (%.0f us per round trip); "
                    "%d terminals: p50 %.1f ms, p99 %.1f ms, max %.1f ms; server CPU %.0f us per op (batches), %.0f us per push (latency); %lld ops stored\n",
                    r + 1, median(std::vector<double>(pushRates.end() - blocks, pushRates.end())),
                    median(std::vector<double>(bareRates.end() - blocks, bareRates.end())),
                    median(std::vector<double>(ratios.end() - blocks, ratios.end())),
                    median(std::vector<double>(rowsRates.end() - blocks, rowsRates.end())),
                    median(std::vector<double>(rowsRatios.end() - blocks, rowsRatios.end())),
                    inFlight, median(std::vector<double>(aheadRates.end() - blocks, aheadRates.end())),
                    median(std::vector<double>(aheadRatios.end() - blocks, aheadRatios.end())),
                    median(std::vector<double>(rawRates.end() - blocks, rawRates.end())),
                    median(std::vector<double>(rawRtts.end() - blocks, rawRtts.end())), terminals, latP50.back(), latP99.back(),
                    latMax.back(), pushCpu.back(), latCpu.back(),
                    static_cast<long long>(stored));
        std::fflush(stdout);
    }

    std::printf("\n| measurement | median | ratio (median of blocks) | block ratios p10-p90 | goal |\n|---|---:|---:|---:|---:|\n");
    std::printf("| limit: bare SQLite, one transaction per batch of %zu rows | %.0f rows/s | 1.00 | | |\n", batch, median(bareRates));
    std::printf("| push over tcp, batches of %zu ops, as the link pushes (%zu in flight) | %.0f ops/s | **%.2f** | %.2f-%.2f | >= 0.6 |\n",
                batch, inFlight, median(aheadRates), median(aheadBareRatios), percentile(aheadBareRatios, 0.1),
                percentile(aheadBareRatios, 0.9));
    std::printf("| push over tcp, batches of %zu ops, one at a time | %.0f ops/s (%.1f ms per push) | %.2f | %.2f-%.2f | |\n", batch,
                median(pushRates), median(pushMs), median(ratios), percentile(ratios, 0.1), percentile(ratios, 0.9));
    std::printf("| limit: the rows the server stores for the same ops (4 per receive), bare, one transaction per batch | %.0f ops/s | "
                "1.00 | | |\n",
                median(rowsRates));
    std::printf("| push over tcp as the link pushes, against the rows it stores | | **%.2f** | %.2f-%.2f | >= 0.6 |\n", median(aheadRatios),
                percentile(aheadRatios, 0.1), percentile(aheadRatios, 0.9));
    std::printf("| push over tcp one at a time, against the rows it stores | | %.2f | %.2f-%.2f | |\n", median(rowsRatios),
                percentile(rowsRatios, 0.1), percentile(rowsRatios, 0.9));
    std::printf("| server CPU (backfilld, user + system) | %.0f us per op in batches; %.0f us per 1-op push with %d terminals | | | |\n",
                median(pushCpu), median(latCpu), terminals);
    std::printf("| raw nng round trip of the same Push bytes | %.0f ops/s (%.0f us per round trip) | push / raw %.2f | | |\n",
                median(rawRates), median(rawRtts), median(rawRatios));
    std::printf("| push latency, %d terminals at once, %zu op(s) per push | p50 %.1f ms, **p99 %.1f ms** (max %.1f ms) | | | p99 < 50 ms |\n",
                terminals, latencyOps, median(latP50), median(latP99), median(latMax));
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sync: %s\n", e.what());
    return 1;
}
