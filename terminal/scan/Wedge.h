#pragma once
// Wedge tells a keyboard-wedge scanner's bursts from a person's typing (issue 5, part 4).
// Pure logic: timestamped key events in, scans and ordinary typing out; no I/O, no clock of
// its own (the caller stamps every event with steady_clock when it arrives: GLFW events carry
// no timestamps). The rules and their limits are in docs/wedge.md.
//
// Wiring in the UI's frame loop (one Wedge per window; every key goes through it, in order):
//
//     wedge.beginEvents(WedgeClock::now());
//     glfwWaitEventsTimeout(timeout);   // callbacks call wedge.key(...) stamped with now()
//     for (auto& out : wedge.poll(WedgeClock::now())) { /* Scan -> the screen's scan
//         handler; Typed -> io.AddInputCharacter / a one-frame key press, in order */ }
//
// where the timeout is at most nextDeadline() - now(), so held characters are released on
// time while the loop sleeps. The char callback feeds KeyEvent::character; the key callback
// (press and repeat, not release) feeds Enter / keypad Enter, Tab, Backspace, Ctrl+] as
// groupSeparator, and as other() any key whose order relative to the characters matters
// (arrows, Delete, Escape). Keys that skip the wedge may overtake held characters.
//
// State diagram (one burst at a time; "held" = keys taken but not yet handed out):
//
//                 (1)                  (3) (4)
//     +------+ ---------> +---------+ ---+
//     | Idle |            | Holding |    |  (3) and (4) stay in Holding
//     +------+ <--------- +---------+ <--+
//      |  ^    (5) (6) (7) (8)
//      +--+ (2)
//
//  Transition                                                              Performed by
//  (1) Idle -> Holding: a character or GS arrives; it is held              key()
//  (2) Idle -> Idle: Enter, Tab, Backspace or other arrives -> Typed       key()
//  (3) Holding -> Holding: a character or GS arrives without a pause      key()
//      (below); it joins the burst
//  (4) Holding -> Holding: a character or GS arrives after a pause: held   key() via
//      keys -> Typed; the new key is held                                   releaseHeld()
//  (5) Holding -> Idle: a terminator arrives without a pause: Scan if the  key() via
//      burst qualifies, otherwise all -> Typed                              decideBurst()
//  (6) Holding -> Idle: Backspace, other, a non-terminating Enter/Tab, or   key() via
//      a terminator after a pause: held keys and it -> Typed                releaseHeld()
//  (7) Holding -> Idle: poll(now) with now >= last held key + threshold:   poll() via
//      held keys -> Typed                                                   releaseHeld()
//  (8) Holding -> Idle: flush(): held keys -> Typed                        flush()
//
// A pause is one the stamps prove: the earliest moment the new key can have been typed (see
// beginEvents) lies interKeyThreshold or more after the last held key's arrival. With exact
// stamps that is simply an arrival gap >= interKeyThreshold.
//
// A burst qualifies (5) when all hold, else it is typing, terminator included:
//  - with a prefix set, it contains the prefix (the scan starts at its first occurrence; keys
//    before it stay typing) and ends with the suffix, if one is set;
//  - it has at least minScanLength characters between prefix and suffix;
//  - speed: terminator arrival - earliest moment its first key can have been typed
//    <= maxMeanGap x (keys from the first to the terminator - 1);
//  - without a prefix, a proven start: the key before the burst ended a scan, or it arrived at
//    least interKeyThreshold before the earliest moment the burst's first key can have been
//    typed (so a code split by a stall never comes out shortened).
// Then a double read (same text, started < doubleReadWindow after the previous scan ended) is
// flagged or dropped.
//
// Read state, which dates the keys (see beginEvents):
//  Outside -> Unclassified                                                 beginEvents()
//  Unclassified -> Queued | Live, by the first key's distance from begin   key() via date()
//  Unclassified | Queued | Live -> Outside; the poll time ends the read    poll()

#include "scan/WedgeConfig.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace backfill::scan {

using WedgeClock = std::chrono::steady_clock;
using WedgeTime = WedgeClock::time_point;

enum class KeyKind : uint8_t {
    Char,           // a character event: KeyEvent::ch holds the code point
    Enter,          // Enter or keypad Enter
    Tab,
    GroupSeparator, // Ctrl+]: ASCII 29 (GS) sent as a keystroke
    Backspace,
    Other,          // any other key the UI keeps in order; KeyEvent::otherKey is its own code
};

// KeyEvent is one key as the window system delivered it, stamped on arrival.
struct KeyEvent {
    KeyKind kind = KeyKind::Char;
    char32_t ch = 0;  // the code point, for Char only
    int otherKey = 0; // the caller's key code, for Other only; handed back unchanged
    WedgeTime at{};   // arrival: steady_clock::now() in the callback

