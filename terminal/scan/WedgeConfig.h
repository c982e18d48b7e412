#pragma once
// WedgeConfig: the options of the keyboard-wedge burst detector (scan/Wedge.h), with the
// defaults a handheld's built-in imager needs. docs/wedge.md explains every rule they tune.

#include "ledger/Result.h"

#include <chrono>
#include <cstddef>
#include <string>

namespace backfill::scan {

// DoubleRead says what the wedge does with the scanner's double read: the identical code
// arriving again sooner after the previous scan than a person can rescan (UI.md).
enum class DoubleRead {
    Flag, // report it as a Scan with doubleRead = true; the UI must not apply it again
    Drop, // report nothing
};

struct WedgeConfig {
    // interKeyThreshold: a pause this long between two keys ends a burst (a pause the stamps
    // prove: see Wedge::beginEvents); shorter gaps continue it. Also how long a character is
    // held back before it reaches a focused field. A scanner sends a key every 10 ms or faster.
    std::chrono::microseconds interKeyThreshold{40'000};
    // maxMeanGap: a burst is a scan only if its keys, prefix to terminator, were produced at
    // most this far apart on average, measured pessimistically (the earliest moment the first
    // key can have been typed to the arrival of the terminator). Twice a scanner's 10 ms, so
    // keys that waited unread through a normal frame still count; no person types that fast.
    std::chrono::microseconds maxMeanGap{20'000};
    // queuedWithin: a key that arrives within this of beginEvents() was waiting in the window
    // system's queue and may have been typed at any moment since the previous poll().
    std::chrono::microseconds queuedWithin{5'000};
    // doubleReadWindow: an identical code starting sooner than this after the previous scan
    // ended is the scanner's double read (UI.md: 300 ms). 0 turns the check off.
    std::chrono::microseconds doubleReadWindow{300'000};
    DoubleRead doubleRead = DoubleRead::Flag;
    // prefix and suffix (UTF-8) that the scanner is configured to send around every code.
    // When set, a burst without them is not a scan; they are stripped from Scan::text.
    std::string prefix;
    std::string suffix;
    // gsSubstitute: the printable character the scanner sends instead of GS (ASCII 29), which
    // GLFW 3.3 cannot deliver as a character. It becomes "\x1d" in Scan::text. 0: none.
    char32_t gsSubstitute = 0;
    // Which keys end a scan. At least one must be on.
    bool enterEndsScan = true;
    bool tabEndsScan = true;
    // minScanLength: the fewest characters (prefix and suffix excluded) a scan has. The
    // shortest codes a warehouse prints are longer (EAN-8 has 8, a location like A-01 has 4).
    std::size_t minScanLength = 4;
};

// checkWedgeConfig fails with code "bad_wedge_config" and a message naming the field, its
// value and what to set instead when: a duration that must be positive is not
// (interKeyThreshold, maxMeanGap) or one that must not be negative is (queuedWithin,
// doubleReadWindow); prefix or suffix is not UTF-8 or holds a control character other than
// GS (GLFW never delivers one, so the scan could never match); gsSubstitute is a control
// character or not a code point; neither Enter nor Tab ends a scan; minScanLength is 0.
ledger::Result<void> checkWedgeConfig(const WedgeConfig& config);

} // namespace backfill::scan
