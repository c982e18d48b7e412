// Keyboard-wedge burst detection (issue 5 part 4; docs/wedge.md). Times are written in
// milliseconds from an arbitrary steady-clock origin; every expectation is exact.
#include "scan/Wedge.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using namespace backfill::scan;
using namespace std::chrono_literals;

namespace {

WedgeTime at(double ms)
{
    return WedgeTime{} + std::chrono::microseconds(std::llround(ms * 1000.0));
}

double msOf(WedgeTime t)
{
    return std::chrono::duration<double, std::milli>(t.time_since_epoch()).count();
}

std::string utf8(char32_t c)
{
    std::string s;
    if (c < 0x80) {
        s += static_cast<char>(c);
    } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    }
    return s;
}

std::string show(const KeyEvent& k)
{
    switch (k.kind) {
    case KeyKind::Char: return utf8(k.ch);
    case KeyKind::Enter: return "<Enter>";
    case KeyKind::Tab: return "<Tab>";
    case KeyKind::GroupSeparator: return "<GS>";
    case KeyKind::Backspace: return "<BS>";
    case KeyKind::Other: return "<Other " + std::to_string(k.otherKey) + ">";
    }
    return "?";
}

// show renders outputs compactly: T[typed keys] and S[scan text] (GS as <GS>, then /Tab for a
// Tab terminator and !double for a double read).
std::string show(const std::vector<WedgeOutput>& outs)
{
    std::string s;
    for (const auto& o : outs) {
        if (!s.empty()) s += ' ';
        if (const auto* t = std::get_if<Typed>(&o)) {
            s += "T[";
            for (const auto& k : t->keys) s += show(k);
            s += "]";
        } else {
            const auto& scan = std::get<Scan>(o);
            s += "S[";
            for (char c : scan.text) s += c == '\x1d' ? std::string("<GS>") : std::string(1, c);
            s += "]";
            if (scan.terminator == KeyKind::Tab) s += "/Tab";
            if (scan.doubleRead) s += "!double";
        }
    }
    return s;
}

// Rig drives one wedge and keeps every output in order.
struct Rig {
    Wedge w;
    std::vector<WedgeOutput> out;

    explicit Rig(WedgeConfig c = {}) : w(std::move(c)) {}

    void key(const KeyEvent& k) { w.key(k); }
    // chars types `text` starting at t0, one key every gap ms; returns the time of the next key.
    double chars(std::u32string_view text, double t0, double gap)
    {
        for (std::size_t i = 0; i < text.size(); ++i) w.key(KeyEvent::character(text[i], at(t0 + gap * i)));
        return t0 + gap * text.size();
    }
    std::string poll(double ms)
    {
        auto got = w.poll(at(ms));
        out.insert(out.end(), got.begin(), got.end());
        return show(got);
    }
    std::string all() const { return show(out); }
    const Scan& scan(std::size_t i) const
    {
        std::size_t seen = 0;
        for (const auto& o : out)
            if (const auto* s = std::get_if<Scan>(&o); s && seen++ == i) return *s;
        throw std::out_of_range("no such scan");
    }
};

} // namespace

TEST_CASE("a scanner burst becomes one scan and nothing reaches the field before it ends")
{
    Rig r;
    const double t = r.chars(U"09501101530003", 0, 2); // 14 digits at 0..26 ms
    CHECK(r.poll(27) == "");                            // held, not typed
    CHECK(r.w.nextDeadline() == at(66));
    r.key(KeyEvent::enter(at(t)));
    CHECK(r.poll(28.5) == "S[09501101530003]");
    const Scan& s = r.scan(0);
    CHECK(s.text == "09501101530003");
    CHECK(s.startedAt == at(0));
    CHECK(s.endedAt == at(28));
    CHECK(s.terminator == KeyKind::Enter);
    CHECK_FALSE(s.doubleRead);
    CHECK_FALSE(r.w.nextDeadline().has_value());
    CHECK(r.poll(500) == "");
}

TEST_CASE("keys 10 ms apart are a scanner")
{
    Rig r;
    r.key(KeyEvent::enter(at(r.chars(U"ABC-123", 0, 10)))); // mean gap 70 ms / 7 = 10 ms
    CHECK(r.poll(71) == "S[ABC-123]");
}

