#include "app/UiCamera.h"

#include "scan/image/V4l2Camera.h"

#include <filesystem>

namespace backfill::app {

namespace img = scan::image;

struct UiCamera::Inbox {
    std::vector<scan::Scan> scans; // touched on the main thread only (by drained tasks)
};

std::string UiCamera::scanText(const img::DecodedBarcode& barcode) { return barcode.symbology + barcode.text; }

ledger::Result<std::unique_ptr<UiCamera>> UiCamera::start(const UiCameraOptions& options, MainQueue& queue)
{
    std::unique_ptr<img::FrameSource> source;
    std::error_code ec;
    if (std::filesystem::is_directory(options.source, ec)) {
        auto files = img::FileSequenceSource::filesIn(options.source);
        if (!files) return ledger::unexpected(files.error());
        source = std::make_unique<img::FileSequenceSource>(std::move(*files), options.folder);
    } else {
        auto camera = img::V4l2Camera::open(options.source);
        if (!camera) return ledger::unexpected(camera.error());
        source = std::move(*camera);
    }
    std::unique_ptr<UiCamera> cam(new UiCamera());
    cam->m_source = options.source;
    cam->m_inbox = std::make_shared<Inbox>();
    // The callback runs on the decode thread: it only builds the scan and posts it. The task
    // holds the inbox, not the camera, so a task drained after the camera went is harmless.
    std::weak_ptr<Inbox> inbox = cam->m_inbox;
    cam->m_scanner = std::make_unique<img::CameraScanner>(std::move(source), options.scanner, [&queue, inbox](const img::Sighting& s) {
        scan::Scan scan;
        scan.text = scanText(s.barcode);
        scan.startedAt = scan::WedgeClock::now();
        scan.endedAt = scan.startedAt; // a sighting is whole when decoded: drawn-latency from here
        queue.post([inbox, scan = std::move(scan)]() mutable {
            if (auto in = inbox.lock()) in->scans.push_back(std::move(scan));
        });
    });
    cam->m_scanner->start();
    return cam;
}

UiCamera::~UiCamera()
{
    if (m_scanner) m_scanner->stop();
}

std::vector<scan::Scan> UiCamera::takeScans()
{
    std::vector<scan::Scan> out;
    out.swap(m_inbox->scans);
    m_taken += static_cast<long long>(out.size());
    return out;
}

} // namespace backfill::app
