#include "scan/image/V4l2Camera.h"

#include "scan/image/ImageLoader.h"

#include <linux/videodev2.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace backfill::scan::image {
namespace {

int xioctl(int fd, unsigned long request, void* arg)
{
    int r;
    do r = ioctl(fd, request, arg);
    while (r == -1 && errno == EINTR);
    return r;
}

std::string fourccText(std::uint32_t f)
{
    std::string s(4, ' ');
    for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((f >> (8 * i)) & 0xff);
    return s;
}

ledger::Unexpected<ledger::Error> sysFail(const char* code, const std::string& device, const std::string& what)
{
    return ledger::fail(code, device + ": " + what + " (" + std::strerror(errno) + ")");
}

} // namespace

ledger::Result<std::unique_ptr<V4l2Camera>> V4l2Camera::open(const std::string& device, CameraOptions options)
{
    std::unique_ptr<V4l2Camera> cam(new V4l2Camera());
    cam->m_device = device;
    cam->m_frameLabel = device + " frame";
    cam->m_options = options;
    cam->m_fd = ::open(device.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (cam->m_fd < 0)
        return sysFail("camera_unavailable", device, "cannot open the camera; check that it is plugged in and that you are in group 'video'");
    cam->m_wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (cam->m_wakeFd < 0) return sysFail("camera_io", device, "cannot create a wake-up event");

    v4l2_capability cap{};
    if (xioctl(cam->m_fd, VIDIOC_QUERYCAP, &cap) != 0)
        return sysFail("not_a_camera", device, "not a V4L2 device");
    const std::uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING))
        return ledger::fail("not_a_camera", device + ": '" + reinterpret_cast<const char*>(cap.card) +
                                                "' is not a video capture device with streaming I/O (try another /dev/videoN)");

    // Pick the best pixel format the camera offers.
    bool hasGrey = false, hasYuyv = false, hasMjpeg = false;
    v4l2_fmtdesc desc{};
    desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    for (desc.index = 0; xioctl(cam->m_fd, VIDIOC_ENUM_FMT, &desc) == 0; ++desc.index) {
        hasGrey |= desc.pixelformat == V4L2_PIX_FMT_GREY;
        hasYuyv |= desc.pixelformat == V4L2_PIX_FMT_YUYV;
        hasMjpeg |= desc.pixelformat == V4L2_PIX_FMT_MJPEG || desc.pixelformat == V4L2_PIX_FMT_JPEG;
    }
    const std::uint32_t wanted = hasGrey ? V4L2_PIX_FMT_GREY : hasYuyv ? V4L2_PIX_FMT_YUYV
                               : hasMjpeg ? V4L2_PIX_FMT_MJPEG : 0;
    if (!wanted) return ledger::fail("camera_format", device + ": the camera offers none of GREY, YUYV or MJPEG");

    v4l2_format fmt{};
    fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    fmt.fmt.pix.width = static_cast<std::uint32_t>(options.width);
    fmt.fmt.pix.height = static_cast<std::uint32_t>(options.height);
    fmt.fmt.pix.pixelformat = wanted;
    fmt.fmt.pix.field = V4L2_FIELD_NONE;
    if (xioctl(cam->m_fd, VIDIOC_S_FMT, &fmt) != 0) return sysFail("camera_io", device, "cannot set the capture format");
    cam->m_fourcc = fmt.fmt.pix.pixelformat;
    cam->m_width = static_cast<int>(fmt.fmt.pix.width);
    cam->m_height = static_cast<int>(fmt.fmt.pix.height);
    cam->m_bytesPerLine = static_cast<int>(fmt.fmt.pix.bytesperline);
    if (cam->m_fourcc != wanted || cam->m_width <= 0 || cam->m_height <= 0)
        return ledger::fail("camera_format", device + ": the driver changed the format to " + fourccText(cam->m_fourcc));
    if (cam->m_bytesPerLine == 0) cam->m_bytesPerLine = cam->m_width * (wanted == V4L2_PIX_FMT_YUYV ? 2 : 1);

    v4l2_requestbuffers req{};
    req.count = static_cast<std::uint32_t>(std::max(options.buffers, 2));
    req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    req.memory = V4L2_MEMORY_MMAP;
    if (xioctl(cam->m_fd, VIDIOC_REQBUFS, &req) != 0 || req.count < 2)
        return sysFail("camera_io", device, "cannot get capture buffers");
    for (std::uint32_t i = 0; i < req.count; ++i) {
        v4l2_buffer buf{};
        buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        buf.memory = V4L2_MEMORY_MMAP;
        buf.index = i;
        if (xioctl(cam->m_fd, VIDIOC_QUERYBUF, &buf) != 0) return sysFail("camera_io", device, "cannot query a buffer");
        void* p = mmap(nullptr, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, cam->m_fd, buf.m.offset);
        if (p == MAP_FAILED) return sysFail("camera_io", device, "cannot map a buffer");
        cam->m_buffers.push_back({p, buf.length});
        if (xioctl(cam->m_fd, VIDIOC_QBUF, &buf) != 0) return sysFail("camera_io", device, "cannot queue a buffer");
    }
    v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(cam->m_fd, VIDIOC_STREAMON, &type) != 0) return sysFail("camera_io", device, "cannot start streaming");
    cam->m_streaming = true;
    return cam;
}