TEST_CASE("a person typing into a quantity field gets every key unchanged, in order")
{
    Rig r;
    const std::vector<KeyEvent> keys = {
        KeyEvent::character(U'1', at(0)), KeyEvent::character(U'2', at(150)),
        KeyEvent::character(U'5', at(170)), // a roll: 20 ms after '2'
        KeyEvent::enter(at(330))};
    // A busy frame loop: each millisecond, the keys that arrived, then poll. Note when each
    // output appears.
    std::string log;
    std::size_t next = 0;
    for (int ms = 0; ms <= 400; ++ms) {
        for (; next < keys.size() && keys[next].at <= at(ms); ++next) r.key(keys[next]);
        auto got = r.w.poll(at(ms));
        if (!got.empty()) log += std::to_string(ms) + ":" + show(got) + " ";
    }
    // '1' is held for exactly the threshold; '5' continues '2', so both wait for the pause
    // after '5'; Enter with nothing held goes through at once.
    CHECK(log == "40:T[1] 210:T[25] 330:T[<Enter>] ");
}

TEST_CASE("the digits, Enter and Backspace of a fast typist are never a scan")
{
    SUBCASE("rolling keys 35 ms apart pass the inter-key threshold but not the speed test")
    {
        Rig r;
        r.key(KeyEvent::enter(at(r.chars(U"1250", 0, 35))));
        CHECK(r.poll(141) == "T[1250<Enter>]");
    }
    SUBCASE("short entries stay typing even at scanner speed")
    {
        Rig r;
        r.key(KeyEvent::enter(at(r.chars(U"12", 0, 5))));
        CHECK(r.poll(11) == "T[12<Enter>]");
    }
    SUBCASE("Backspace is never part of a scan")
    {
        Rig r;
        r.chars(U"123", 0, 2);
        r.key(KeyEvent::backspace(at(6)));
        r.key(KeyEvent::character(U'4', at(8)));
        CHECK(r.poll(9) == "T[123<BS>]");
        CHECK(r.poll(48) == "T[4]");
    }
    SUBCASE("other keys keep their place among held characters")
    {
        Rig r;
        r.key(KeyEvent::character(U'7', at(0)));
        r.key(KeyEvent::other(262, at(100))); // e.g. GLFW_KEY_RIGHT, after the hold ended
        r.key(KeyEvent::character(U'8', at(200)));
        r.key(KeyEvent::other(263, at(210))); // during the hold: waits for '8'
        CHECK(r.poll(211) == "T[7<Other 262>8<Other 263>]");
    }
}

TEST_CASE("the speed test is exact: mean gap up to maxMeanGap, measured first key to terminator")
{
    Rig fast;
    fast.key(KeyEvent::enter(at(fast.chars(U"1250", 0, 20)))); // 80 ms over 4 gaps = 20 ms
    CHECK(fast.poll(81) == "S[1250]");

    Rig slow;
    slow.key(KeyEvent::enter(at(slow.chars(U"1250", 0, 20.001)))); // 80.004 ms > 80 ms
    CHECK(slow.poll(81) == "T[1250<Enter>]");
}

TEST_CASE("the inter-key threshold is strict: a gap of 40 ms ends the burst")
{
    Rig joined;
    joined.chars(U"123", 0, 10);
    joined.key(KeyEvent::character(U'4', at(59.999)));
    joined.key(KeyEvent::enter(at(61)));
    CHECK(joined.poll(62) == "S[1234]");

    Rig split;
    split.chars(U"123", 0, 10);
    split.key(KeyEvent::character(U'4', at(60)));
    CHECK(split.poll(60) == "T[123]");
    split.key(KeyEvent::enter(at(61)));
    CHECK(split.poll(62) == "T[4<Enter>]");

    Rig lateEnter; // a scanner whose terminator came too late: the code is typing
    lateEnter.chars(U"4006381333931", 0, 2);
    CHECK(lateEnter.poll(63.999) == "");
    CHECK(lateEnter.poll(64) == "T[4006381333931]");
    lateEnter.key(KeyEvent::enter(at(64.5)));
    CHECK(lateEnter.poll(65) == "T[<Enter>]");
}

TEST_CASE("a partial burst without a terminator is released as typing once the threshold passes")
{
    Rig r;
    r.chars(U"ABC", 0, 2);
    CHECK(r.poll(43.999) == "");
    CHECK(r.w.nextDeadline() == at(44));
    CHECK(r.poll(44) == "T[ABC]");
    CHECK_FALSE(r.w.nextDeadline().has_value());

    Rig f; // flush does not wait
    f.chars(U"AB", 0, 2);
    CHECK(show(f.w.flush()) == "T[AB]");
    CHECK_FALSE(f.w.nextDeadline().has_value());
}

