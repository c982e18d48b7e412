#include "scan/Wedge.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace backfill::scan {

namespace {

constexpr char32_t kGsCodePoint = 0x1D;

// decodeUtf8 gives the code points of `text`, or nullopt when it is not well-formed UTF-8
// (overlong forms, surrogates and values past U+10FFFF included).
std::optional<std::u32string> decodeUtf8(const std::string& text)
{
    std::u32string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto b0 = static_cast<unsigned char>(text[i]);
        int extra = 0;
        char32_t cp = 0;
        char32_t min = 0;
        if (b0 < 0x80) { cp = b0; }
        else if ((b0 & 0xE0) == 0xC0) { extra = 1; cp = b0 & 0x1F; min = 0x80; }
        else if ((b0 & 0xF0) == 0xE0) { extra = 2; cp = b0 & 0x0F; min = 0x800; }
        else if ((b0 & 0xF8) == 0xF0) { extra = 3; cp = b0 & 0x07; min = 0x10000; }
        else return std::nullopt;
        if (i + extra >= text.size()) return std::nullopt;
        for (int k = 1; k <= extra; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            if ((b & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
        out.push_back(cp);
        i += 1 + extra;
    }
    return out;
}

void appendUtf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// codePoint writes U+XXXX (at least four hex digits).
std::string codePoint(char32_t c)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string digits;
    for (auto v = static_cast<uint32_t>(c); v != 0 || digits.size() < 4; v >>= 4)
        digits.insert(digits.begin(), kHex[v & 0xF]);
    return "U+" + digits;
}

bool isControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c < 0xA0); }

std::string ms(std::chrono::microseconds d)
{
    const auto us = d.count();
    const auto mag = us < 0 ? -us : us;
    std::string s = (us < 0 ? "-" : "") + std::to_string(mag / 1000);
    if (mag % 1000 != 0) {
        const std::string frac = std::to_string(mag % 1000);
        s += "." + std::string(3 - frac.size(), '0') + frac;
    }
    return s + " ms";
}

ledger::Result<void> checkAffix(const char* field, const std::string& value)
{
    const auto decoded = decodeUtf8(value);
    if (!decoded)
        return ledger::fail("bad_wedge_config", std::string("wedge config: ") + field +
                                                    " is not valid UTF-8: write it as UTF-8 text");
    for (std::size_t i = 0; i < decoded->size(); ++i) {
        const char32_t c = (*decoded)[i];
        if (isControl(c) && c != kGsCodePoint)
            return ledger::fail("bad_wedge_config",
                                std::string("wedge config: ") + field + " character " +
                                    std::to_string(i + 1) + " is control character " +
                                    codePoint(c) +
                                    ", which GLFW never delivers: configure the scanner to send "
                                    "a printable prefix/suffix");
    }
    return {};
}

} // namespace

ledger::Result<void> checkWedgeConfig(const WedgeConfig& c)
{
    using std::chrono::microseconds;
    if (c.interKeyThreshold <= microseconds::zero())
        return ledger::fail("bad_wedge_config", "wedge config: interKeyThreshold is " +
                                                    ms(c.interKeyThreshold) +
                                                    ", must be > 0 (default 40 ms)");
    if (c.maxMeanGap <= microseconds::zero())
        return ledger::fail("bad_wedge_config", "wedge config: maxMeanGap is " + ms(c.maxMeanGap) +
                                                    ", must be > 0 (default 20 ms)");
    if (c.queuedWithin < microseconds::zero())
        return ledger::fail("bad_wedge_config", "wedge config: queuedWithin is " +
                                                    ms(c.queuedWithin) +
                                                    ", must be >= 0 (default 5 ms)");
    if (c.doubleReadWindow < microseconds::zero())
        return ledger::fail("bad_wedge_config", "wedge config: doubleReadWindow is " +
                                                    ms(c.doubleReadWindow) +
                                                    ", must be >= 0 (default 300 ms, 0 = off)");
    if (auto r = checkAffix("prefix", c.prefix); !r) return r;
    if (auto r = checkAffix("suffix", c.suffix); !r) return r;
    if (c.gsSubstitute != 0 &&
        (isControl(c.gsSubstitute) || c.gsSubstitute > 0x10FFFF ||
         (c.gsSubstitute >= 0xD800 && c.gsSubstitute <= 0xDFFF)))
        return ledger::fail("bad_wedge_config",
                            "wedge config: gsSubstitute is " + codePoint(c.gsSubstitute) +
                                ", not a printable character: use the printable character "
                                "the scanner sends for GS, or 0 for none");
    if (!c.enterEndsScan && !c.tabEndsScan)
        return ledger::fail("bad_wedge_config",
                            "wedge config: neither enterEndsScan nor tabEndsScan is set: a scan "
                            "could never end; turn on the key the scanner sends last");
    if (c.minScanLength == 0)
        return ledger::fail("bad_wedge_config",
                            "wedge config: minScanLength is 0, must be >= 1 (default 4)");
    return {};
}

