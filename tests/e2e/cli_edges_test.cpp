// End to end, issue 14 "Edges": what the CLI does when its output or its input misbehave.
// - A failed write to stdout (a full disk, a closed pipe) is exit 3 with output_failed, in
//   every subcommand that prints JSON, and nothing more is read or done after it.
// - A non-blocking stdin is waited for, never taken for the end of the input.
// - A stdin line over 4096 bytes (not counting "\n" or "\r\n") is refused on its own as
//   too_long, its bytes dropped as they arrive; the lines around it are handled normally.
// - A stdin that cannot be read is input_failed, not the end of the input.
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

using namespace backfill::e2e;

namespace {

const std::string kApple13 = withCheckDigit("400000000001");
const std::string kApple = "0" + kApple13;
const std::string kPear = "0" + withCheckDigit("400000000002");

void setUp(const CliHarness& h)
{
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple13 + "\nPEAR,Pear," + kPear.substr(1) + "\n", 2);
}

// received is receive's line for `scan` of `qty` loose units of `sku` at DOCK (no inbound:
// all of it over-received).
Json received(const std::string& scan, const std::string& sku, int64_t qty = 1)
{
    Received r;
    r.scan = scan;
    r.sku = sku;
    r.qty = qty;
    r.location = "DOCK";
    r.overReceipt = qty;
    return receivedJson(r);
}

// tooLong is the refusal of stdin line `number` of `bytes` bytes that starts with `prefix`
// (its first 64 bytes).
Json tooLong(const std::string& prefix, int64_t number, int64_t bytes)
{
    return Json{{"scan", prefix + "..."},
                {"ok", false},
                {"code", "too_long"},
                {"error", "standard input line " + std::to_string(number) + ": " + std::to_string(bytes) +
                              " bytes; a scan line is at most 4096 bytes, so this line was skipped (is the input one "
                              "scan per line?)"}};
}

// Child is the backfill binary started with the given descriptors as its stdin, stdout and
// stderr (the harness's runRaw only takes files).
struct Child {
    pid_t pid = 0;

    static Child start(const CliHarness& h, const std::vector<std::string>& args, int in, int out, int err)
    {
        const std::string bin = std::getenv("BACKFILL_BIN");
        std::vector<std::string> all{bin, "--db", h.db(), "--today", CliHarness::kToday};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : all) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in, 0);
        posix_spawn_file_actions_adddup2(&fa, out, 1);
        posix_spawn_file_actions_adddup2(&fa, err, 2);
        Child c;
        const int rc = ::posix_spawn(&c.pid, bin.c_str(), &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        REQUIRE(rc == 0);
        return c;
    }
    // wait gives the exit status (128 + signal when killed).
    int wait() const
    {
        int wstatus = 0;
        while (::waitpid(pid, &wstatus, 0) < 0) {
        }
        return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    }
};

// Pipe is a pipe whose ends close with it.
struct Pipe {
    int read = -1;
    int write = -1;
    Pipe()
    {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        read = fds[0];
        write = fds[1];
    }
    ~Pipe()
    {
        closeRead();
        closeWrite();
    }
    void closeRead()
    {
        if (read >= 0) ::close(read);
        read = -1;
    }
    void closeWrite()
    {
        if (write >= 0) ::close(write);
        write = -1;
    }
};

// runToFd runs backfill with `input` on stdin (a file) and stdout going to `outFd`; gives
// the exit status and stderr.
RunResult runToFd(const CliHarness& h, const std::vector<std::string>& args, int outFd, const std::string& input = "")
{
    const auto inPath = h.writeFile("edge-stdin.txt", input);
    const auto errPath = (h.dir() / "edge-stderr.txt").string();
    const int in = ::open(inPath.c_str(), O_RDONLY | O_CLOEXEC);
    const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(in >= 0);
    REQUIRE(err >= 0);
    const Child c = Child::start(h, args, in, outFd, err);
    ::close(in);
    ::close(err);
    RunResult r;
    r.status = c.wait();
    std::ifstream e(errPath, std::ios::binary);
    r.err.assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
    return r;
}

RunResult runToDevFull(const CliHarness& h, const std::vector<std::string>& args, const std::string& input = "")
{
    const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    REQUIRE(full >= 0);
    auto r = runToFd(h, args, full, input);
    ::close(full);
    return r;
}

// checkOutputFailed: exit 3 and exactly one output_failed on stderr naming the cause.
void checkOutputFailed(const RunResult& r, const std::string& cause)
{
    INFO(r);
    CHECK(r.status == 3);
    const auto errs = r.errLines();
    REQUIRE(errs.size() == 1);
    CHECK(errs[0]["code"] == "output_failed");
    CHECK(errs[0]["error"] == "standard output: cannot write a result line: " + cause +
                                  "; stopped at once (what was committed before is kept: `backfill history` lists it)");
}