TEST_CASE("prefix and suffix")
{
    WedgeConfig c;
    c.prefix = "~";
    c.suffix = "#";

    SUBCASE("are required and stripped")
    {
        Rig r(c);
        r.key(KeyEvent::enter(at(r.chars(U"~ABC123#", 0, 2))));
        CHECK(r.poll(17) == "S[ABC123]");
        CHECK(r.scan(0).startedAt == at(0));
        CHECK(r.scan(0).endedAt == at(16));
    }
    SUBCASE("a burst without the prefix or the suffix is typing")
    {
        Rig r(c);
        r.key(KeyEvent::enter(at(r.chars(U"ABC123#", 0, 2))));
        r.key(KeyEvent::enter(at(r.chars(U"~ABC123", 100, 2))));
        CHECK(r.poll(200) == "T[ABC123#<Enter>~ABC123<Enter>]");
    }
    SUBCASE("a key typed just before the trigger stays typing, ahead of the scan")
    {
        Rig r(c);
        r.key(KeyEvent::character(U'5', at(0)));
        r.key(KeyEvent::enter(at(r.chars(U"~4006381333931#", 20, 2))));
        CHECK(r.poll(51) == "T[5] S[4006381333931]");
        CHECK(r.scan(0).startedAt == at(20));
    }
    SUBCASE("the minimum length counts the code only")
    {
        Rig r(c);
        r.key(KeyEvent::enter(at(r.chars(U"~A-1#", 0, 2))));
        r.key(KeyEvent::enter(at(r.chars(U"~A-01#", 100, 2))));
        CHECK(r.poll(200) == "T[~A-1#<Enter>] S[A-01]");
    }
    SUBCASE("multi-character UTF-8 affixes")
    {
        WedgeConfig u;
        u.prefix = "\xC2\xA7\xC2\xA7"; // "§§"
        Rig r(u);
        r.key(KeyEvent::enter(at(r.chars(U"§§LOC-7", 0, 2))));
        CHECK(r.poll(15) == "S[LOC-7]");
    }
}

TEST_CASE("GS: the configured substitute and Ctrl+] both become 0x1D in the scan text")
{
    WedgeConfig c;
    c.gsSubstitute = U'|';
    Rig r(c);
    // GS1 element string: (01) fixed length, (10) variable and not last, so GS, then (17).
    r.key(KeyEvent::enter(at(r.chars(U"010950110153000310LOT7|17260630", 0, 1))));
    CHECK(r.poll(40) == "S[010950110153000310LOT7<GS>17260630]");
    CHECK(r.scan(0).text == "010950110153000310LOT7\x1d" "17260630");

    double t = r.chars(U"0109501101530003" U"10LOT7", 1000, 1);
    r.key(KeyEvent::groupSeparator(at(t)));
    r.key(KeyEvent::enter(at(r.chars(U"17260630", t + 1, 1))));
    CHECK(r.poll(1100) == "S[010950110153000310LOT7<GS>17260630]");

    // A person typing the substitute character gets it unchanged.
    r.key(KeyEvent::character(U'|', at(2000)));
    CHECK(r.poll(2040) == "T[|]");
}

TEST_CASE("Tab ends a scan unless configured off")
{
    Rig r;
    r.key(KeyEvent::tab(at(r.chars(U"A-01-03", 0, 2))));
    CHECK(r.poll(15) == "S[A-01-03]/Tab");
    CHECK(r.scan(0).terminator == KeyKind::Tab);

    WedgeConfig c;
    c.tabEndsScan = false;
    Rig off(c);
    off.key(KeyEvent::tab(at(off.chars(U"A-01-03", 0, 2))));
    CHECK(off.poll(15) == "T[A-01-03<Tab>]");
    off.key(KeyEvent::enter(at(off.chars(U"A-01-03", 100, 2))));
    CHECK(off.poll(115) == "S[A-01-03]");
}

TEST_CASE("the minimum scan length")
{
    WedgeConfig c;
    c.minScanLength = 8;
    Rig r(c);
    r.key(KeyEvent::enter(at(r.chars(U"9638507", 0, 2))));
    r.key(KeyEvent::enter(at(r.chars(U"96385074", 100, 2))));
    CHECK(r.poll(200) == "T[9638507<Enter>] S[96385074]");
}