Wedge::Wedge(WedgeConfig config) : m_config(std::move(config))
{
    if (auto ok = checkWedgeConfig(m_config); !ok) throw std::invalid_argument(ok.error().message);
    m_prefix = *decodeUtf8(m_config.prefix);
    m_suffix = *decodeUtf8(m_config.suffix);
}

void Wedge::beginEvents(WedgeTime at)
{
    m_framed = true;
    m_read = Read::Unclassified;
    m_readBegin = at;
}

Wedge::Held Wedge::date(const KeyEvent& event)
{
    Held h{event, event.at, true, std::nullopt};
    if (m_lastStamp && h.event.at < *m_lastStamp) h.event.at = *m_lastStamp;
    m_lastStamp = h.event.at;
    const WedgeTime at = h.event.at;
    h.earliest = at;
    if (!m_framed) return h; // the caller vouches for its stamps

    if (m_read == Read::Unclassified)
        m_read = (at - m_readBegin <= m_config.queuedWithin) ? Read::Queued : Read::Live;
    // A key outside a read was not delivered by the events call that poll() ended, so it
    // may have waited since that poll like a queued one.
    if (m_read == Read::Queued || m_read == Read::Outside) {
        if (!m_lastPoll) {
            h.earliestKnown = false; // typed before the first read: no idea when
        } else {
            h.earliest = std::min(*m_lastPoll, at);
        }
    }
    return h;
}

bool Wedge::endsScan(KeyKind kind) const
{
    return (kind == KeyKind::Enter && m_config.enterEndsScan) ||
           (kind == KeyKind::Tab && m_config.tabEndsScan);
}

void Wedge::key(const KeyEvent& event)
{
    const std::optional<WedgeTime> previous = m_lastStamp; // the key before this one
    const bool previousEndedScan = m_lastEndedScan;
    m_lastEndedScan = false;
    Held h = date(event);
    // The pause before this key that the stamps can prove: from the previous key's arrival to
    // the earliest moment this one can have been typed. A key produced just after a read
    // arrives a whole frame later, so arrival gaps would split a scanner's burst when a short
    // frame is followed by a long one; a person's keys are kept out by the speed rule.
    const bool continues =
        !m_held.empty() && (!h.earliestKnown || h.earliest - m_held.back().event.at <
                                                    m_config.interKeyThreshold);

    switch (h.event.kind) {
    case KeyKind::Char:
    case KeyKind::GroupSeparator:
        if (!continues) releaseHeld();
        if (m_held.empty() && !previousEndedScan) h.after = previous;
        m_held.push_back(h);
        return;
    case KeyKind::Enter:
    case KeyKind::Tab:
        if (continues && endsScan(h.event.kind)) {
            m_lastEndedScan = decideBurst(h);
            return;
        }
        break;
    case KeyKind::Backspace:
    case KeyKind::Other:
        break;
    }
    // No scanner sends these inside a code, so they end whatever is held as typing.
    releaseHeld();
    emitTyped(h.event);
}