// LineReader reads the lines a child prints on a pipe, waiting at most `timeout` for each.
class LineReader {
public:
    explicit LineReader(int fd) : m_fd(fd) {}
    // next gives the next line, or "" when none came within the timeout or the pipe closed.
    std::string next(std::chrono::milliseconds timeout = std::chrono::seconds(30))
    {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            if (const auto pos = m_buffer.find('\n'); pos != std::string::npos) {
                std::string line = m_buffer.substr(0, pos);
                m_buffer.erase(0, pos + 1);
                return line;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return "";
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char chunk[4096];
            const ssize_t n = ::read(m_fd, chunk, sizeof chunk);
            if (n <= 0) return "";
            m_buffer.append(chunk, static_cast<size_t>(n));
        }
    }

private:
    int m_fd;
    std::string m_buffer;
};

// waitUntilIdle waits until the child's main thread (the one reading stdin) is no longer
// running, or the child is gone. Called after the child printed everything it was given, it
// means the child has asked stdin for more and found nothing: a reader that takes EAGAIN for
// the end of the input has then already given up.
void waitUntilIdle(pid_t pid)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string text;
        std::getline(stat, text);
        const auto close = text.rfind(')'); // the command name may hold spaces and parentheses
        if (close == std::string::npos || close + 2 >= text.size()) return;
        if (text[close + 2] != 'R') return;
        std::this_thread::sleep_for(std::chrono::milliseconds(1)); // polling a condition, not a guess
    }
    FAIL("the child still runs after 30 s");
}

void writeAll(int fd, const std::string& text)
{
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        REQUIRE(n > 0);
        done += static_cast<size_t>(n);
    }
}

// A scan of `bytes` bytes the parser refuses for its content (not GS1), not for its length.
std::string longText(size_t bytes) { return std::string(bytes, 'A'); }

} // namespace

TEST_CASE("output: receive to a full disk stops at the first line, exit 3 output_failed; what was committed stays")
{
    CliHarness h;
    setUp(h);
    SUBCASE("scans as arguments: the first is committed, then nothing more")
    {
        const auto r = runToDevFull(h, {"receive", kApple, kPear});
        checkOutputFailed(r, "No space left on device");
        CHECK(h.query("SELECT p.sku, e.qty FROM events e JOIN products p ON p.id = e.product_id") ==
              std::vector<std::string>{"APPLE|1"});
        CHECK(h.count("outbox") == 1);
        // The receipt was committed but never shown: history is where the operator finds it.
        const auto history = h.run({"history"});
        INFO(history);
        REQUIRE(history.status == 0);
        const Json entries = history.json();
        REQUIRE(entries.size() == 1);
        CHECK(entries[0]["scan"] == kApple);
        CHECK(entries[0]["sku"] == "APPLE");
        CHECK(entries[0]["qty"] == 1);
    }
    SUBCASE("receive - --sync-each: the first line is committed, the rest of stdin is not read")
    {
        const auto r = runToDevFull(h, {"receive", "--sync-each", "-"}, kApple + "\n" + kPear + "\n" + kPear + "\n");
        checkOutputFailed(r, "No space left on device");
        CHECK(h.query("SELECT p.sku, e.qty FROM events e JOIN products p ON p.id = e.product_id") ==
              std::vector<std::string>{"APPLE|1"});
    }
    checkLedger(h);
}

TEST_CASE("output: every subcommand that prints JSON fails with output_failed on a full disk")
{
    CliHarness h;
    setUp(h);
    h.receiveOk({kApple});
    const std::vector<std::vector<std::string>> commands{
        {"stock"},          {"backorders"}, {"history"},   {"parse", kApple}, {"parse", "-"},
        {"import", "locations", h.writeFile("locations.csv", "code,kind,sequence\nDOCK,receiving,1\n")},
        {"receive", "-"},
    };
    for (const auto& args : commands) {
        CAPTURE(args[0]);
        checkOutputFailed(runToDevFull(h, args, kApple + "\n"), "No space left on device");
    }
}

TEST_CASE("output: a closed stdout pipe is output_failed (exit 3), not a silent death by SIGPIPE")
{
    CliHarness h;
    setUp(h);
    Pipe out;
    out.closeRead();
    const auto r = runToFd(h, {"receive", kApple, kPear}, out.write);
    checkOutputFailed(r, "Broken pipe");
    CHECK(h.count("outbox") == 1);
}

TEST_CASE("input: a non-blocking stdin pipe fed line by line is read to its end, every scan received")
{
    ::signal(SIGPIPE, SIG_IGN); // the old binary left the pipe; the test must see that as a failure
    CliHarness h;
    setUp(h);
    Pipe in, out;
    REQUIRE(::fcntl(in.read, F_SETFL, ::fcntl(in.read, F_GETFL) | O_NONBLOCK) == 0);
    const auto errPath = (h.dir() / "nb-stderr.txt").string();
    const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(err >= 0);
    const Child c = Child::start(h, {"receive", "-"}, in.read, out.write, err);
    ::close(err);
    in.closeRead();
    out.closeWrite();
    LineReader lines(out.read);
    // Each scan is written only after the previous one was confirmed and the child went idle:
    // it finds its stdin empty (EAGAIN) every time it has caught up.
    const std::vector<std::pair<std::string, std::string>> scans{{kApple, "APPLE"}, {kPear, "PEAR"}, {kApple, "APPLE"}};
    for (const auto& [scan, sku] : scans) {
        CAPTURE(scan);
        waitUntilIdle(c.pid);
        writeAll(in.write, scan + "\n");
        const std::string line = lines.next();
        REQUIRE(!line.empty());
        CHECK(Json::parse(line) == received(scan, sku));
    }
    in.closeWrite();
    CHECK(lines.next() == "");
    CHECK(c.wait() == 0);
    CHECK(h.count("outbox") == 3);
}