TEST_CASE("a scan right after typing, and typing right after a scan")
{
    Rig r;
    r.key(KeyEvent::character(U'7', at(0)));
    CHECK(r.poll(40) == "T[7]");
    r.key(KeyEvent::enter(at(r.chars(U"4006381333931", 60, 2))));
    r.key(KeyEvent::character(U'3', at(136)));
    CHECK(r.poll(137) == "S[4006381333931]");
    CHECK(r.poll(176) == "T[3]");

    Rig quick; // the trigger 45 ms after a typed key, no frame in between: order is kept
    quick.key(KeyEvent::character(U'7', at(0)));
    quick.key(KeyEvent::enter(at(quick.chars(U"4006381333931", 45, 2))));
    CHECK(quick.poll(72) == "T[7] S[4006381333931]");
}

TEST_CASE("without a prefix, a burst must start after a pause or right after a scan")
{
    Rig afterBackspace; // 5 ms after a Backspace: the start is not proven
    afterBackspace.key(KeyEvent::backspace(at(0)));
    afterBackspace.key(KeyEvent::enter(at(afterBackspace.chars(U"96385074", 5, 2))));
    CHECK(afterBackspace.poll(100) == "T[<BS>96385074<Enter>]");

    Rig afterPause; // 40 ms after it: proven
    afterPause.key(KeyEvent::backspace(at(0)));
    afterPause.key(KeyEvent::enter(at(afterPause.chars(U"96385074", 40, 2))));
    CHECK(afterPause.poll(100) == "T[<BS>] S[96385074]");

    Rig afterTypedEnter; // a terminator that was typing proves nothing either
    afterTypedEnter.key(KeyEvent::enter(at(afterTypedEnter.chars(U"12", 0, 100))));
    afterTypedEnter.key(KeyEvent::enter(at(afterTypedEnter.chars(U"96385074", 210, 2))));
    CHECK(afterTypedEnter.poll(300) == "T[12<Enter>96385074<Enter>]");

    Rig afterScan; // two codes back to back from one trigger pull
    afterScan.key(KeyEvent::enter(at(afterScan.chars(U"4006381333931", 0, 1))));
    afterScan.key(KeyEvent::enter(at(afterScan.chars(U"96385074", 14, 1))));
    CHECK(afterScan.poll(100) == "S[4006381333931] S[96385074]");
}

TEST_CASE("double reads: the same code again sooner than a person can rescan")
{
    auto scanAt = [](Rig& r, std::u32string_view code, double t0) {
        const double end = r.chars(code, t0, 2);
        r.key(KeyEvent::enter(at(end)));
        return end;
    };
    Rig r;
    double end = scanAt(r, U"4006381333931", 0);        // ends at 26
    end = scanAt(r, U"4006381333931", end + 100);         // 100 ms later: double
    end = scanAt(r, U"4006381333931", end + 299.999);     // chained from the previous one
    end = scanAt(r, U"4006381333931", end + 300);         // a person rescanning
    end = scanAt(r, U"96385074", end + 50);               // another code
    scanAt(r, U"4006381333931", end + 50);                // not the last code: not double
    r.poll(5000);
    CHECK(r.all() == "S[4006381333931] S[4006381333931]!double S[4006381333931]!double "
                     "S[4006381333931] S[96385074] S[4006381333931]");
    CHECK(r.scan(1).startedAt == at(126));

    WedgeConfig drop;
    drop.doubleRead = DoubleRead::Drop;
    Rig d(drop);
    end = scanAt(d, U"4006381333931", 0);
    scanAt(d, U"4006381333931", end + 100);
    CHECK(d.poll(1000) == "S[4006381333931]");

    WedgeConfig off;
    off.doubleReadWindow = 0ms;
    Rig o(off);
    end = scanAt(o, U"4006381333931", 0);
    scanAt(o, U"4006381333931", end + 1);
    CHECK(o.poll(1000) == "S[4006381333931] S[4006381333931]");
}

TEST_CASE("non-ASCII: typed keys pass unchanged, scan text is UTF-8")
{
    Rig r;
    r.key(KeyEvent::character(U'\u00E9', at(0)));
    CHECK(r.poll(40) == "T[\xC3\xA9]");
    r.key(KeyEvent::enter(at(r.chars(U"STRA\u00DFE-1", 100, 2))));
    CHECK(r.poll(200) == "S[STRA\xC3\x9F" "E-1]");
    CHECK(r.scan(0).text == "STRA\xC3\x9F" "E-1");
}

