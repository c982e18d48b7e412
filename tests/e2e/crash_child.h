#pragma once
// CrashChild runs one `backfill` process with its stdin and stdout on pipes and its stderr in a
// file, for tests that feed it input, read its JSON lines as they come and SIGKILL it at a
// chosen moment. Real processes only: posix_spawn, pipes, kill, waitpid.
//
// Use from one thread: pump() moves bytes both ways without blocking longer than asked, and
// collects complete stdout lines in lines().

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace backfill::test {

class CrashChild {
public:
    // CrashChild starts `argv` (argv[0] is the executable path) with stderr written to
    // `stderrPath`. Throws std::runtime_error when the process cannot be started.
    CrashChild(const std::vector<std::string>& argv, const std::string& stderrPath)
    {
        int in[2], out[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
            throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        const int rc = ::posix_spawn(&m_pid, args[0], &actions, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in[0]);
        ::close(out[1]);
        m_stdin = in[1];
        m_stdout = out[0];
        if (rc != 0) {
            closeStdin();
            ::close(m_stdout);
            throw std::runtime_error("posix_spawn " + argv[0] + ": " + std::strerror(rc));
        }
        ::fcntl(m_stdin, F_SETFL, ::fcntl(m_stdin, F_GETFL) | O_NONBLOCK);
        ::fcntl(m_stdout, F_SETFL, ::fcntl(m_stdout, F_GETFL) | O_NONBLOCK);
    }
    CrashChild(const CrashChild&) = delete;
    CrashChild& operator=(const CrashChild&) = delete;
    ~CrashChild()
    {
        if (m_pid > 0 && !m_reaped) {
            ::kill(m_pid, SIGKILL);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
        closeStdin();
        if (m_stdout >= 0) ::close(m_stdout);
    }

    // send queues bytes for the child's stdin; pump() writes them as the pipe accepts them.
    void send(const std::string& bytes) { m_toWrite += bytes; }
    // pendingInput is how many queued bytes have not reached the pipe yet.
    size_t pendingInput() const { return m_toWrite.size() - m_written; }
    // closeStdin ends the child's input (after what was already written).
    void closeStdin()
    {
        if (m_stdin >= 0) ::close(m_stdin);
        m_stdin = -1;
    }

    // pump waits up to `timeout` for the pipes to be ready, then writes what it can and reads
    // what is there. Returns false once stdout reached end of file.
    bool pump(std::chrono::milliseconds timeout)
    {
        pollfd fds[2];
        nfds_t n = 0;
        if (m_stdout >= 0) fds[n++] = {m_stdout, POLLIN, 0};
        const bool wantWrite = m_stdin >= 0 && pendingInput() > 0;
        if (wantWrite) fds[n++] = {m_stdin, POLLOUT, 0};
        if (n == 0) return false;
        const int ready = ::poll(fds, n, static_cast<int>(timeout.count()));
        if (ready < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        if (wantWrite) writeSome();
        readSome();
        return m_stdout >= 0;
    }

    // addPollFds appends the pipes pump() would wait on, so a caller driving several children
    // can wait for any of them with one poll() and then pump each with a zero timeout.
    void addPollFds(std::vector<pollfd>& fds) const
    {
        if (m_stdout >= 0) fds.push_back({m_stdout, POLLIN, 0});
        if (m_stdin >= 0 && pendingInput() > 0) fds.push_back({m_stdin, POLLOUT, 0});
    }

    // killNow sends SIGKILL (the moment of the crash) and reaps the child after its stdout is
    // drained: every line it wrote before dying is still collected. Returns the wait status.
    int killNow()
    {
        ::kill(m_pid, SIGKILL);
        return finish();
    }
    // finish closes stdin, reads stdout to its end and reaps the child; returns the wait status.
    int finish()
    {
        closeStdin();
        while (pump(std::chrono::milliseconds(1000))) {
        }
        if (!m_reaped) {
            while (::waitpid(m_pid, &m_status, 0) < 0 && errno == EINTR) {
            }
            m_reaped = true;
        }
        return m_status;
    }

    const std::vector<std::string>& lines() const { return m_lines; }
    pid_t pid() const { return m_pid; }

private:
    void writeSome()
    {
        while (pendingInput() > 0) {
            const ssize_t n = ::write(m_stdin, m_toWrite.data() + m_written, pendingInput());
            if (n > 0) {
                m_written += static_cast<size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EPIPE) closeStdin(); // the child is gone
            return;                                     // EAGAIN: the pipe is full
        }
    }
    void readSome()
    {
        if (m_stdout < 0) return;
        char chunk[65536];
        while (true) {
            const ssize_t n = ::read(m_stdout, chunk, sizeof chunk);
            if (n > 0) {
                m_partial.append(chunk, static_cast<size_t>(n));
                size_t pos;
                while ((pos = m_partial.find('\n')) != std::string::npos) {
                    m_lines.push_back(m_partial.substr(0, pos));
                    m_partial.erase(0, pos + 1);
                }
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n == 0) { // end of file: the child exited or died
                ::close(m_stdout);
                m_stdout = -1;
            }
            return;
        }
    }

    pid_t m_pid = -1;
    int m_stdin = -1;
    int m_stdout = -1;
    int m_status = 0;
    bool m_reaped = false;
    std::string m_toWrite;
    size_t m_written = 0;
    std::string m_partial;
    std::vector<std::string> m_lines;
};

// runToEnd runs a command with no input to its exit; returns (wait status, stdout lines).
inline std::pair<int, std::vector<std::string>> runToEnd(const std::vector<std::string>& argv, const std::string& stderrPath)
{
    CrashChild child(argv, stderrPath);
    const int status = child.finish();
    return {status, child.lines()};
}

inline std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace backfill::test
