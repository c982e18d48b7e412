#pragma once
// XvfbHarness: what the end-to-end tests of the real `backfill` window share (issue 12, "Must
// show"): a child process with its own environment, an Xvfb of its own on a free display,
// keysyms for `xdotool key`, a PNG's size, and the demo data imported through the CLI.

#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace backfill::e2e::xvfb {


inline std::string source() { return std::getenv("BACKFILL_SOURCE"); }

// loadedLibrary is the path of the first library mapped into this process whose file name
// starts with `stem` ("" when none is).
inline std::string loadedLibrary(const std::string& stem)
{
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        const auto path = line.find('/');
        if (path == std::string::npos) continue;
        const std::string file = line.substr(path);
        if (file.compare(file.rfind('/') + 1, stem.size(), stem) == 0) return file;
    }
    return "";
}

// uiSanitizerEnv is the environment a sanitized `backfill` window runs with: LeakSanitizer's
// suppressions for the system libraries (lsan.supp), and Mesa's software driver preloaded.
// libGLX_mesa dlcloses swrast_dri.so when the display closes, before the leak check at exit,
// so its leaks show as "<unknown module>" and no suppression can name them; loaded at start
// it is never unloaded, and `leak:swrast_dri.so` matches. The sanitizer runtime that this
// test itself runs with goes first in LD_PRELOAD, as ASan requires. Without a sanitizer
// runtime, or without the driver, nothing is preloaded.
inline std::vector<std::string> uiSanitizerEnv()
{
    std::vector<std::string> env{"LSAN_OPTIONS=suppressions=" + source() + "/tests/ui/lsan.supp:print_suppressions=0"};
    const std::string asan = loadedLibrary("libasan.so");
    std::string driver;
    for (const char* dir : {"/usr/lib/x86_64-linux-gnu/dri/", "/usr/lib/aarch64-linux-gnu/dri/", "/usr/lib/dri/"})
        if (::access((std::string(dir) + "swrast_dri.so").c_str(), R_OK) == 0) {
            driver = std::string(dir) + "swrast_dri.so";
            break;
        }
    if (!asan.empty() && !driver.empty()) env.push_back("LD_PRELOAD=" + asan + ":" + driver);
    return env;
}

// with gives `base` followed by `extra`.
inline std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& extra)
{
    base.insert(base.end(), extra.begin(), extra.end());
    return base;
}

// Child is a process started with extra environment variables; its destructor ends it.
class Child {
public:
    Child(const std::vector<std::string>& args, const std::vector<std::string>& env, const std::string& outPath = "/dev/null",
          int keepFd = -1)
    {
        std::vector<std::string> envStrings;
        for (char** e = environ; *e; ++e) {
            const std::string s(*e);
            bool replaced = false;
            for (const auto& x : env)
                if (s.substr(0, s.find('=') + 1) == x.substr(0, x.find('=') + 1)) replaced = true;
            if (!replaced) envStrings.push_back(s);
        }
        for (const auto& x : env)
            if (x.find('=') != x.size() - 1) envStrings.push_back(x); // "NAME=" unsets NAME
        std::vector<char*> envp;
        for (auto& s : envStrings) envp.push_back(s.data());
        envp.push_back(nullptr);
        std::vector<std::string> argStrings = args;
        std::vector<char*> argv;
        for (auto& a : argStrings) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&fa, 2, (outPath == "/dev/null" ? outPath : outPath + ".err").c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        (void)keepFd; // inherited: pipe() descriptors are not close-on-exec
        const int rc = ::posix_spawnp(&m_pid, argv[0], &fa, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
    }
    ~Child()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            wait();
        }
    }
    // wait waits for the child's end and gives its exit status (128 + signal when killed).
    int wait()
    {
        if (m_pid < 0) return m_status;
        int ws = 0;
        while (::waitpid(m_pid, &ws, 0) < 0) {
        }
        m_pid = -1;
        m_status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
        return m_status;
    }
    // running: the child has not ended yet. An ended child is reaped; wait() gives its status.
    bool running()
    {
        if (m_pid < 0) return false;
        int ws = 0;
        const pid_t r = ::waitpid(m_pid, &ws, WNOHANG);
        if (r == 0) return true;
        if (r < 0) return true; // interrupted: ask again later
        m_pid = -1;
        m_status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
        return false;
    }

private:
    pid_t m_pid = -1;
    int m_status = -1;
};

// Xvfb starts its own X server on a display number it finds free (-displayfd) and waits
// until the server says it is ready.
class Xvfb {
public:
    Xvfb()
    {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        m_server = std::make_unique<Child>(std::vector<std::string>{"Xvfb", "-displayfd", std::to_string(fds[1]), "-screen", "0",
                                                                    "1200x2000x24", "-nolisten", "tcp"},
                                           std::vector<std::string>{}, "/dev/null", fds[1]);
        ::close(fds[1]);
        pollfd p{fds[0], POLLIN, 0};
        REQUIRE_MESSAGE(::poll(&p, 1, 20000) == 1, "Xvfb did not report its display within 20 s");
        char buf[16] = {};
        const ssize_t n = ::read(fds[0], buf, sizeof buf - 1);
        ::close(fds[0]);
        REQUIRE(n > 0);
        m_display = ":" + std::string(buf, static_cast<size_t>(n - (buf[n - 1] == '\n' ? 1 : 0)));
    }
    const std::string& display() const { return m_display; }

private:
    std::unique_ptr<Child> m_server;
    std::string m_display;
};

