#!/bin/bash
# Regenerates the seed images of the image fuzz target (tests/fuzz/image_seeds/, committed):
# small barcodes drawn by zint and re-encoded by ImageMagick's convert, then truncated and
# oversized-header variants. Needs zint, convert and python3. Nothing comes from ../shared.
# usage: make_image_seeds.sh [OUTPUT_DIR]
set -euo pipefail
out=${1:-$(dirname "$0")/image_seeds}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Symbols a warehouse meets, each under the fuzz target's 160 x 160 pixel limit.
zint -b 13 -d 950110153000 --notext -o "$tmp/ean13.png"                      # 226x110 EAN-13
zint -b 37 -d 01234565 --notext --scale=0.5 -o "$tmp/upce.png"                # UPC-E
zint -b 20 -d LOC-A-01 --notext --scale=0.5 -o "$tmp/c128.png"                # Code 128
zint -b 89 -d 0950110153000 --notext --scale=0.5 -o "$tmp/itf.png"            # ITF-14
zint -b 58 --gs1 -d '[01]09501101530003' -o "$tmp/qr.png"                     # GS1 QR
zint -b 71 --gs1 -d '[01]09501101530003[10]LOT7' -o "$tmp/dm.png"             # GS1 DataMatrix
zint -b 55 -d LOC-A-01 --scale=0.5 -o "$tmp/pdf.png"                          # PDF417

convert "$tmp/ean13.png" -colorspace Gray "$out/ean13.png"
convert "$tmp/ean13.png" -colorspace Gray -quality 70 "$out/ean13.jpg"
convert "$tmp/itf.png" -interlace Plane -quality 80 "$out/itf-progressive.jpg"
convert "$tmp/upce.png" -quality 85 "$out/upce-rgb.jpg"
convert "$tmp/c128.png" -colorspace Gray "$out/c128.pgm"
convert "$tmp/dm.png" -depth 16 -colorspace Gray "$out/dm-16bit.pgm"
convert "$tmp/qr.png" "$out/qr.ppm"
cp "$tmp/qr.png" "$out/qr.png"
cp "$tmp/dm.png" "$out/dm.png"
cp "$tmp/pdf.png" "$out/pdf.png"

python3 - "$out" <<'PY'
import struct, sys, zlib
out = sys.argv[1]
def read(name): return open(f"{out}/{name}", "rb").read()
def write(name, data): open(f"{out}/{name}", "wb").write(data)

# Truncated files: header intact, data cut.
for name in ("ean13.png", "ean13.jpg", "itf-progressive.jpg", "c128.pgm", "qr.ppm"):
    data = read(name)
    write("truncated-" + name, data[: len(data) // 2])
    write("header-only-" + name, data[:40])

def png_with_size(data, w, h):
    ihdr = data[12:16] + struct.pack(">II", w, h) + data[24:29]
    return data[:8] + data[8:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + data[33:]

def jpeg_with_size(data, w, h):
    for marker in (b"\xff\xc0", b"\xff\xc2", b"\xff\xc1"):
        i = data.find(marker)
        if i >= 0:
            return data[: i + 5] + struct.pack(">HH", h, w) + data[i + 9 :]
    raise SystemExit("no SOF marker")

# Oversized headers: 60000 x 60000 (refused in production too) and 400 x 400 (refused only
# by the fuzz target's limit), with the original pixel data behind them.
for w, h, tag in ((60000, 60000, "huge"), (400, 400, "large"), (0, 10, "zero")):
    write(f"{tag}-header.png", png_with_size(read("ean13.png"), w, h))
    write(f"{tag}-header.jpg", jpeg_with_size(read("ean13.jpg"), w, h))
    write(f"{tag}-header.pgm", f"P5\n{w} {h}\n255\n".encode() + read("c128.pgm")[15:400])
write("huge-header-progressive.jpg", jpeg_with_size(read("itf-progressive.jpg"), 60000, 60000))
write("huge-header.ppm", b"P6\n60000 60000\n255\n" + bytes(64))
write("bad-maxval.pgm", b"P5\n4 4\n70000\n" + bytes(16))
write("not-an-image.gif", b"GIF89a\x01\x00\x01\x00")
PY
ls -l "$out"
