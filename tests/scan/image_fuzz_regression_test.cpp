// What the image fuzz target (tests/fuzz/image_fuzz.cpp) found, as deterministic tests on the
// seed files it left in tests/fuzz/image_seeds/, and the header limits it relies on.

#include "image_test_support.h"

#include "scan/image/ImageDecoder.h"
#include "scan/image/ImageLoader.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>

using namespace backfill;
using namespace backfill::scan::image;
using namespace backfill::scan::image::testing;

namespace {

std::string seed(const std::string& name)
{
    const char* source = std::getenv("BACKFILL_SOURCE");
    REQUIRE(source != nullptr);
    const std::string path = std::string(source) + "/tests/fuzz/image_seeds/" + name;
    REQUIRE(std::filesystem::is_regular_file(path));
    return readBytes(path);
}

std::span<const std::uint8_t> bytesOf(const std::string& s)
{
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void checkRefused(const std::string& bytes, const std::string& name, const std::string& message)
{
    const auto r = decodeImageBytes(bytesOf(bytes), name);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == "unreadable_image");
    CHECK(r.error().message == name + ": " + message);
}

} // namespace

TEST_CASE("a truncated 16-bit PPM is refused (stb_image read past its buffer reducing it to grey)")
{
    checkRefused(seed("fuzz-16bit-ppm-truncated.ppm"), "t.ppm",
                 "corrupt or truncated PNM data (666 bytes of pixels, the header needs 7488)");
    checkRefused(seed("truncated-c128.pgm"), "c.pgm", "corrupt or truncated PNM data (3068 bytes of pixels, the header needs 6150)");
}

TEST_CASE("a 16-bit PPM is scaled by its maxval and reduced to luminance")
{
    const auto r = decodeImageBytes(bytesOf(seed("fuzz-16bit.ppm")), "c.ppm");
    REQUIRE(r.has_value());
    REQUIRE(r->width() == 4);
    REQUIRE(r->height() == 2);
    // red, green, blue, white; mid grey, black, (1000,2000,3000), (4464,1,1) of 65535.
    const int expected[] = {76, 149, 28, 255, 128, 0, 7, 5};
    for (int i = 0; i < 8; ++i) CHECK(r->at(i % 4, i / 4) == expected[i]);
}

TEST_CASE("a PGM whose maxval is not 255 is scaled to 0-255; a maxval out of 1-65535 is refused")
{
    const auto r = decodeImageBytes(bytesOf(std::string("P5\n# comment\n3 1\n15\n\x0f\x07\x00", 23)), "m.pgm");
    REQUIRE(r.has_value());
    CHECK(r->at(0, 0) == 255);
    CHECK(r->at(1, 0) == 119);
    CHECK(r->at(2, 0) == 0);
    checkRefused(seed("bad-maxval.pgm"), "b.pgm", "corrupt PNM header (maxval 70000, expected 1-65535)");
    checkRefused(std::string("P5\n1 1\n0\n\x00", 9), "z.pgm", "corrupt PNM header (maxval 0, expected 1-65535)");
    checkRefused("P5\n1 1\n255", "e.pgm",
                 "corrupt PNM header (width, height and maxval, then one whitespace character, expected)");
}

TEST_CASE("headers claiming 60000 x 60000 are refused before anything is allocated, in every format")
{
    checkRefused(seed("huge-header.png"), "h.png", "PNG image of 60000x60000 pixels is too large");
    checkRefused(seed("huge-header.jpg"), "h.jpg", "JPEG image of 60000x60000 pixels is too large");
    checkRefused(seed("huge-header-progressive.jpg"), "p.jpg", "JPEG image of 60000x60000 pixels is too large");
    checkRefused(seed("huge-header.pgm"), "h.pgm", "PNM image of 60000x60000 pixels is too large");
    checkRefused(seed("huge-header.ppm"), "h.ppm", "PNM image of 60000x60000 pixels is too large");
    // Numbers too long for an int (stb_image overflowed on them) saturate and are refused.
    checkRefused("P5\n123456789012345678901234567890 1\n255\n", "l.pgm",
                 "PNM image of 1099511627776x1 pixels is too large");
    checkRefused(seed("zero-header.pgm"), "z.pgm", "corrupt PNM header (size 0x10)");
    // 32-bit IHDR sizes whose product overflowed a long long (found by the fuzz target).
    checkRefused(seed("fuzz-ihdr-overflow.png"), "o.png", "PNG image of 4211081159x2689923435 pixels is too large");
}

TEST_CASE("the pixel limit is an option: the fuzz target's 160 x 160 refuses what the default loads")
{
    const std::string large = seed("c128.pgm"); // 123 x 50
    CHECK(decodeImageBytes(bytesOf(large), "c.pgm").has_value());
    ImageLoadOptions small;
    small.maxPixels = 100 * 50;
    const auto r = decodeImageBytes(bytesOf(large), "c.pgm", small);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "c.pgm: PNM image of 123x50 pixels is too large");
    const auto jpeg = decodeJpegGray(bytesOf(seed("ean13.jpg")), "e.jpg", false, small);
    REQUIRE_FALSE(jpeg.has_value());
    CHECK(jpeg.error().message == "e.jpg: JPEG image of 226x110 pixels is too large");
}

TEST_CASE("a PNG chunk claiming more bytes than the file holds is refused (stb_image reserved 2 GB for it)")
{
    checkRefused(seed("fuzz-idat-length.png"), "i.png",
                 "corrupt or truncated PNG data (a chunk runs past the end of the file, or IEND is missing)");
    checkRefused(seed("truncated-ean13.png"), "t.png",
                 "corrupt or truncated PNG data (a chunk runs past the end of the file, or IEND is missing)");
}

TEST_CASE("the barcode seeds load and read as what zint drew")
{
    const ImageDecoder decoder;
    const std::pair<const char*, const char*> cases[] = {
        {"ean13.png", "9501101530003"}, {"ean13.jpg", "9501101530003"}, {"c128.pgm", "LOC-A-01"},
        {"qr.ppm", "0109501101530003"}, {"dm.png", "010950110153000310LOT7"},
    };
    for (const auto& [name, text] : cases) {
        CAPTURE(name);
        const auto image = decodeImageBytes(bytesOf(seed(name)), name);
        REQUIRE(image.has_value());
        const auto found = decoder.decode(image->view());
        REQUIRE(found.size() == 1);
        CHECK(found[0].text == text);
    }
}
