#include "scan/image/SightingTracker.h"

namespace backfill::scan::image {

std::vector<DecodedBarcode> SightingTracker::update(const std::vector<DecodedBarcode>& found, TimePoint when)
{
    // Forget first, so a code that was out of view long enough counts again in this frame.
    for (auto it = m_lastSeen.begin(); it != m_lastSeen.end();)
        it = when - it->second > m_forgetAfter ? m_lastSeen.erase(it) : std::next(it);
    std::vector<DecodedBarcode> fresh;
    for (const auto& b : found) {
        auto [it, inserted] = m_lastSeen.try_emplace({b.format, b.text}, when);
        if (inserted)
            fresh.push_back(b);
        else
            it->second = std::max(it->second, when);
    }
    return fresh;
}

} // namespace backfill::scan::image
