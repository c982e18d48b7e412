// Loading PNG, JPEG, PGM and PPM into grey images, and the errors for files that are not.

#include "image_test_support.h"

#include "scan/image/ImageLoader.h"

#include <cstdint>
#include <span>

using namespace backfill;
using namespace backfill::scan::image;
using namespace backfill::scan::image::testing;

namespace {

GrayImage gradient(int w, int h)
{
    GrayImage img(w, h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) img.at(x, y) = static_cast<std::uint8_t>((x * 16 + y * 8) & 0xff);
    return img;
}

std::span<const std::uint8_t> bytesOf(const std::string& s)
{
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void checkUnreadable(const ledger::Result<GrayImage>& r, const std::string& fragment)
{
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == "unreadable_image");
    CHECK_MESSAGE(r.error().message.find(fragment) != std::string::npos, r.error().message);
}

} // namespace

TEST_CASE("PNG and PGM load pixel for pixel")
{
    TempDir dir;
    const GrayImage img = gradient(13, 7);
    savePng(dir.file("g.png"), img);
    savePgm(dir.file("g.pgm"), img);
    for (const char* name : {"g.png", "g.pgm"}) {
        CAPTURE(name);
        auto loaded = loadImageFile(dir.file(name));
        REQUIRE(loaded.has_value());
        REQUIRE(loaded->width() == 13);
        REQUIRE(loaded->height() == 7);
        for (int y = 0; y < 7; ++y)
            for (int x = 0; x < 13; ++x) CHECK(loaded->at(x, y) == img.at(x, y));
    }
}

TEST_CASE("PPM colour is reduced to luminance")
{
    TempDir dir;
    // Two pixels: pure red and pure white.
    saveBytes(dir.file("c.ppm"), std::string("P6\n2 1\n255\n\xff\x00\x00\xff\xff\xff", 17));
    auto loaded = loadImageFile(dir.file("c.ppm"));
    REQUIRE(loaded.has_value());
    CHECK(loaded->width() == 2);
    CHECK(loaded->at(1, 0) == 255);
    // stb's luminance weights give red 77/256 of full scale.
    CHECK(loaded->at(0, 0) == 76);
}

TEST_CASE("JPEG loads through libjpeg-turbo within compression error")
{
    TempDir dir;
    GrayImage flat(32, 16, 100);
    for (int x = 16; x < 32; ++x)
        for (int y = 0; y < 16; ++y) flat.at(x, y) = 200;
    saveJpeg(dir.file("f.jpg"), flat, 95);
    auto loaded = loadImageFile(dir.file("f.jpg"));
    REQUIRE(loaded.has_value());
    CHECK(loaded->width() == 32);
    CHECK(loaded->height() == 16);
    CHECK(std::abs(loaded->at(4, 8) - 100) <= 3);
    CHECK(std::abs(loaded->at(28, 8) - 200) <= 3);
}

TEST_CASE("corrupt, truncated, empty, missing and foreign files are unreadable_image with the reason")
{
    TempDir dir;
    const GrayImage img = gradient(64, 64);
    savePng(dir.file("ok.png"), img);
    saveJpeg(dir.file("ok.jpg"), img);
    const std::string png = readBytes(dir.file("ok.png"));
    const std::string jpg = readBytes(dir.file("ok.jpg"));

    saveBytes(dir.file("trunc.png"), png.substr(0, png.size() / 2));
    checkUnreadable(loadImageFile(dir.file("trunc.png")), "trunc.png: corrupt or truncated PNG data");

    saveBytes(dir.file("trunc.jpg"), jpg.substr(0, jpg.size() / 2));
    checkUnreadable(loadImageFile(dir.file("trunc.jpg")), "trunc.jpg: corrupt or truncated JPEG data");

    std::string flipped = png;
    for (std::size_t i = 40; i < flipped.size() - 20; i += 7) flipped[i] = static_cast<char>(~flipped[i]);
    checkUnreadable(loadImageFile(dir.file("x")), "x: cannot open file");
    saveBytes(dir.file("flipped.png"), flipped);
    checkUnreadable(loadImageFile(dir.file("flipped.png")), "flipped.png: corrupt");

    saveBytes(dir.file("empty.png"), "");
    checkUnreadable(loadImageFile(dir.file("empty.png")), "empty.png: empty file");

    saveBytes(dir.file("notes.txt"), "GIF89a not really");
    checkUnreadable(loadImageFile(dir.file("notes.txt")), "not a PNG, JPEG or binary PGM/PPM image");

    checkUnreadable(loadImageFile(dir.path().string()), "not a regular file");
}

TEST_CASE("a header claiming a huge image is refused before anything is allocated")
{
    // PGM header for 60000 x 60000 with no pixel data.
    checkUnreadable(decodeImageBytes(bytesOf("P5\n60000 60000\n255\n"), "huge.pgm"), "too large");
    // PNG IHDR for 65535 x 65535 (CRC is not checked by the header probe, the size is).
    const std::string ihdr("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\xff\xff\0\0\xff\xff\x08\x00\x00\x00\x00\0\0\0\0", 33);
    auto r = decodeImageBytes(bytesOf(ihdr), "huge.png");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == "unreadable_image");
}

TEST_CASE("a camera JPEG frame with trailing garbage still decodes when not strict")
{
    TempDir dir;
    saveJpeg(dir.file("f.jpg"), GrayImage(16, 16, 128), 90);
    std::string bytes = readBytes(dir.file("f.jpg"));
    // Corrupt the entropy-coded data near the end: a warning, not a fatal error, for libjpeg.
    bytes.insert(bytes.size() - 2, std::string(8, '\x00'));
    auto lenient = decodeJpegGray(bytesOf(bytes), "frame", false);
    REQUIRE(lenient.has_value());
    CHECK(lenient->width() == 16);
    auto strict = decodeJpegGray(bytesOf(bytes), "frame", true);
    REQUIRE_FALSE(strict.has_value());
    CHECK(strict.error().code == "unreadable_image");
}
