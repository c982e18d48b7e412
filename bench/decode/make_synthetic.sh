#!/bin/sh
# make_synthetic.sh OUTDIR: writes the synthetic accuracy set for decode_bench, in the layout
# of zxing-cpp's samples (<format>-syn/<defect>-<n>.png + .txt with the expected text).
#
# Symbols come from zint (Debian `zint`; also GS1 DataMatrix and GS1 QR, which ZXing 1.4.0
# cannot write), defects from ImageMagick 6 (`convert`): each image has one capture defect a
# warehouse camera meets. Deterministic: fixed data, fixed noise seed.
set -eu
out=${1:?usage: make_synthetic.sh OUTDIR}
mkdir -p "$out"
GS=$(printf '\035')

# symbol FORMAT_DIR N ZINT_OPTIONS DATA EXPECTED_TEXT
symbol() {
    dir="$out/$1-syn"; n=$2; expected=$5
    mkdir -p "$dir"
    base="$dir/.base-$n.png"
    # shellcheck disable=SC2086
    zint $3 --scale 3 --quietzones -o "$base" -d "$4" >/dev/null 2>&1
    convert "$base" -bordercolor white -border 30 -colorspace Gray -depth 8 "$base"
    for defect in clean rot10 rot25 rot45 blur noise lowcontrast shadow jpeg small perspective; do
        ext=png
        case $defect in
            clean)       args="" ;;
            rot10)       args="-background white -rotate 10" ;;
            rot25)       args="-background white -rotate 25" ;;
            rot45)       args="-background white -rotate 45" ;;
            blur)        args="-blur 0x2.2" ;;
            noise)       args="-seed 42 -attenuate 1.6 +noise Gaussian" ;;
            lowcontrast) args="+level 38%,62%" ;;
            shadow)      args="( +clone -sparse-color Barycentric 0,0_white_%[fx:w],%[fx:h]_gray25 ) -compose multiply -composite" ;;
            jpeg)        args="-quality 10"; ext=jpg ;;
            small)       args="-filter Triangle -resize 38%" ;;
            perspective) args="-background white -virtual-pixel background -distort Perspective 0,0_%[fx:w*0.12],%[fx:h*0.08]__%[fx:w],0_%[fx:w*0.9],0__0,%[fx:h]_0,%[fx:h]__%[fx:w],%[fx:h]_%[fx:w*0.95],%[fx:h*0.85]" ;;
        esac
        # `_` stands for a space inside one argument (sparse-color / distort lists).
        set -f
        # shellcheck disable=SC2086
        set -- $args
        set +f
        for a in "$@"; do shift; set -- "$@" "$(printf '%s' "$a" | tr '_' ' ')"; done
        convert "$base" "$@" -colorspace Gray -depth 8 "$dir/$defect-$n.$ext"
        printf '%s' "$expected" > "$dir/$defect-$n.txt"
    done
    rm -f "$base"
}

symbol ean13 1 "-b EANX" 501234567890 5012345678900
symbol ean13 2 "-b EANX" 400638133393 4006381333931
symbol upca 1 "-b UPCA" 03600029145 0036000291452
symbol upca 2 "-b UPCA" 01234567890 0012345678905
symbol code128 1 "-b CODE128 --height 40" "PALLET-0042/B" "PALLET-0042/B"
symbol code128 2 "-b GS1_128 --height 40" "[01]09501101530003[10]LOT7[17]260630" "0109501101530003""10LOT7$GS""17260630"
symbol code128 3 "-b GS1_128 --height 40" "[00]095011015300000010" "00095011015300000010"
symbol itf 1 "-b ITF14 --height 40" 1950110153000 19501101530000
symbol itf 2 "-b C25INTER --height 40" 12345670 12345670
symbol datamatrix 1 "-b DATAMATRIX --gs1" "[01]09501101530003[17]260630[10]LOT7[21]SN42" "01095011015300031726063010LOT7$GS""21SN42"
symbol datamatrix 2 "-b DATAMATRIX" "BIN A-01-03" "BIN A-01-03"
symbol qrcode 1 "-b QRCODE --gs1" "[01]09501101530003[10]LOT7[17]260630" "0109501101530003""10LOT7$GS""17260630"
symbol qrcode 2 "-b QRCODE" "https://id.example.com/01/09501101530003/10/LOT7?17=260630" "https://id.example.com/01/09501101530003/10/LOT7?17=260630"
symbol pdf417 1 "-b PDF417" "DELIVERY NOTE 2026-0042 SUPPLIER 4711" "DELIVERY NOTE 2026-0042 SUPPLIER 4711"
echo "synthetic set written to $out"
