#include "app/StdinLines.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace backfill::app {

namespace {

constexpr size_t kReadChunk = 64 * 1024; // a pipe's default capacity

} // namespace

ledger::Result<bool> StdinLines::next(InputLine& line)
{
    while (true) {
        if (takeLine(line)) return true;
        if (m_eof) return takeLast(line);
        if (auto r = fill(Wait::Yes); !r) return ledger::unexpected(r.error());
    }
}

ledger::Result<bool> StdinLines::nextIfWaiting(InputLine& line)
{
    while (true) {
        if (takeLine(line)) return true;
        if (m_eof) return takeLast(line);
        pollfd p{m_fd, POLLIN, 0};
        int ready;
        do {
            ready = ::poll(&p, 1, 0);
        } while (ready < 0 && errno == EINTR);
        // An error here (POLLNVAL, ...) is left to the next blocking read to report.
        if (ready <= 0) return false;
        auto got = fill(Wait::No);
        if (!got) return ledger::unexpected(got.error());
        if (!*got) return false; // woken, but nothing there after all
    }
}

bool StdinLines::takeLine(InputLine& line)
{
    if (m_discarding) {
        const size_t pos = m_buffer.find('\n', m_start);
        const size_t end = pos == std::string::npos ? m_buffer.size() : pos;
        if (end > m_start) {
            m_discarded += end - m_start;
            m_lastWasCr = m_buffer[end - 1] == '\r';
        }
        if (pos == std::string::npos) {
            m_buffer.clear();
            m_start = m_scanned = 0;
            return false;
        }
        m_start = m_scanned = pos + 1;
        finishDiscarded(line);
        return true;
    }
    const size_t pos = m_buffer.find('\n', m_scanned);
    if (pos == std::string::npos) {
        m_scanned = m_buffer.size();
        // Past the limit even if the line turns out to end in "\r\n": stop keeping it.
        if (m_scanned - m_start > kMaxLineBytes + 1) {
            m_discarding = true;
            m_prefix.assign(m_buffer, m_start, kKeptPrefixBytes);
            m_discarded = m_scanned - m_start;
            m_lastWasCr = m_buffer.back() == '\r';
            m_buffer.clear();
            m_start = m_scanned = 0;
        }
        return false;
    }
    finishLine(line, pos);
    m_start = m_scanned = pos + 1;
    return true;
}

bool StdinLines::takeLast(InputLine& line)
{
    if (m_discarding) {
        finishDiscarded(line);
        return true;
    }
    if (m_start == m_buffer.size()) return false;
    finishLine(line, m_buffer.size());
    m_start = m_scanned = m_buffer.size();
    return true;
}

void StdinLines::finishLine(InputLine& line, size_t end)
{
    size_t length = end - m_start;
    if (length > 0 && m_buffer[end - 1] == '\r') --length;
    line.number = ++m_number;
    line.bytes = length;
    line.tooLong = length > kMaxLineBytes;
    if (line.tooLong)
        line.text = m_buffer.substr(m_start, kKeptPrefixBytes) + "...";
    else
        line.text.assign(m_buffer, m_start, length);
}

void StdinLines::finishDiscarded(InputLine& line)
{
    line.number = ++m_number;
    line.bytes = m_discarded - (m_lastWasCr ? 1 : 0);
    line.tooLong = true;
    line.text = m_prefix + "...";
    m_discarding = false;
    m_prefix.clear();
    m_discarded = 0;
    m_lastWasCr = false;
}

ledger::Result<bool> StdinLines::fill(Wait wait)
{
    // fill runs only when no '\n' is left after m_start: what moves here is one unfinished
    // line of at most kMaxLineBytes + 1 bytes, so reading stays linear.
    if (m_start > 0) {
        m_buffer.erase(0, m_start);
        m_scanned -= m_start;
        m_start = 0;
    }
    if (m_chunk.empty()) m_chunk.resize(kReadChunk);
    while (true) {
        const ssize_t n = ::read(m_fd, m_chunk.data(), m_chunk.size());
        if (n > 0) {
            m_buffer.append(m_chunk.data(), static_cast<size_t>(n));
            return true;
        }
        if (n == 0) {
            m_eof = true;
            return true;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            // A non-blocking stdin with nothing in it yet: not the end of the input.
            if (wait == Wait::No) return false;
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, -1) >= 0 || errno == EINTR) continue;
        }
        const int error = errno;
        return ledger::fail("input_failed", "standard input: cannot read after line " + std::to_string(m_number) + ": " +
                                                std::strerror(error) + "; the lines before were handled");
    }
}

ledger::Error tooLongError(const InputLine& line)
{
    return {"too_long", "standard input line " + std::to_string(line.number) + ": " + std::to_string(line.bytes) +
                            " bytes; a scan line is at most " + std::to_string(StdinLines::kMaxLineBytes) +
                            " bytes, so this line was skipped (is the input one scan per line?)"};
}

} // namespace backfill::app
