// The preprocessing steps, on tiny images with exact expected pixels and point maps.

#include "scan/image/Preprocess.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace backfill::scan::image;

namespace {

GrayImage fromRows(std::initializer_list<std::initializer_list<int>> rows)
{
    const int h = static_cast<int>(rows.size()), w = static_cast<int>(rows.begin()->size());
    GrayImage img(w, h);
    int y = 0;
    for (const auto& row : rows) {
        int x = 0;
        for (int v : row) img.at(x++, y) = static_cast<std::uint8_t>(v);
        ++y;
    }
    return img;
}

} // namespace

TEST_CASE("median3x3 removes a single speckle and keeps an edge")
{
    const GrayImage img = fromRows({{10, 10, 10, 200}, {10, 250, 10, 200}, {10, 10, 10, 200}});
    const GrayImage m = median3x3(img.view());
    CHECK(m.at(1, 1) == 10);
    CHECK(m.at(3, 1) == 200);
    CHECK(m.at(0, 0) == 10);
}

TEST_CASE("stretchContrast maps the darkest and brightest values to 0 and 255")
{
    const GrayImage img = fromRows({{100, 110, 120, 130}});
    const GrayImage s = stretchContrast(img.view(), 0.0, 1.0);
    CHECK(s.at(0, 0) == 0);
    CHECK(s.at(1, 0) == 85);
    CHECK(s.at(2, 0) == 170);
    CHECK(s.at(3, 0) == 255);
    // No spread: unchanged.
    const GrayImage flat(3, 3, 77);
    CHECK(stretchContrast(flat.view()).at(1, 1) == 77);
}

TEST_CASE("boxDownscale averages blocks and maps points back to block centres")
{
    const GrayImage img = fromRows({{0, 100, 200, 200}, {100, 200, 200, 200}});
    const Derived d = boxDownscale(img.view(), 2);
    REQUIRE(d.image.width() == 2);
    REQUIRE(d.image.height() == 1);
    CHECK(d.image.at(0, 0) == 100);
    CHECK(d.image.at(1, 0) == 200);
    const auto p = d.toSource.apply(1, 0);
    CHECK(p[0] == doctest::Approx(2.5));
    CHECK(p[1] == doctest::Approx(0.5));
}

TEST_CASE("rotate by 90 degrees moves pixels counter-clockwise and maps points back")
{
    // A 3x2 image; after a quarter turn counter-clockwise the top-right pixel is top-left.
    const GrayImage img = fromRows({{1, 2, 3}, {4, 5, 6}});
    const Derived r = rotate(img.view(), 90, 0);
    REQUIRE(r.image.width() == 2);
    REQUIRE(r.image.height() == 3);
    CHECK(r.image.at(0, 0) == 3);
    CHECK(r.image.at(1, 0) == 6);
    CHECK(r.image.at(0, 2) == 1);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 2; ++x) {
            const auto p = r.toSource.apply(x, y);
            const int sx = static_cast<int>(std::lround(p[0])), sy = static_cast<int>(std::lround(p[1]));
            CHECK(img.at(sx, sy) == r.image.at(x, y));
        }
}

TEST_CASE("PointMap::then composes: derived of a derived maps to the original")
{
    const GrayImage img(40, 20, 255);
    const Derived half = boxDownscale(img.view(), 2);                 // 20 x 10
    const Derived padded = addBorder(half.image.view(), 5, 255);      // 30 x 20
    const PointMap back = padded.toSource.then(half.toSource);
    const auto p = back.apply(5, 5);  // padded (5,5) = half (0,0) = original block centre (0.5,0.5)
    CHECK(p[0] == doctest::Approx(0.5));
    CHECK(p[1] == doctest::Approx(0.5));
}

TEST_CASE("flattenIllumination evens out a lighting gradient")
{
    // Paper white under light falling off from left to right, with dark bars at the same
    // relative darkness everywhere.
    GrayImage img(200, 40);
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 200; ++x) {
            const double light = 250.0 - x * 0.8;
            img.at(x, y) = static_cast<std::uint8_t>((x / 10) % 2 ? light * 0.3 : light);
        }
    const GrayImage f = flattenIllumination(img.view(), 20);
    // Paper on the bright left and the dim right comes out within a few levels.
    CHECK(std::abs(f.at(45, 20) - f.at(165, 20)) <= 12);
    CHECK(std::abs(f.at(55, 20) - f.at(175, 20)) <= 12);
    CHECK(f.at(45, 20) - f.at(55, 20) > 100);
}

TEST_CASE("invert, unsharpMask, addBorder, brightValue, medianValue")
{
    const GrayImage img = fromRows({{0, 100, 255}});
    const GrayImage inv = invert(img.view());
    CHECK(inv.at(0, 0) == 255);
    CHECK(inv.at(1, 0) == 155);
    CHECK(inv.at(2, 0) == 0);

    const GrayImage edge = fromRows({{50, 50, 50, 200, 200, 200}});
    const GrayImage sharp = unsharpMask(edge.view(), 1.0);
    CHECK(sharp.at(2, 0) == 0);    // 50 + (50 - 100)
    CHECK(sharp.at(3, 0) == 250);  // 200 + (200 - 150)
    CHECK(sharp.at(0, 0) == 50);

    const Derived b = addBorder(img.view(), 2, 9);
    CHECK(b.image.width() == 7);
    CHECK(b.image.at(0, 0) == 9);
    CHECK(b.image.at(3, 2) == 100);

    CHECK(brightValue(fromRows({{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}).view(), 0.5) == 6);
    CHECK(medianValue(fromRows({{9, 1, 5}}).view()) == 5);
}
