#pragma once
// SightingTracker turns per-frame decode results into sightings: a code is reported once when
// it comes into view and not again while it stays in view. It leaves view when no decoded
// frame has shown it for `forgetAfter` (a few frames where a moving code blurs do not count as
// leaving). Pure logic on frame timestamps, no clock of its own.

#include "scan/image/ImageDecoder.h"

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace backfill::scan::image {

class SightingTracker {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    explicit SightingTracker(std::chrono::milliseconds forgetAfter = std::chrono::milliseconds(700))
        : m_forgetAfter(forgetAfter)
    {}

    // update takes the codes decoded from a frame captured at `when` and returns those that
    // start a new sighting, in the order given.
    std::vector<DecodedBarcode> update(const std::vector<DecodedBarcode>& found, TimePoint when);

    // inView is the number of codes currently considered in view.
    std::size_t inView() const { return m_lastSeen.size(); }

private:
    std::chrono::milliseconds m_forgetAfter;
    std::map<std::pair<std::string, std::string>, TimePoint> m_lastSeen;  // (format, text) -> last seen
};

} // namespace backfill::scan::image