V4l2Camera::~V4l2Camera()
{
    if (m_streaming) {
        v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        xioctl(m_fd, VIDIOC_STREAMOFF, &type);
    }
    for (const auto& b : m_buffers) munmap(b.start, b.length);
    if (m_fd >= 0) close(m_fd);
    if (m_wakeFd >= 0) close(m_wakeFd);
}


void V4l2Camera::interrupt()
{
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = write(m_wakeFd, &one, sizeof one);
}

ledger::Result<std::optional<Frame>> V4l2Camera::next()
{
    pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_wakeFd, POLLIN, 0}};
    int r;
    do r = poll(fds, 2, static_cast<int>(m_options.frameTimeout.count()));
    while (r < 0 && errno == EINTR);
    if (r < 0) return sysFail("camera_io", m_device, "waiting for a frame failed");
    if (fds[1].revents & POLLIN) return std::optional<Frame>{};
    if (r == 0)
        return ledger::fail("camera_timeout", m_device + ": no frame for " +
                                                  std::to_string(m_options.frameTimeout.count()) + " ms");
    if (fds[0].revents & (POLLERR | POLLHUP))
        return ledger::fail("camera_io", m_device + ": the camera stopped delivering frames (unplugged?)");

    v4l2_buffer buf{};
    buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buf.memory = V4L2_MEMORY_MMAP;
    if (xioctl(m_fd, VIDIOC_DQBUF, &buf) != 0) {
        if (errno == EAGAIN) return next();
        return sysFail("camera_io", m_device, "cannot take a frame");
    }
    const auto captured = std::chrono::steady_clock::now();
    const auto* data = static_cast<const std::uint8_t*>(m_buffers.at(buf.index).start);
    const std::size_t used = std::min<std::size_t>(buf.bytesused, m_buffers[buf.index].length);

    ledger::Result<GrayImage> image = GrayImage();
    if (m_fourcc == V4L2_PIX_FMT_MJPEG || m_fourcc == V4L2_PIX_FMT_JPEG) {
        image = decodeJpegGray({data, used}, m_frameLabel, false);
    } else {
        const int step = m_fourcc == V4L2_PIX_FMT_YUYV ? 2 : 1;  // YUYV: Y0 U Y1 V
        const std::size_t need = static_cast<std::size_t>(m_bytesPerLine) * (m_height - 1) + m_width * step;
        if (used < need) {
            image = ledger::fail("camera_io", m_device + ": short frame (" + std::to_string(used) + " of " +
                                                  std::to_string(need) + " bytes)");
        } else {
            GrayImage g(m_width, m_height);
            for (int y = 0; y < m_height; ++y) {
                const std::uint8_t* row = data + static_cast<std::size_t>(y) * m_bytesPerLine;
                std::uint8_t* out = g.data() + static_cast<std::size_t>(y) * m_width;
                if (step == 1)
                    std::memcpy(out, row, static_cast<std::size_t>(m_width)); // GREY: the row as it is
                else
                    for (int x = 0; x < m_width; ++x) out[x] = row[x * step];
            }
            image = std::move(g);
        }
    }
    if (xioctl(m_fd, VIDIOC_QBUF, &buf) != 0) return sysFail("camera_io", m_device, "cannot requeue a buffer");
    if (!image) return ledger::unexpected(image.error());
    return std::optional<Frame>{Frame{std::move(*image), m_sequence++, captured}};
}

} // namespace backfill::scan::image