    static KeyEvent character(char32_t c, WedgeTime at) { return {KeyKind::Char, c, 0, at}; }
    static KeyEvent enter(WedgeTime at) { return {KeyKind::Enter, 0, 0, at}; }
    static KeyEvent tab(WedgeTime at) { return {KeyKind::Tab, 0, 0, at}; }
    static KeyEvent groupSeparator(WedgeTime at) { return {KeyKind::GroupSeparator, 0, 0, at}; }
    static KeyEvent backspace(WedgeTime at) { return {KeyKind::Backspace, 0, 0, at}; }
    static KeyEvent other(int code, WedgeTime at) { return {KeyKind::Other, 0, code, at}; }

    friend bool operator==(const KeyEvent&, const KeyEvent&) = default;
};

// Scan is one code read by the wedge scanner.
struct Scan {
    // text: UTF-8, prefix, suffix and terminator removed; GS (from Ctrl+] or the configured
    // substitute) is "\x1d", ready for the GS1 parser.
    std::string text;
    WedgeTime startedAt{}; // arrival of the first key (the prefix's, when one is set)
    WedgeTime endedAt{};   // arrival of the terminator
    KeyKind terminator = KeyKind::Enter; // Enter or Tab
    // doubleRead: the same text started less than doubleReadWindow after the previous scan
    // ended (only with DoubleRead::Flag; Drop reports nothing). Show it was taken; do not
    // apply it again.
    bool doubleRead = false;

    friend bool operator==(const Scan&, const Scan&) = default;
};

// Typed is ordinary typing: keys in the order they arrived, unchanged (stamps included), for
// the focused widget. Enter, Tab, Backspace and other keys come out here too, in their place.
struct Typed {
    std::vector<KeyEvent> keys;

    friend bool operator==(const Typed&, const Typed&) = default;
};

using WedgeOutput = std::variant<Scan, Typed>;

// Wedge: see the top of this file. Every key given to key() comes out exactly once, in
// arrival order: in a Typed, or as part of a Scan (prefix, text, suffix and terminator), or
// dropped with a double read under DoubleRead::Drop. Consecutive typed keys share one Typed.
class Wedge {
public:
    // Wedge throws std::invalid_argument with checkWedgeConfig's message when the config is
    // bad (a configuration error that stops the terminal from starting, STYLE.md 7).
    explicit Wedge(WedgeConfig config = {});

    // beginEvents marks the moment the UI starts reading the window system's queue
    // (glfwPollEvents / glfwWaitEventsTimeout). If the first key of this read arrives within
    // queuedWithin of `at`, the read's keys were queued and each may have been typed at any
    // moment since the previous poll(): a slow frame's keys prove no speed. Otherwise the
    // read woke on them and they are dated by their stamps. A caller that never calls
    // beginEvents (tests, a replay) declares every stamp to be when the key was typed.
    void beginEvents(WedgeTime at);

    // key takes one key event. Its decisions are returned by the next poll() or flush().
    // A stamp earlier than the previous key's is raised to it (stamps must not go back).
    void key(const KeyEvent& event);

    // poll ends the current read (call it right after the events call returns, before the
    // frame is laid out: `now` dates the drained queue) and returns everything decided since
    // the last poll or flush, in order. Held keys whose burst stayed silent for
    // interKeyThreshold (now >= last held key + threshold) are released as Typed.
    std::vector<WedgeOutput> poll(WedgeTime now);

    // flush releases every held key as Typed at once, whatever the time (focus lost, screen
    // closed), and returns everything decided. A held burst without its terminator is never
    // a scan.
    std::vector<WedgeOutput> flush();

    // nextDeadline is when poll() will release the held keys if nothing else arrives: the
    // latest moment the UI should wake. nullopt when nothing is held.
    std::optional<WedgeTime> nextDeadline() const;

    const WedgeConfig& config() const { return m_config; }

private:
    // Held is a key not yet handed out, with the earliest moment it can have been typed.
    struct Held {
        KeyEvent event;
        WedgeTime earliest;
        bool earliestKnown = true;
        // For the first key of a burst: the arrival of the key before it, unless that key
        // ended a scan (then the boundary is known). Used to prove the burst's start.
        std::optional<WedgeTime> after;
    };
    enum class Read { Outside, Unclassified, Queued, Live };

    Held date(const KeyEvent& event);
    bool decideBurst(const Held& terminator);
    void releaseHeld();
    void emitTyped(const KeyEvent& event);
    void emitScan(Scan scan);
    bool endsScan(KeyKind kind) const;

    WedgeConfig m_config;
    std::u32string m_prefix; // decoded m_config.prefix
    std::u32string m_suffix;

    std::deque<Held> m_held;
    std::vector<WedgeOutput> m_out;

    bool m_framed = false; // beginEvents has been called at least once
    Read m_read = Read::Outside;
    WedgeTime m_readBegin{};
    std::optional<WedgeTime> m_lastPoll;
    std::optional<WedgeTime> m_lastStamp;
    bool m_lastEndedScan = false; // the previous key was the terminator of a Scan

    std::optional<std::string> m_lastScanText;
    WedgeTime m_lastScanEnd{};
};

} // namespace backfill::scan
