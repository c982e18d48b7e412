#pragma once
// FileSequenceSource plays a list of image files as camera frames: the tests' camera, and a
// way to replay frames captured on a handheld.

#include "scan/image/FrameSource.h"

#include <condition_variable>
#include <mutex>
#include <vector>

namespace backfill::scan::image {

struct FileSequenceOptions {
    // Time between frames. Frames carry virtual capture times start + n * frameInterval, so
    // sighting logic sees a steady camera whatever the machine's speed.
    std::chrono::milliseconds frameInterval{33};
    // Deliver frames in real time (sleep frameInterval between them) like a camera would; off:
    // as fast as they load.
    bool realTime = false;
    // Play the list this many times (a camera looking at the same scene).
    int repeat = 1;
};

class FileSequenceSource final : public FrameSource {
public:
    explicit FileSequenceSource(std::vector<std::string> files, FileSequenceOptions options = {});

    // fromDirectory lists the PNG/JPEG/PGM/PPM files of `dir` in name order. Fails with
    // "no_frames" when the folder cannot be read or holds no image.
    static ledger::Result<std::vector<std::string>> filesIn(const std::string& dir);

    // next loads the next file; a file that does not load fails with "unreadable_image".
    ledger::Result<std::optional<Frame>> next() override;
    void interrupt() override;

private:
    std::vector<std::string> m_files;
    FileSequenceOptions m_options;
    std::size_t m_index = 0;
    std::chrono::steady_clock::time_point m_start;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_interrupted = false;
};

} // namespace backfill::scan::image
