#pragma once
// SmtpSink: a small real SMTP server on 127.0.0.1 for the notification tests and benchmark
// (RFC 5321: greeting, EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT).
// It records every message it accepted (replied 250 to its data). It can be down (nothing
// listens: connection refused), greet with 421 (a relay that is up but refuses for now),
// refuse a recipient with 550, or hold its reply to a message's data until released (so a
// test can kill the sender between the data and the acceptance).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace backfill::test {

class SmtpSink {
public:
    struct Message {
        std::string from;
        std::vector<std::string> to;
        std::string data; // unstuffed, CRLF line ends, without the final dot line
        std::string messageId;
        std::string header(const std::string& name) const
        {
            const std::string key = "\r\n" + name + ": ";
            const auto at = ("\r\n" + data).find(key);
            if (at == std::string::npos) return {};
            const auto start = at + key.size() - 2;
            return data.substr(start, data.find("\r\n", start) - start);
        }
        std::string body() const
        {
            const auto at = data.find("\r\n\r\n");
            return at == std::string::npos ? std::string() : data.substr(at + 4);
        }
    };

    SmtpSink() { listen(0); }
    ~SmtpSink()
    {
        down();
        std::vector<std::thread> threads;
        {
            std::lock_guard lock(m_mutex);
            threads.swap(m_connections);
        }
        for (auto& t : threads) t.join();
    }

    uint16_t port() const { return m_port; }
    std::string url() const { return "smtp://127.0.0.1:" + std::to_string(m_port); }

    // down stops listening and drops every connection: senders get "connection refused".
    void down()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
            for (const int fd : m_open) ::shutdown(fd, SHUT_RDWR);
            m_cv.notify_all();
        }
        if (m_acceptor.joinable()) {
            const char b = 0;
            [[maybe_unused]] auto n = ::write(m_wake[1], &b, 1);
            m_acceptor.join();
        }
        if (m_listen >= 0) ::close(m_listen);
        m_listen = -1;
        for (int& fd : m_wake)
            if (fd >= 0) {
                ::close(fd);
                fd = -1;
            }
    }
    // up listens again on the same port.
    void up()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = false;
        }
        listen(m_port);
    }

    void greet421(bool on) { m_greet421 = on; }
    void rejectRecipient(const std::string& address)
    {
        std::lock_guard lock(m_mutex);
        m_rejected.insert(address);
    }
    // holdData: from now on, the reply to message data waits until release() (or until the
    // client goes away: the message is then not accepted).
    void holdData(bool on)
    {
        std::lock_guard lock(m_mutex);
        m_hold = on;
    }
    void release()
    {
        std::lock_guard lock(m_mutex);
        m_hold = false;
        m_cv.notify_all();
    }

    std::vector<Message> messages() const
    {
        std::lock_guard lock(m_mutex);
        return m_messages;
    }
    size_t held() const
    {
        std::lock_guard lock(m_mutex);
        return m_heldCount;
    }
    size_t connections() const { return m_accepted; }

    // waitFor waits until `pred(messages, held)` holds; false after `most`.
    template <class Pred>
    bool waitFor(Pred pred, std::chrono::milliseconds most = std::chrono::seconds(60))
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, most, [&] { return pred(m_messages, m_heldCount); });
    }

