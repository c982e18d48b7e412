#pragma once
// FrameSource: where camera frames come from. The V4L2 camera (V4l2Camera.h) and a sequence
// of image files (FileSequenceSource.h, used by tests and for replaying captures) implement
// it; CameraScanner decodes whatever a source delivers.

#include "ledger/Result.h"
#include "scan/image/GrayImage.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace backfill::scan::image {

struct Frame {
    GrayImage image;                                // the luminance (Y) plane
    std::uint64_t sequence = 0;                     // 0, 1, 2 ... in delivery order
    std::chrono::steady_clock::time_point captured; // when the frame was taken
};

class FrameSource {
public:
    virtual ~FrameSource() = default;

    // next blocks until the next frame is there and returns it; nullopt when the source has
    // ended (last file played, interrupt() called). Fails for a device or file error; the
    // error's code says which ("camera_io", "camera_timeout", "unreadable_image" ...).
    virtual ledger::Result<std::optional<Frame>> next() = 0;

    // interrupt makes a blocked or later next() return nullopt. Safe from any thread.
    virtual void interrupt() = 0;

};

} // namespace backfill::scan::image