TEST_CASE("stamps that go backwards are raised to the previous stamp")
{
    Rig r;
    r.key(KeyEvent::character(U'1', at(10)));
    r.key(KeyEvent::character(U'2', at(5)));
    r.poll(100);
    REQUIRE(r.out.size() == 1);
    const auto& keys = std::get<Typed>(r.out[0]).keys;
    REQUIRE(keys.size() == 2);
    CHECK(keys[1].at == at(10));
}

TEST_CASE("slow frames: keys that waited in the queue prove no speed")
{
    SUBCASE("a person's keys delivered together after a 300 ms stall are typing")
    {
        Rig r;
        r.w.beginEvents(at(0));
        r.poll(0.1); // end of the read before the stall
        r.w.beginEvents(at(300));
        r.key(KeyEvent::enter(at(r.chars(U"1250", 300, 0.001))));
        CHECK(r.poll(300.1) == "T[1250<Enter>]");
    }
    SUBCASE("the same keys after a normal 16 ms frame are a scanner's")
    {
        Rig r;
        r.w.beginEvents(at(0));
        r.poll(0.1);
        r.w.beginEvents(at(16.7));
        r.key(KeyEvent::enter(at(r.chars(U"1250", 16.7, 0.001))));
        CHECK(r.poll(16.8) == "S[1250]"); // 5 keys within 16.6 ms: nobody types that fast
    }
    SUBCASE("a 13-digit code caught whole in a 300 ms stall is typing; a longer one is a scan")
    {
        // Worst case 300 ms over 14 gaps = 21.4 ms > 20 ms; over 31 gaps = 9.7 ms.
        auto stalled = [](std::u32string_view code) {
            Rig r;
            r.w.beginEvents(at(0));
            r.poll(0.1);
            r.w.beginEvents(at(300));
            r.key(KeyEvent::enter(at(r.chars(code, 300, 0.001))));
            return r.poll(300.2);
        };
        CHECK(stalled(U"4006381333931") == "T[4006381333931<Enter>]");
        CHECK(stalled(U"010950110153000310LOT7|17260630") == "S[010950110153000310LOT7|17260630]");
    }
    SUBCASE("a code interrupted by a stall comes out whole: as one scan, or as typing")
    {
        auto interrupted = [](std::u32string_view head, std::u32string_view tail) {
            Rig r;
            r.w.beginEvents(at(0));
            r.poll(0.1);
            r.w.beginEvents(at(0.2)); // an idle wait; the scanner's first keys wake it
            r.chars(head, 1000, 0.001);
            std::string out = r.poll(1000.1);
            r.w.beginEvents(at(1400)); // the frame stalled 400 ms; the rest was queued
            r.key(KeyEvent::enter(at(r.chars(tail, 1400, 0.001))));
            return out + "|" + r.poll(1400.1);
        };
        // 400 ms over 31 gaps = 12.9 ms: still provably a scanner.
        CHECK(interrupted(U"0109", U"501101530003" U"10LOT7|17260630") ==
              "|S[010950110153000310LOT7|17260630]");
        // 400 ms over 13 gaps = 30.8 ms: could be a person; never the tail alone.
        CHECK(interrupted(U"4006", U"381333931") == "|T[4006381333931<Enter>]");
    }
    SUBCASE("a scanner's keys that wait a short and then a long frame stay one burst")
    {
        // Arrival gaps of 6.7 + 33.4 = 40.1 ms although the keys were typed 8 ms apart: the
        // pause that can be proven is from the previous arrival to the read before.
        Rig r;
        r.w.beginEvents(at(1039.4)); // a frame loop at 30 fps, nothing typed yet
        r.poll(1039.41);
        r.w.beginEvents(at(1072.8));
        r.chars(U"96385", 1072.8, 0.001);
        CHECK(r.poll(1072.81) == "");
        r.w.beginEvents(at(1079.5)); // nothing new yet (an animation frame)
        CHECK(r.poll(1079.51) == "");
        r.w.beginEvents(at(1112.9)); // the next key was typed at 1080, after that read
        r.key(KeyEvent::enter(at(r.chars(U"074", 1112.9, 0.001))));
        CHECK(r.poll(1112.91) == "S[96385074]");
    }
    SUBCASE("after a scan, the next code may follow at once (multi-code scanners)")
    {
        Rig r;
        r.w.beginEvents(at(0));
        r.poll(0.1);
        r.w.beginEvents(at(16.7));
        r.key(KeyEvent::enter(at(r.chars(U"4006381333931", 16.7, 0.001))));
        r.key(KeyEvent::enter(at(r.chars(U"96385074", 16.72, 0.001))));
        CHECK(r.poll(16.8) == "S[4006381333931] S[96385074]");
    }
    SUBCASE("a scan that wakes an idle loop, then arrives frame by frame")
    {
        Rig r;
        r.w.beginEvents(at(0));
        r.poll(0.1);
        r.w.beginEvents(at(0.2)); // waits: glfwWaitEventsTimeout
        r.key(KeyEvent::character(U'4', at(1000))); // wakes it: delivered as typed
        CHECK(r.poll(1000.05) == "");
        r.w.beginEvents(at(1016.7)); // the frame drawn, the next read finds 8 queued
        r.chars(U"00638133", 1016.7, 0.001);
        CHECK(r.poll(1016.8) == "");
        r.w.beginEvents(at(1033.4));
        r.key(KeyEvent::enter(at(r.chars(U"3931", 1033.4, 0.001))));
        CHECK(r.poll(1033.5) == "S[4006381333931]");
    }
    SUBCASE("keys fed outside a read may have waited since the last poll")
    {
        Rig r;
        r.w.beginEvents(at(0));
        r.poll(0.1);
        r.key(KeyEvent::enter(at(r.chars(U"1250", 300, 0.001)))); // no beginEvents
        CHECK(r.poll(300.1) == "T[1250<Enter>]");
    }
    SUBCASE("keys typed before the first read cannot be dated")
    {
        Rig r;
        r.w.beginEvents(at(5));
        r.key(KeyEvent::enter(at(r.chars(U"1250", 5, 0.001))));
        CHECK(r.poll(5.1) == "T[1250<Enter>]");
    }
    SUBCASE("a key arriving within queuedWithin of beginEvents counts as queued")
    {
        Rig r;
        r.w.beginEvents(at(0));
        r.poll(0.1);
        r.w.beginEvents(at(100));
        r.key(KeyEvent::character(U'1', at(105))); // 5 ms after begin: may be from 0.1 on
        r.key(KeyEvent::enter(at(r.chars(U"250", 105.001, 0.001))));
        CHECK(r.poll(106) == "T[1250<Enter>]");

        Rig live;
        live.w.beginEvents(at(0));
        live.poll(0.1);
        live.w.beginEvents(at(100));
        live.key(KeyEvent::character(U'1', at(105.001))); // woke the wait: dated as it is
        live.key(KeyEvent::enter(at(live.chars(U"250", 105.002, 0.001))));
        CHECK(live.poll(106) == "S[1250]");
    }
}

