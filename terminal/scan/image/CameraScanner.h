#pragma once
// CameraScanner decodes frames from a FrameSource continuously on worker threads and reports
// each code once per sighting.
//
// Threads: a capture thread pulls frames from the source as fast as it delivers them into a
// one-frame mailbox; a decode thread takes the newest frame whenever it is free. A frame that
// is replaced in the mailbox before the decoder took it is dropped as stale, so the decoder
// always works on what the camera sees now, never on a backlog.
//
//   capture thread: source.next() -> mailbox (replaces and drops an undecoded frame)
//   decode thread : mailbox -> ImageDecoder -> SightingTracker -> onSighting(sighting)
//
// onSighting runs on the decode thread: a UI pushes the sighting into its main-thread queue
// there and returns (STYLE.md 3). A frame the source cannot read (a corrupt MJPEG frame, a bad
// file) is skipped and counted; any other source error ends the scan and is kept in error().

#include "scan/image/FrameSource.h"
#include "scan/image/ImageDecoder.h"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace backfill::scan::image {

struct CameraScannerOptions {
    DecodeOptions decode = [] {
        DecodeOptions d;
        d.retryBudget = std::chrono::milliseconds(120);  // the next frame is another chance
        d.findAll = false;  // the operator aims at one code; strips only when nothing was found
        return d;
    }();
    std::chrono::milliseconds forgetAfter{700};  // see SightingTracker
    // Drop frames the decoder could not keep up with (a camera). Off: every frame is decoded
    // and the source waits for the decoder (replaying files deterministically).
    bool dropStale = true;
};

struct Sighting {
    DecodedBarcode barcode;
    std::uint64_t frame = 0;  // sequence number of the frame it was first seen in
    std::chrono::milliseconds decodeTime{0};
};

struct CameraStats {
    std::uint64_t captured = 0;   // frames delivered by the source
    std::uint64_t decoded = 0;    // frames the decoder looked at
    std::uint64_t dropped = 0;    // stale frames replaced before being decoded
    std::uint64_t unreadable = 0; // frames the source could not read
    std::uint64_t sightings = 0;
};

class CameraScanner {
public:
    using SightingCallback = std::function<void(const Sighting&)>;

    CameraScanner(std::unique_ptr<FrameSource> source, CameraScannerOptions options, SightingCallback onSighting);
    // The destructor stops the source and joins both threads.
    ~CameraScanner();
    CameraScanner(const CameraScanner&) = delete;
    CameraScanner& operator=(const CameraScanner&) = delete;

    // start launches the threads (once).
    void start();
    // stop interrupts the source and waits for both threads to finish.
    void stop();
    // waitFinished waits until the source has ended and the last frame is decoded, or until
    // `timeout`; true when finished.
    bool waitFinished(std::chrono::milliseconds timeout);

    CameraStats stats() const;
    // error is the source error that ended the scan, if any.
    std::optional<ledger::Error> error() const;

private:
    void captureLoop();
    void decodeLoop();

    std::unique_ptr<FrameSource> m_source;
    CameraScannerOptions m_options;
    SightingCallback m_onSighting;
    ImageDecoder m_decoder;

    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::optional<Frame> m_mailbox;
    bool m_sourceEnded = false;
    bool m_decoderDone = false;
    bool m_stopping = false;
    CameraStats m_stats;
    std::optional<ledger::Error> m_error;

    std::thread m_capture;
    std::thread m_decode;
};

} // namespace backfill::scan::image
