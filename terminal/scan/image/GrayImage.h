#pragma once
// 8-bit grey images: the one pixel format the scan pipeline works on. Cameras give a Y plane,
// files are converted to luminance when loaded, and ZXing reads ImageFormat::Lum.

#include <cstdint>
#include <vector>

namespace backfill::scan::image {

// GrayImageView is a non-owning view of 8-bit grey pixels; row `y` starts at
// data + y * stride. It never outlives the buffer it looks at.
struct GrayImageView {
    const std::uint8_t* data = nullptr;
    int width = 0;
    int height = 0;
    int stride = 0;

    bool empty() const { return data == nullptr || width <= 0 || height <= 0; }
    std::uint8_t at(int x, int y) const { return data[static_cast<std::ptrdiff_t>(y) * stride + x]; }
};

// GrayImage owns tightly packed 8-bit grey pixels (stride == width).
class GrayImage {
public:
    GrayImage() = default;
    GrayImage(int width, int height, std::uint8_t fill = 0)
        : m_width(width), m_height(height),
          m_pixels(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), fill)
    {}

    int width() const { return m_width; }
    int height() const { return m_height; }
    bool empty() const { return m_pixels.empty(); }
    std::uint8_t* data() { return m_pixels.data(); }
    const std::uint8_t* data() const { return m_pixels.data(); }
    std::uint8_t& at(int x, int y) { return m_pixels[static_cast<std::size_t>(y) * m_width + x]; }
    std::uint8_t at(int x, int y) const { return m_pixels[static_cast<std::size_t>(y) * m_width + x]; }
    GrayImageView view() const { return {m_pixels.data(), m_width, m_height, m_width}; }

    // copyOf makes an owning, tightly packed copy of a view.
    static GrayImage copyOf(GrayImageView v)
    {
        GrayImage out(v.width, v.height);
        for (int y = 0; y < v.height; ++y)
            for (int x = 0; x < v.width; ++x) out.at(x, y) = v.at(x, y);
        return out;
    }

private:
    int m_width = 0;
    int m_height = 0;
    std::vector<std::uint8_t> m_pixels;
};

} // namespace backfill::scan::image