bool Wedge::decideBurst(const Held& terminator)
{
    const std::size_t n = m_held.size();
    auto matchesAt = [&](std::size_t pos, const std::u32string& affix) {
        if (pos + affix.size() > n) return false;
        for (std::size_t k = 0; k < affix.size(); ++k) {
            const KeyEvent& e = m_held[pos + k].event;
            const char32_t c = e.kind == KeyKind::GroupSeparator ? kGsCodePoint : e.ch;
            if (c != affix[k]) return false;
        }
        return true;
    };

    // With a prefix, the scan starts at its first occurrence; keys before it were typed just
    // before the trigger was pulled and stay typing.
    std::size_t start = 0;
    bool found = m_prefix.empty();
    for (std::size_t pos = 0; !found && pos < n; ++pos) {
        if (matchesAt(pos, m_prefix)) {
            start = pos;
            found = true;
        }
    }

    bool isScan = found;
    if (isScan) {
        const std::size_t chars = n - start;
        isScan = chars >= m_prefix.size() + m_suffix.size() + m_config.minScanLength &&
                 matchesAt(n - m_suffix.size(), m_suffix);
    }
    const Held& first = m_held[start];
    if (isScan) {
        // Speed, measured pessimistically: from the earliest moment the first key can have
        // been typed to the terminator's arrival, over the gaps between them. Keys that sat
        // in the queue through a slow frame get an early `earliest`, so they only pass when
        // there are so many of them that even the whole frame could not hold a person's
        // typing (docs/wedge.md, "Slow frames").
        const auto gaps = static_cast<int64_t>(n - start); // keys start..n-1 plus terminator
        isScan = first.earliestKnown &&
                 terminator.event.at - first.earliest <= m_config.maxMeanGap * gaps;
    }
    if (isScan && m_prefix.empty() && first.after) {
        // Without a prefix, the start must be proven too: the key before the burst must lie
        // a whole threshold before the earliest moment the burst can have begun. A burst that
        // began with such a pause has it already; one that follows a Backspace, another key
        // or a typed terminator may be the tail of a code whose head went out as typing, and
        // reporting it would be a misread.
        isScan = first.earliest - *first.after >= m_config.interKeyThreshold;
    }
    if (!isScan) {
        releaseHeld();
        emitTyped(terminator.event);
        return false;
    }

    for (std::size_t k = 0; k < start; ++k) emitTyped(m_held[k].event);
    Scan scan;
    scan.startedAt = first.event.at;
    scan.endedAt = terminator.event.at;
    scan.terminator = terminator.event.kind;
    for (std::size_t k = start + m_prefix.size(); k < n - m_suffix.size(); ++k) {
        const KeyEvent& e = m_held[k].event;
        const bool gs = e.kind == KeyKind::GroupSeparator ||
                        (m_config.gsSubstitute != 0 && e.ch == m_config.gsSubstitute);
        appendUtf8(scan.text, gs ? kGsCodePoint : e.ch);
    }
    m_held.clear();
    emitScan(std::move(scan));
    return true;
}

void Wedge::emitScan(Scan scan)
{
    scan.doubleRead = m_config.doubleReadWindow > std::chrono::microseconds::zero() &&
                      m_lastScanText && *m_lastScanText == scan.text &&
                      scan.startedAt - m_lastScanEnd < m_config.doubleReadWindow;
    // A chain of double reads is measured from the latest one, so a triple read is caught too.
    m_lastScanText = scan.text;
    m_lastScanEnd = scan.endedAt;
    if (scan.doubleRead && m_config.doubleRead == DoubleRead::Drop) return;
    m_out.emplace_back(std::move(scan));
}

void Wedge::releaseHeld()
{
    for (const Held& h : m_held) emitTyped(h.event);
    m_held.clear();
}

void Wedge::emitTyped(const KeyEvent& event)
{
    if (m_out.empty() || !std::holds_alternative<Typed>(m_out.back())) m_out.emplace_back(Typed{});
    std::get<Typed>(m_out.back()).keys.push_back(event);
}

std::vector<WedgeOutput> Wedge::poll(WedgeTime now)
{
    if (m_lastStamp && now < *m_lastStamp) now = *m_lastStamp;
    m_read = Read::Outside;
    m_lastPoll = now;
    if (!m_held.empty() && now - m_held.back().event.at >= m_config.interKeyThreshold)
        releaseHeld();
    return std::exchange(m_out, {});
}

std::vector<WedgeOutput> Wedge::flush()
{
    releaseHeld();
    return std::exchange(m_out, {});
}

std::optional<WedgeTime> Wedge::nextDeadline() const
{
    if (m_held.empty()) return std::nullopt;
    return m_held.back().event.at + m_config.interKeyThreshold;
}

} // namespace backfill::scan