// keysyms spells `text` as X keysyms for `xdotool key` (digits, letters, parentheses, ':', '-').
inline std::vector<std::string> keysyms(const std::string& text)
{
    std::vector<std::string> keys;
    for (char c : text) {
        if (c == '(') keys.push_back("parenleft");
        else if (c == ')') keys.push_back("parenright");
        else if (c == ':') keys.push_back("colon");
        else if (c == '-') keys.push_back("minus");
        else keys.push_back(std::string(1, c));
    }
    return keys;
}

// pngSize reads the width and height from a PNG file's IHDR chunk (0x0 if it is no PNG).
inline std::pair<uint32_t, uint32_t> pngSize(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    unsigned char h[24] = {};
    in.read(reinterpret_cast<char*>(h), sizeof h);
    if (in.gcount() != 24 || h[0] != 0x89 || h[1] != 'P' || h[2] != 'N' || h[3] != 'G' || std::memcmp(h + 12, "IHDR", 4) != 0)
        return {0, 0};
    auto be = [&](int i) { return (uint32_t(h[i]) << 24) | (uint32_t(h[i + 1]) << 16) | (uint32_t(h[i + 2]) << 8) | h[i + 3]; };
    return {be(16), be(20)};
}

inline void seedDemo(const CliHarness& cli)
{
    for (const char* kind : {"locations", "catalog", "inbound", "backorders"}) {
        const auto r = cli.run({"import", kind, source() + "/assets/demo/" + kind + ".csv"});
        INFO(r);
        REQUIRE(r.status == 0);
    }
}


// ProbedWindow is one `backfill` window on an Xvfb that writes what it shows to a probe file
// (--probe: the screen, its result and its touch targets): a test waits on the probe rather
// than sleeping blind, and clicks a target where the probe says it is.
class ProbedWindow {
public:
    // args are backfill's arguments after the binary, without --probe; the window must show
    // `screen` within 30 s. Its stdout goes to outPath (stderr to outPath.err).
    ProbedWindow(const Xvfb& x, std::vector<std::string> args, const std::string& probePath, const std::string& outPath,
                 const std::string& screen)
        : m_x(x), m_probe(probePath), m_out(outPath)
    {
        args.insert(args.begin(), std::getenv("BACKFILL_BIN"));
        args.push_back("--probe");
        args.push_back(probePath);
        m_ui = std::make_unique<Child>(args, with({"DISPLAY=" + x.display()}, uiSanitizerEnv()), outPath);
        const std::string ids = outPath + ".window";
        Child search({"xdotool", "search", "--sync", "--onlyvisible", "--name", "^Backfill$"}, {"DISPLAY=" + x.display()}, ids);
        REQUIRE(search.wait() == 0);
        std::ifstream in(ids);
        in >> m_window;
        REQUIRE(m_window != 0);
        REQUIRE_MESSAGE(waitFor([&](const Json& p) { return p["screen"] == screen; }, std::chrono::seconds(30)),
                        "probe: " << probe().dump());
        xdotool({"mousemove", "5", "5"}); // no window manager: the keyboard follows the pointer
    }

    // probe reads what the window shows now (null before its first write).
    Json probe() const
    {
        std::ifstream in(m_probe);
        if (!in) return Json();
        const Json j = Json::parse(in, nullptr, false);
        return j.is_discarded() ? Json() : j;
    }
    // waitFor polls the probe until `pred` holds (true) or `limit` passed (false).
    template <class Pred>
    bool waitFor(Pred pred, std::chrono::seconds limit) const
    {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            const Json p = probe();
            if (!p.is_null() && pred(p)) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }
    static bool hasTarget(const Json& probe, const std::string& label)
    {
        if (probe.is_null()) return false;
        for (const auto& t : probe["targets"])
            if (t["label"] == label) return true;
        return false;
    }
    // click clicks the centre of the touch target labelled `label` (found in the probe).
    void click(const std::string& label) const
    {
        Json target;
        REQUIRE_MESSAGE(waitFor(
                            [&](const Json& p) {
                                for (const auto& t : p["targets"])
                                    if (t["label"] == label) {
                                        target = t;
                                        return true;
                                    }
                                return false;
                            },
                            std::chrono::seconds(10)),
                        "no target '" << label << "' in " << probe().dump());
        const int x = static_cast<int>(target["x"].get<double>() + target["w"].get<double>() / 2);
        const int y = static_cast<int>(target["y"].get<double>() + target["h"].get<double>() / 2);
        xdotool({"mousemove", std::to_string(x), std::to_string(y)});
        std::this_thread::sleep_for(std::chrono::milliseconds(150)); // a frame with the pointer over it (hover) first
        xdotool({"click", "1"});
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
    // xdotool runs `xdotool ARGS...` on the window's display.
    void xdotool(std::vector<std::string> args) const
    {
        args.insert(args.begin(), "xdotool");
        Child c(args, {"DISPLAY=" + m_x.display()});
        REQUIRE(c.wait() == 0);
    }

    const Xvfb& x() const { return m_x; }
    Child& process() { return *m_ui; }
    const std::string& outPath() const { return m_out; }
    unsigned long windowId() const { return m_window; }

private:
    const Xvfb& m_x;
    std::string m_probe;
    std::string m_out;
    unsigned long m_window = 0;
    std::unique_ptr<Child> m_ui;
};

} // namespace backfill::e2e::xvfb
