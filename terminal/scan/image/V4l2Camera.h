#pragma once
// V4l2Camera: frames from a Linux camera (/dev/videoN) through V4L2 memory-mapped streaming.
//
// Pixel formats, in order of preference: GREY (copied), YUYV (the Y bytes taken, no colour
// conversion needed for decoding), MJPEG (decoded to grey by libturbojpeg, which supplies the
// standard Huffman tables that many UVC cameras leave out). Other formats are refused.
//
// Errors (ledger::Error code):
//   camera_unavailable  the device cannot be opened (missing, busy, no permission)
//   not_a_camera        the node is not a V4L2 video capture device with streaming I/O
//   camera_format       the camera offers none of GREY, YUYV, MJPEG
//   camera_io           buffer setup, streaming or dequeue failed (unplugged camera)
//   camera_timeout      no frame arrived within CameraOptions::frameTimeout

#include "scan/image/FrameSource.h"

#include <memory>
#include <vector>

namespace backfill::scan::image {

struct CameraOptions {
    int width = 1280;   // requested size; the driver picks the nearest it supports
    int height = 720;
    int buffers = 4;    // driver queue depth; fewer means less latency
    std::chrono::milliseconds frameTimeout{3000};
};

class V4l2Camera final : public FrameSource {
public:
    // open opens and starts streaming `device`.
    static ledger::Result<std::unique_ptr<V4l2Camera>> open(const std::string& device, CameraOptions options = {});
    ~V4l2Camera() override;
    V4l2Camera(const V4l2Camera&) = delete;
    V4l2Camera& operator=(const V4l2Camera&) = delete;

    ledger::Result<std::optional<Frame>> next() override;
    void interrupt() override;

private:
    struct Buffer {
        void* start = nullptr;
        std::size_t length = 0;
    };
    V4l2Camera() = default;

    std::string m_device;
    std::string m_frameLabel; // "<device> frame", for JPEG errors (made once, not per frame)
    CameraOptions m_options;
    int m_fd = -1;
    int m_wakeFd = -1;  // eventfd: interrupt() wakes a poll() in next()
    int m_width = 0;
    int m_height = 0;
    int m_bytesPerLine = 0;
    std::uint32_t m_fourcc = 0;
    bool m_streaming = false;
    std::vector<Buffer> m_buffers;
    std::uint64_t m_sequence = 0;
};

} // namespace backfill::scan::image
