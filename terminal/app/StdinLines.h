#pragma once
// StdinLines reads scan lines from standard input (`receive -`, `parse -`).
//
// Contract:
// - A line ends at '\n'; a '\r' just before it is dropped, so "\r\n" input works. The last
//   line needs no '\n'.
// - A line is at most kMaxLineBytes (4096) bytes, not counting its line ending. A longer line
//   is reported once as `tooLong` with its length; its bytes are discarded as they arrive (a
//   10 MB line costs no more memory than a short one), and the lines after it are read
//   normally. So 4096 bytes + "\r\n" is accepted, 4097 bytes are too long.
// - Time is linear in the input: each byte is searched for '\n' once.
// - Reads use poll(): a non-blocking stdin (O_NONBLOCK on a pipe or terminal) waits for data
//   instead of taking "nothing yet" (EAGAIN) for the end of input. The end of input is a
//   read of 0 bytes; any other read error is `input_failed`.
// - No stdio buffering, so nextIfWaiting can tell whether a line is already waiting.

#include "ledger/Result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace backfill::app {

// InputLine is one line of input without its line ending.
struct InputLine {
    // text is the line; for a tooLong line, its first kKeptPrefixBytes bytes and "...".
    std::string text;
    int64_t number = 0;   // 1-based line number in the input (blank lines count)
    size_t bytes = 0;     // the line's length in bytes, without the line ending
    bool tooLong = false; // longer than kMaxLineBytes: refuse it with tooLongError
};

class StdinLines {
public:
    static constexpr size_t kMaxLineBytes = 4096;
    static constexpr size_t kKeptPrefixBytes = 64;

    explicit StdinLines(int fd = 0) : m_fd(fd) {}

    // next waits for the next line: true with `line` set, false at the end of input, or
    // input_failed when the read fails.
    ledger::Result<bool> next(InputLine& line);
    // nextIfWaiting gives a line only when one is complete without waiting (or the input
    // has ended and a last unterminated line is left); false otherwise.
    ledger::Result<bool> nextIfWaiting(InputLine& line);

private:
    bool takeLine(InputLine& line);
    bool takeLast(InputLine& line);
    void finishLine(InputLine& line, size_t end);
    void finishDiscarded(InputLine& line);
    // fill reads what is there (Wait::Yes: waits for something); true when it read bytes or
    // met the end of input.
    enum class Wait { Yes, No };
    ledger::Result<bool> fill(Wait wait);

    int m_fd;
    std::vector<char> m_chunk; // read buffer, allocated at the first read
    std::string m_buffer;  // bytes read and not yet handed out, from m_start
    size_t m_start = 0;    // where the current line begins in m_buffer
    size_t m_scanned = 0;  // no '\n' in m_buffer[m_start, m_scanned)
    bool m_discarding = false; // the current line is too long: its bytes are dropped
    std::string m_prefix;      // first bytes of the line being discarded
    size_t m_discarded = 0;    // bytes of it dropped so far
    bool m_lastWasCr = false;  // its last dropped byte was '\r'
    int64_t m_number = 0;
    bool m_eof = false;
};

// tooLongError is the refusal of a tooLong line: too_long, naming the line and its length.
ledger::Error tooLongError(const InputLine& line);

} // namespace backfill::app
