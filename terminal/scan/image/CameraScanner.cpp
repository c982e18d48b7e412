#include "scan/image/CameraScanner.h"

#include "scan/image/SightingTracker.h"

namespace backfill::scan::image {

CameraScanner::CameraScanner(std::unique_ptr<FrameSource> source, CameraScannerOptions options,
                             SightingCallback onSighting)
    : m_source(std::move(source)), m_options(std::move(options)), m_onSighting(std::move(onSighting)),
      m_decoder(m_options.decode)
{}

CameraScanner::~CameraScanner() { stop(); }

void CameraScanner::start()
{
    if (m_capture.joinable()) return;
    m_capture = std::thread([this] { captureLoop(); });
    m_decode = std::thread([this] { decodeLoop(); });
}

void CameraScanner::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_source->interrupt();
    m_changed.notify_all();
    if (m_capture.joinable()) m_capture.join();
    if (m_decode.joinable()) m_decode.join();
}

bool CameraScanner::waitFinished(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_decoderDone; });
}

CameraStats CameraScanner::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

std::optional<ledger::Error> CameraScanner::error() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

void CameraScanner::captureLoop()
{
    for (;;) {
        auto next = m_source->next();
        std::unique_lock lock(m_mutex);
        if (!next) {
            if (next.error().code == "unreadable_image") {
                ++m_stats.unreadable;
                continue;
            }
            m_error = next.error();
            break;
        }
        if (!*next || m_stopping) break;
        ++m_stats.captured;
        if (!m_options.dropStale)
            m_changed.wait(lock, [&] { return !m_mailbox || m_stopping; });
        if (m_mailbox) ++m_stats.dropped;
        m_mailbox = std::move(**next);
        m_changed.notify_all();
    }
    std::lock_guard lock(m_mutex);
    m_sourceEnded = true;
    m_changed.notify_all();
}

void CameraScanner::decodeLoop()
{
    SightingTracker tracker(m_options.forgetAfter);
    for (;;) {
        Frame frame;
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [&] { return m_mailbox || m_sourceEnded || m_stopping; });
            if (m_stopping || !m_mailbox) break;
            frame = std::move(*m_mailbox);
            m_mailbox.reset();
            m_changed.notify_all();  // a waiting capture thread (dropStale off) may go on
        }
        const auto t0 = std::chrono::steady_clock::now();
        const auto found = m_decoder.decode(frame.image.view());
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
        const auto fresh = tracker.update(found, frame.captured);
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.decoded;
            m_stats.sightings += fresh.size();
        }
        for (const auto& b : fresh) m_onSighting(Sighting{b, frame.sequence, took});
    }
    std::lock_guard lock(m_mutex);
    m_decoderDone = true;
    m_changed.notify_all();
}

} // namespace backfill::scan::image