TEST_CASE("config is checked with messages that say what to do")
{
    auto error = [](WedgeConfig c) {
        auto r = checkWedgeConfig(c);
        return r ? std::string("ok") : r.error().code + ": " + r.error().message;
    };
    CHECK(error({}) == "ok");
    WedgeConfig c;
    c.interKeyThreshold = 0ms;
    CHECK(error(c) ==
          "bad_wedge_config: wedge config: interKeyThreshold is 0 ms, must be > 0 (default 40 ms)");
    c = {};
    c.maxMeanGap = -1500us;
    CHECK(error(c) == "bad_wedge_config: wedge config: maxMeanGap is -1.500 ms, must be > 0 "
                      "(default 20 ms)");
    c = {};
    c.doubleReadWindow = -1ms;
    CHECK(error(c) == "bad_wedge_config: wedge config: doubleReadWindow is -1 ms, must be >= 0 "
                      "(default 300 ms, 0 = off)");
    c = {};
    c.prefix = "\x02";
    CHECK(error(c) == "bad_wedge_config: wedge config: prefix character 1 is control character U+0002, "
                      "which GLFW never delivers: configure the scanner to send a printable "
                      "prefix/suffix");
    c = {};
    c.suffix = "\xC3";
    CHECK(error(c) ==
          "bad_wedge_config: wedge config: suffix is not valid UTF-8: write it as UTF-8 text");
    c = {};
    c.suffix = "\xC0\x80"; // overlong NUL
    CHECK(error(c) ==
          "bad_wedge_config: wedge config: suffix is not valid UTF-8: write it as UTF-8 text");
    c = {};
    c.gsSubstitute = U'\t';
    CHECK(error(c) == "bad_wedge_config: wedge config: gsSubstitute is U+0009, not a printable "
                      "character: use the printable character the scanner sends for GS, or 0 "
                      "for none");
    c.gsSubstitute = 0x110000;
    CHECK(error(c) == "bad_wedge_config: wedge config: gsSubstitute is U+110000, not a printable "
                      "character: use the printable character the scanner sends for GS, or 0 "
                      "for none");
    c = {};
    c.enterEndsScan = false;
    c.tabEndsScan = false;
    CHECK(error(c) == "bad_wedge_config: wedge config: neither enterEndsScan nor tabEndsScan is "
                      "set: a scan could never end; turn on the key the scanner sends last");
    c = {};
    c.minScanLength = 0;
    CHECK(error(c) ==
          "bad_wedge_config: wedge config: minScanLength is 0, must be >= 1 (default 4)");
    c = {};
    c.prefix = "\x1d"; // GS arrives as Ctrl+], so it may lead
    CHECK(error(c) == "ok");

    WedgeConfig bad;
    bad.queuedWithin = -1us;
    CHECK_THROWS_WITH_AS(Wedge{bad},
                         "wedge config: queuedWithin is -0.001 ms, must be >= 0 (default 5 ms)",
                         std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// A frame-loop simulation: keys are produced at true times, and a GLFW-like loop reads them
// (queued ones at the start of a read, stamped alike; or waking an idle wait), draws frames of
// varying length (some stalled), and wakes for nextDeadline(). The wedge must give back every
// key exactly once, in order, and never turn a person's keys into a scan.
namespace {

struct Produced {
    double ms;    // when the key was typed
    KeyEvent key; // its stamp is set when the loop delivers it
    int scan;     // index into the codes, or -1 for a person's key
};

struct Session {
    std::vector<Produced> keys;
    std::vector<std::string> codes;
};

std::vector<WedgeOutput> runLoop(Wedge& w, std::vector<Produced>& keys, std::mt19937& rng,
                                 bool stalls)
{
    std::vector<WedgeOutput> out;
    std::uniform_real_distribution<double> unit(0, 1);
    double t = 0;
    std::size_t i = 0;
    auto deliver = [&] {
        for (; i < keys.size() && keys[i].ms <= t; ++i) {
            keys[i].key.at = at(t);
            w.key(keys[i].key);
        }
    };
    while (i < keys.size() || w.nextDeadline()) {
        w.beginEvents(at(t));
        const bool animating = unit(rng) < 0.3; // glfwPollEvents: no wait
        if (!(i < keys.size() && keys[i].ms <= t) && !animating) {
            double wake = t + 500;
            if (i < keys.size()) wake = std::min(wake, keys[i].ms);
            if (auto d = w.nextDeadline()) wake = std::min(wake, msOf(*d));
            t = std::max(t, wake);
        }
        deliver();
        auto got = w.poll(at(t));
        out.insert(out.end(), got.begin(), got.end());
        const double p = unit(rng);
        t += p < 0.6 ? 16.7 : p < 0.85 ? 33.4 : p < 0.95 || !stalls ? 5 + 10 * unit(rng)
                                                                  : 100 + 700 * unit(rng);
    }
    return out;
}

// addHuman appends a person's entry: 1-6 digits, sometimes a Backspace, then Enter; gaps of
// 25-300 ms (fast rolls included), then a pause.
double addHuman(Session& s, double t, std::mt19937& rng)
{
    std::uniform_real_distribution<double> gap(25, 300);
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) {
        s.keys.push_back({t, KeyEvent::character(U'0' + rng() % 10, {}), -1});
        t += gap(rng);
        if (rng() % 8 == 0) {
            s.keys.push_back({t, KeyEvent::backspace({}), -1});
            t += gap(rng);
        }
    }
    s.keys.push_back({t, KeyEvent::enter({}), -1});
    return t + 300 + 1500.0 * (rng() % 1000) / 1000.0;
}

// addScan appends a scanner's code: 8-40 characters (GS1 ones with Ctrl+] keys), 0.5-8 ms per
// key, Enter; then a pause longer than the double-read window.
double addScan(Session& s, double t, std::mt19937& rng)
{
    std::uniform_real_distribution<double> gap(0.5, 8);
    const int n = 8 + static_cast<int>(rng() % 33);
    const int index = static_cast<int>(s.codes.size());
    std::string code = std::to_string(index) + "-";
    for (char c : code) {
        s.keys.push_back({t, KeyEvent::character(static_cast<char32_t>(c), {}), index});
        t += gap(rng);
    }
    for (int k = static_cast<int>(code.size()); k < n; ++k) {
        if (rng() % 10 == 0) {
            s.keys.push_back({t, KeyEvent::groupSeparator({}), index});
            code += '\x1d';
        } else {
            const char c = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rng() % 36];
            s.keys.push_back({t, KeyEvent::character(static_cast<char32_t>(c), {}), index});
            code += c;
        }
        t += gap(rng);
    }
    s.keys.push_back({t, KeyEvent::enter({}), index});
    s.codes.push_back(code);
    return t + 400 + 1000.0 * (rng() % 1000) / 1000.0;
}

struct Tally {
    int scans = 0;          // scans recognised
    int scansTyped = 0;     // scanner codes that came out as typing
    std::string failure;    // first broken property, empty if none
};

// check walks the outputs against the produced keys: every key once, in order; a Scan holds
// exactly one code's keys and its text; no person's key is ever inside a Scan.
Tally check(const Session& s, const std::vector<WedgeOutput>& out)
{
    Tally tally;
    std::size_t j = 0;
    std::vector<bool> codeSeen(s.codes.size(), false);
    auto fail = [&](std::string why) {
        if (tally.failure.empty()) tally.failure = why + " at key " + std::to_string(j);
    };
    for (const auto& o : out) {
        if (const auto* t = std::get_if<Typed>(&o)) {
            for (const auto& k : t->keys) {
                if (j >= s.keys.size() || !(k == s.keys[j].key)) { fail("typed key differs"); return tally; }
                if (s.keys[j].scan >= 0 && s.keys[j].key.kind == KeyKind::Enter) ++tally.scansTyped;
                ++j;
            }
        } else {
            const auto& scan = std::get<Scan>(o);
            if (j >= s.keys.size() || s.keys[j].scan < 0) { fail("a person's key in a scan"); return tally; }
            const int index = s.keys[j].scan;
            if (scan.text != s.codes[index]) { fail("scan text differs"); return tally; }
            if (scan.doubleRead) { fail("unexpected double read"); return tally; }
            while (j < s.keys.size() && s.keys[j].scan == index) ++j;
            ++tally.scans;
        }
    }
    if (j != s.keys.size()) fail("keys missing");
    return tally;
}

} // namespace

