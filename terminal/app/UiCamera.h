#pragma once
// UiCamera is the touch UI's second scan input (issue 12 item 9): a CameraScanner
// (scan/image/CameraScanner.h) on its worker threads, whose sightings come back to the main
// thread through the MainQueue and then enter UiSession::frame with the wedge's scans, as
// scan::Scan values: exactly the path of a keyboard-wedge scan (docs/ui.md, Camera).
//
//   capture + decode threads (CameraScanner)
//        | a sighting: symbology identifier + text ("]C1" "0109501101010079" GS "10L7")
//        v
//   MainQueue::post  --wakes the loop-->  main thread: MainQueue::drain
//        |                                       | the task appends the Scan to the inbox
//        v                                       v
//   takeScans() (main thread, once per frame) -> UiSession::frame(wedge scans + camera scans)
//
// The camera's source error (an unplugged camera: camera_io, camera_timeout) ends the
// scanning; error() then has it and the UI shows the NO CAMERA notice. The UI (terminal/ui)
// never sees the decoder.

#include "app/MainQueue.h"
#include "ledger/Result.h"
#include "scan/Wedge.h"
#include "scan/image/CameraScanner.h"
#include "scan/image/FileSequenceSource.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace backfill::app {

struct UiCameraOptions {
    // source: a V4L2 device ("/dev/video0") or a folder of image frames (played in name order
    // as FileSequenceSource does). A path that is a directory is a folder.
    std::string source;
    scan::image::CameraScannerOptions scanner;
    // Folder frames: delivered like a camera, every frameInterval (a folder played as fast as
    // it loads would show its codes within a few milliseconds of the window opening).
    scan::image::FileSequenceOptions folder = [] {
        scan::image::FileSequenceOptions f;
        f.realTime = true;
        return f;
    }();
};

class UiCamera {
public:
    // start opens the source and starts scanning; each sighting is posted to `queue`. Fails,
    // with nothing started, with the source's error: camera_unavailable (no such device, busy,
    // no permission), not_a_camera, camera_format, camera_io (V4l2Camera.h), no_frames (a
    // folder without images).
    static ledger::Result<std::unique_ptr<UiCamera>> start(const UiCameraOptions& options, MainQueue& queue);

    // The destructor stops the scanner (interrupts the source, joins its threads). Sightings
    // already posted and not drained are dropped with the queue's tasks (they hold no
    // reference to this object).
    ~UiCamera();
    UiCamera(const UiCamera&) = delete;
    UiCamera& operator=(const UiCamera&) = delete;

    // takeScans gives the scans drained from the queue since the last call, in order (main
    // thread). Each is counted in scans().
    std::vector<scan::Scan> takeScans();

    // scans: how many sightings reached the session through takeScans (`--stats`
    // camera_scans).
    long long scans() const { return m_taken; }

    // error: the source error that ended the scanning, if any (any thread).
    std::optional<ledger::Error> error() const { return m_scanner->error(); }

    // waitFinished waits until the source has ended (a folder's last frame decoded) or
    // `timeout` passed; true when finished. For tests and replays.
    bool waitFinished(std::chrono::milliseconds timeout) { return m_scanner->waitFinished(timeout); }

    const std::string& source() const { return m_source; }

    // scanText is what a sighting means as a wedge scan: the symbology identifier followed by
    // the decoded text (GS bytes kept), as a scanner set to send its AIM identifier types it.
    static std::string scanText(const scan::image::DecodedBarcode& barcode);

private:
    struct Inbox; // the main thread's list of drained scans, shared with the posted tasks
    UiCamera() = default;

    std::string m_source;
    std::shared_ptr<Inbox> m_inbox;
    std::unique_ptr<scan::image::CameraScanner> m_scanner;
    long long m_taken = 0;
};

} // namespace backfill::app
