#pragma once
// Cheap image clean-ups the decoder retries with when a plain ZXing pass finds nothing.
// Each answers one class of real capture defect (see docs/scanning.md):
//   boxDownscale     high-resolution photos: modules many pixels wide, sensor noise
//   bilinearScale    small or distant codes whose modules are 1-2 pixels wide
//   stretchContrast  faded print, grey-on-grey labels, under-exposed frames
//   median3x3        salt-and-pepper and sensor noise that splits bars
//   flattenIllumination  glare and shadows: uneven lighting across the symbol
//   unsharpMask      motion and focus blur that merges thin bars
//   invert           reverse-printed (light on dark) codes
//   rotate           tilted 1D codes beyond the few degrees ZXing's row scan tolerates
//   addBorder        codes cropped tight to the image edge (no quiet zone left)
// All functions are pure: a view in, a new image out.

#include "scan/image/GrayImage.h"

#include <array>

namespace backfill::scan::image {

// PointMap maps a pixel position of a derived image back to the image it was made from:
// src = (a*x + b*y + c, d*x + e*y + f).
struct PointMap {
    double a = 1, b = 0, c = 0, d = 0, e = 1, f = 0;

    std::array<double, 2> apply(double x, double y) const { return {a * x + b * y + c, d * x + e * y + f}; }
    // then composes: first this map, then `outer` (outer maps this map's target further back).
    PointMap then(const PointMap& outer) const
    {
        return {outer.a * a + outer.b * d, outer.a * b + outer.b * e, outer.a * c + outer.b * f + outer.c,
                outer.d * a + outer.e * d, outer.d * b + outer.e * e, outer.d * c + outer.e * f + outer.f};
    }
};

// A derived image together with the map back to its source.
struct Derived {
    GrayImage image;
    PointMap toSource;
};

// boxDownscale averages factor x factor blocks (factor >= 2).
Derived boxDownscale(GrayImageView src, int factor);

// bilinearScale resizes by `scale` (> 0) with bilinear interpolation.
Derived bilinearScale(GrayImageView src, double scale);

// stretchContrast maps the `lowFraction` / `highFraction` quantiles of the histogram to 0 and
// 255. An image with no spread (all one value) comes back unchanged.
GrayImage stretchContrast(GrayImageView src, double lowFraction = 0.01, double highFraction = 0.99);

// median3x3 replaces each pixel by the median of its 3x3 neighbourhood (edges replicated).
GrayImage median3x3(GrayImageView src);

// flattenIllumination divides out a heavily blurred copy of the image (the lighting), so a
// bright glare patch and a shadow end up at the same paper white. `radius` is the blur radius
// in pixels (box blur applied twice).
GrayImage flattenIllumination(GrayImageView src, int radius);

// unsharpMask adds `amount` times the difference to a 3x3-box-blurred copy.
GrayImage unsharpMask(GrayImageView src, double amount = 1.0);

// invert gives 255 - v for every pixel.
GrayImage invert(GrayImageView src);

// rotate turns the image by `degrees` (counter-clockwise as seen on screen) about its centre
// onto a canvas large enough to hold all of it, filling uncovered pixels with `fill`.
Derived rotate(GrayImageView src, double degrees, std::uint8_t fill = 255);

// addBorder surrounds the image with `border` pixels of `fill` on every side.
Derived addBorder(GrayImageView src, int border, std::uint8_t fill);

// brightValue is the luminance below which `fraction` of the pixels lie (paper white for 0.95).
std::uint8_t brightValue(GrayImageView src, double fraction = 0.95);

// medianValue is the median luminance (used as fill for rotated canvases).
std::uint8_t medianValue(GrayImageView src);

} // namespace backfill::scan::image