private:
    void listen(uint16_t port)
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const int one = 1;
        ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(m_listen, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(m_listen, 16) != 0)
            throw std::runtime_error("SmtpSink: cannot listen on 127.0.0.1:" + std::to_string(port));
        socklen_t len = sizeof a;
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        if (::pipe2(m_wake, O_CLOEXEC) != 0) throw std::runtime_error("SmtpSink: pipe");
        m_acceptor = std::thread([this] { acceptLoop(); });
    }

    void acceptLoop()
    {
        while (true) {
            pollfd fds[2] = {{m_listen, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) continue;
            if (fds[1].revents) return;
            const int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            ++m_accepted;
            std::lock_guard lock(m_mutex);
            m_open.insert(fd);
            m_connections.emplace_back([this, fd] { serve(fd); });
        }
    }

    static bool sendAll(int fd, const std::string& text)
    {
        size_t at = 0;
        while (at < text.size()) {
            const auto n = ::send(fd, text.data() + at, text.size() - at, MSG_NOSIGNAL);
            if (n <= 0) return false;
            at += static_cast<size_t>(n);
        }
        return true;
    }

    void serve(int fd)
    {
        std::string buffer;
        auto readLine = [&](std::string& line) {
            while (true) {
                const auto end = buffer.find("\r\n");
                if (end != std::string::npos) {
                    line = buffer.substr(0, end);
                    buffer.erase(0, end + 2);
                    return true;
                }
                char chunk[4096];
                const auto n = ::recv(fd, chunk, sizeof chunk, 0);
                if (n <= 0) return false;
                buffer.append(chunk, static_cast<size_t>(n));
            }
        };
        auto upper = [](std::string s) {
            for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            return s;
        };
        auto address = [](const std::string& line) {
            const auto a = line.find('<'), b = line.find('>');
            return a == std::string::npos || b == std::string::npos || b < a ? std::string() : line.substr(a + 1, b - a - 1);
        };
        if (m_greet421) {
            sendAll(fd, "421 127.0.0.1 busy, try again later\r\n");
        } else if (sendAll(fd, "220 127.0.0.1 backfill test sink ESMTP\r\n")) {
            Message m;
            std::string line;
            while (readLine(line)) {
                const std::string verb = upper(line.substr(0, 4));
                std::string reply = "250 ok\r\n";
                if (verb == "EHLO")
                    reply = "250-127.0.0.1\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n";
                else if (verb == "HELO" || verb == "NOOP")
                    reply = "250 ok\r\n";
                else if (verb == "MAIL") {
                    m = Message{};
                    m.from = address(line);
                } else if (verb == "RCPT") {
                    const std::string to = address(line);
                    std::lock_guard lock(m_mutex);
                    if (m_rejected.count(to))
                        reply = "550 5.1.1 <" + to + ">: no such mailbox\r\n";
                    else
                        m.to.push_back(to);
                } else if (verb == "RSET") {
                    m = Message{};
                } else if (verb == "QUIT") {
                    sendAll(fd, "221 bye\r\n");
                    break;
                } else if (verb == "DATA") {
                    if (m.to.empty()) {
                        reply = "554 no valid recipients\r\n";
                    } else {
                        if (!sendAll(fd, "354 end with <CRLF>.<CRLF>\r\n")) break;
                        bool complete = false;
                        while (readLine(line)) {
                            if (line == ".") {
                                complete = true;
                                break;
                            }
                            if (!line.empty() && line[0] == '.') line.erase(0, 1); // RFC 5321 4.5.2
                            m.data += line + "\r\n";
                        }
                        if (!complete) break;
                        m.messageId = m.header("Message-ID");
                        if (!accept(fd, m)) break;
                        continue;
                    }
                } else {
                    reply = "502 command not implemented\r\n";
                }
                if (!sendAll(fd, reply)) break;
            }
        }
        std::lock_guard lock(m_mutex);
        m_open.erase(fd);
        ::close(fd);
    }

    // accept replies 250 to a message's data (after a hold, if one is on) and records it;
    // false when the client went away during the hold (the message is not accepted).
    bool accept(int fd, const Message& m)
    {
        std::unique_lock lock(m_mutex);
        if (m_hold) {
            ++m_heldCount;
            m_cv.notify_all();
            while (m_hold && !m_stopping) {
                m_cv.wait_for(lock, std::chrono::milliseconds(50));
                pollfd p{fd, POLLIN | POLLRDHUP, 0};
                if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) return false;
            }
            if (m_stopping) return false;
        }
        m_messages.push_back(m);
        const size_t n = m_messages.size();
        m_cv.notify_all();
        lock.unlock();
        return sendAll(fd, "250 2.0.0 queued as " + std::to_string(n) + "\r\n");
    }

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_listen = -1;
    int m_wake[2] = {-1, -1};
    uint16_t m_port = 0;
    std::thread m_acceptor;
    std::vector<std::thread> m_connections;
    std::set<int> m_open;
    std::set<std::string> m_rejected;
    std::vector<Message> m_messages;
    std::atomic<bool> m_greet421{false};
    std::atomic<size_t> m_accepted{0};
    bool m_hold = false;
    bool m_stopping = false;
    size_t m_heldCount = 0;
};

} // namespace backfill::test
