#pragma once
// Helpers for the image and camera suites: every test image is generated at test time, with
// ZXing's writer (1D, QR, PDF417, plain DataMatrix) or zint (GS1 DataMatrix / QR, which ZXing
// 1.4.0 cannot write), and written with stb / libjpeg-turbo. Nothing comes from ../shared.

#include "scan/image/GrayImage.h"
#include "scan/image/ImageLoader.h"
#include "scan/image/Preprocess.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <stb_image_write.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <iterator>
#include <sys/wait.h>
#include <unistd.h>

namespace backfill::scan::image::testing {

// generated draws `text` as `format` with ZXing's writer, `margin` quiet-zone pixels.
inline GrayImage generated(ZXing::BarcodeFormat format, const std::string& text, int width, int height, int margin = 20)
{
    const auto bits = ZXing::MultiFormatWriter(format).setMargin(margin).encode(text, width, height);
    GrayImage out(bits.width(), bits.height());
    for (int y = 0; y < bits.height(); ++y)
        for (int x = 0; x < bits.width(); ++x) out.at(x, y) = bits.get(x, y) ? 0 : 255;
    return out;
}

// TempDir is a fresh folder under $TMPDIR, removed with everything in it at scope exit.
class TempDir {
public:
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "backfill-img-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        m_path = pattern;
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    std::string file(const std::string& name) const { return (m_path / name).string(); }
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

inline void savePng(const std::string& path, const GrayImage& img)
{
    REQUIRE(stbi_write_png(path.c_str(), img.width(), img.height(), 1, img.data(), img.width()) != 0);
}

inline void saveJpeg(const std::string& path, const GrayImage& img, int quality = 90)
{
    REQUIRE(stbi_write_jpg(path.c_str(), img.width(), img.height(), 1, img.data(), quality) != 0);
}

inline void savePgm(const std::string& path, const GrayImage& img)
{
    std::ofstream out(path, std::ios::binary);
    out << "P5\n" << img.width() << ' ' << img.height() << "\n255\n";
    out.write(reinterpret_cast<const char*>(img.data()), static_cast<std::streamsize>(img.width()) * img.height());
}

inline void saveBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// zint runs zint (Debian package `zint`) and loads the PNG it wrote. `options` are extra
// command-line options, `data` is passed single-quoted.
inline GrayImage zint(const TempDir& dir, const std::string& name, const std::string& options, const std::string& data)
{
    const std::string out = dir.file(name + ".png");
    const std::string cmd = "zint " + options + " -o '" + out + "' -d '" + data + "' >/dev/null 2>&1";
    REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, "zint failed: " << cmd);
    auto img = loadImageFile(out);
    REQUIRE_MESSAGE(img.has_value(), (img ? "" : img.error().message));
    return std::move(*img);
}

// paste copies `part` into `canvas` with its top-left corner at (x, y).
inline void paste(GrayImage& canvas, const GrayImage& part, int x, int y)
{
    for (int j = 0; j < part.height(); ++j)
        for (int i = 0; i < part.width(); ++i) canvas.at(x + i, y + j) = part.at(i, j);
}

// withNoise adds uniform noise of +-amplitude with a fixed seed.
inline GrayImage withNoise(const GrayImage& img, int amplitude, unsigned seed = 7)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> d(-amplitude, amplitude);
    GrayImage out = img;
    for (int y = 0; y < out.height(); ++y)
        for (int x = 0; x < out.width(); ++x) out.at(x, y) = static_cast<std::uint8_t>(std::clamp(out.at(x, y) + d(rng), 0, 255));
    return out;
}

// remapped maps black to `dark` and white to `light` (low contrast).
inline GrayImage remapped(const GrayImage& img, int dark, int light)
{
    GrayImage out = img;
    for (int y = 0; y < out.height(); ++y)
        for (int x = 0; x < out.width(); ++x) out.at(x, y) = static_cast<std::uint8_t>(dark + (light - dark) * out.at(x, y) / 255);
    return out;
}

// runCommand runs a shell command and gives its stdout; `status` gets the exit status.
inline std::string runCommand(const std::string& cmd, int& status)
{
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int raw = pclose(p);
    status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return out;
}

} // namespace backfill::scan::image::testing