TEST_CASE("input: a 10 MB line among good lines is one too_long refusal; the others are received")
{
    CliHarness h;
    setUp(h);
    const std::string huge = std::string(10 * 1024 * 1024, 'X');
    SUBCASE("receive -")
    {
        const auto r = h.receive({"-"}, kApple + "\n" + huge + "\n" + kPear + "\r\n" + huge + "\r\n\n" + kApple);
        INFO(r.status);
        INFO(r.err);
        CHECK(r.status == 1);
        CHECK(r.err.empty());
        CHECK(r.outLines() == std::vector<Json>{received(kApple, "APPLE"), tooLong(std::string(64, 'X'), 2, 10485760),
                                                received(kPear, "PEAR"), tooLong(std::string(64, 'X'), 4, 10485760),
                                                received(kApple, "APPLE")});
        CHECK(h.count("outbox") == 3);
    }
    SUBCASE("receive - --sync-each, the long line last without a line ending")
    {
        const auto r = h.receive({"--sync-each", "-"}, kApple + "\n" + huge);
        INFO(r.err);
        CHECK(r.status == 1);
        CHECK(r.outLines() == std::vector<Json>{received(kApple, "APPLE"), tooLong(std::string(64, 'X'), 2, 10485760)});
    }
    SUBCASE("parse -")
    {
        const auto r = h.run({"parse", "-"}, kApple + "\n" + huge + "\n" + kPear + "\n");
        INFO(r.err);
        CHECK(r.status == 1);
        const auto lines = r.outLines();
        REQUIRE(lines.size() == 3);
        CHECK(lines[0]["scan"] == kApple);
        CHECK(lines[0]["ok"] == true);
        CHECK(lines[1] == tooLong(std::string(64, 'X'), 2, 10485760));
        CHECK(lines[2]["scan"] == kPear);
        CHECK(lines[2]["ok"] == true);
    }
}

TEST_CASE("input: the line limit is 4096 bytes without the line ending; 4097 is too_long")
{
    CliHarness h;
    setUp(h);
    const std::string at = longText(4096), over = longText(4097);
    // 4096 bytes reach the parser, which refuses them for what they are (not_gs1), not for
    // their length; "\r\n" is a line ending, not part of the limit.
    const std::string input = at + "\n" + at + "\r\n" + over + "\n" + over + "\r\n" + kApple + "\n";
    const auto r = h.receive({"-"}, input);
    INFO(r.err);
    CHECK(r.status == 1);
    const auto lines = r.outLines();
    REQUIRE(lines.size() == 5);
    for (int i : {0, 1}) {
        CAPTURE(i);
        CHECK(lines[i]["scan"] == at);
        CHECK(lines[i]["ok"] == false);
        CHECK(lines[i]["code"] == "not_gs1");
    }
    CHECK(lines[2] == tooLong(longText(64), 3, 4097));
    CHECK(lines[3] == tooLong(longText(64), 4, 4097));
    CHECK(lines[4] == received(kApple, "APPLE"));

    const auto p = h.run({"parse", "-"}, at + "\n" + over + "\n");
    const auto parsed = p.outLines();
    REQUIRE(parsed.size() == 2);
    CHECK(parsed[0]["scan"] == at);
    CHECK(parsed[0]["code"] == "not_gs1");
    CHECK(parsed[1] == tooLong(longText(64), 2, 4097));
}

TEST_CASE("input: a stdin that cannot be read is input_failed (exit 3), not an empty input")
{
    CliHarness h;
    setUp(h);
    // A directory opens for reading but every read fails with EISDIR.
    const int dir = ::open(h.dir().c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(dir >= 0);
    for (const auto* command : {"receive", "parse"}) {
        CAPTURE(command);
        const auto outPath = (h.dir() / "dir-stdout.txt").string();
        const auto errPath = (h.dir() / "dir-stderr.txt").string();
        const int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        const Child c = Child::start(h, {command, "-"}, dir, out, err);
        ::close(out);
        ::close(err);
        CHECK(c.wait() == 3);
        std::ifstream e(errPath, std::ios::binary);
        const std::string errText((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
        const auto errs = RunResult::lines(errText);
        REQUIRE(errs.size() == 1);
        CHECK(errs[0] == Json{{"code", "input_failed"},
                              {"error", "standard input: cannot read after line 0: Is a directory; the lines before were handled"}});
    }
    ::close(dir);
}