TEST_CASE("simulation: a person's typing is never a scan, whatever the frames do")
{
    std::mt19937 rng(20261128);
    for (int session = 0; session < 200; ++session) {
        Session s;
        double t = 1000;
        for (int e = 0; e < 10; ++e) t = addHuman(s, t, rng);
        std::vector<Produced> keys = s.keys;
        Wedge w;
        const auto out = runLoop(w, keys, rng, true);
        s.keys = keys; // with their delivery stamps
        const Tally tally = check(s, out);
        CHECK_MESSAGE(tally.failure == "", "session " << session);
        CHECK(tally.scans == 0);
    }
}

TEST_CASE("simulation: every scan is recognised at normal frame rates, mixed with typing")
{
    std::mt19937 rng(7);
    int scans = 0;
    for (int session = 0; session < 200; ++session) {
        Session s;
        double t = 1000;
        for (int e = 0; e < 8; ++e) t = rng() % 3 == 0 ? addHuman(s, t, rng) : addScan(s, t, rng);
        std::vector<Produced> keys = s.keys;
        Wedge w;
        const auto out = runLoop(w, keys, rng, false);
        s.keys = keys;
        const Tally tally = check(s, out);
        CHECK_MESSAGE(tally.failure == "", "session " << session);
        CHECK_MESSAGE(tally.scans == static_cast<int>(s.codes.size()), "session " << session);
        CHECK(tally.scansTyped == 0);
        scans += tally.scans;
    }
    CHECK(scans > 1000);
}

TEST_CASE("simulation: with stalls a scan may come out as typing, but never wrong")
{
    std::mt19937 rng(42);
    int scans = 0;
    int typed = 0;
    for (int session = 0; session < 200; ++session) {
        Session s;
        double t = 1000;
        for (int e = 0; e < 8; ++e) t = rng() % 2 == 0 ? addHuman(s, t, rng) : addScan(s, t, rng);
        std::vector<Produced> keys = s.keys;
        Wedge w;
        const auto out = runLoop(w, keys, rng, true);
        s.keys = keys;
        const Tally tally = check(s, out);
        CHECK_MESSAGE(tally.failure == "", "session " << session);
        scans += tally.scans;
        typed += tally.scansTyped;
    }
    MESSAGE("stalled sessions: " << scans << " scans recognised, " << typed << " came out typed");
    CHECK(scans > typed);
}
