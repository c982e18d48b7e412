#!/bin/sh
# demo_test.sh SOURCE_DIR BACKFILL BACKFILLD (issues 11 and 12): the README's main command,
# `sh packaging/run-demo.sh`, on this build's binaries (BACKFILL_DEMO_BIN, BACKFILLD_DEMO_BIN:
# nothing installed or built) in a temporary folder, with no display, as a README reader
# without one runs it: backfilld on the demo data, the terminal enrolled, receipts synced, the
# touch terminal under xvfb-run writing a screenshot. Checks the exit status, the figures the
# demo prints (derived from assets/demo by hand, below), the screenshot, and that nothing the
# demo started is left running.
set -eu
src=$1
bin=$2
sbin=$3
tmp=$(mktemp -d)
out="$tmp/demo.out"
demo="$tmp/demo"
cleanup() {
    # Anything left running under the temporary folder (a failed check's) is ended first.
    pids=$(pgrep -f "$tmp" || true)
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill $pids 2>/dev/null || true
    tries=0
    while pgrep -f "$tmp" >/dev/null && [ "$tries" -lt 50 ]; do tries=$((tries + 1)); sleep 0.1; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- demo output:"; cat "$out" 2>/dev/null || true; exit 1; }

# The sanitizers as run-tests.sh sets them (also when ctest runs alone); LeakSanitizer with the
# UI tests' suppressions for Mesa, X11 and fontconfig (nothing of Backfill's is named there).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$src/tests/ui/lsan.supp:print_suppressions=0"
# In a sanitized build Mesa's software driver is preloaded into backfill, after the ASan runtime
# (tests/ui/XvfbHarness.h, uiSanitizerEnv: libGLX_mesa dlcloses swrast_dri.so before the leak
# check, and then its leaks have no module a suppression can name). Only backfill gets it, by a
# wrapper that execs the test build's binary; python3, xvfb-run and Xvfb run as they are.
asan=$(ldd "$bin" | awk '$1 ~ /^libasan\.so/ { print $3; exit }')
driver=""
for dir in /usr/lib/x86_64-linux-gnu/dri /usr/lib/aarch64-linux-gnu/dri /usr/lib/dri; do
    if [ -r "$dir/swrast_dri.so" ]; then driver="$dir/swrast_dri.so"; break; fi
done
terminal_bin=$bin
if [ -n "$asan" ] && [ -n "$driver" ]; then
    terminal_bin="$tmp/backfill"
    printf '#!/bin/sh\nexport LD_PRELOAD="%s:%s"\nexec "%s" "$@"\n' "$asan" "$driver" "$bin" >"$terminal_bin"
    chmod +x "$terminal_bin"
fi

# No display: the demo's touch terminal runs on an Xvfb of its own (xvfb-run -a). xvfb-run's
# folder for its X authority file goes under $tmp (mktemp -t), so its Xvfb's command line names
# $tmp, as backfilld's and backfill's (--db $tmp/demo/...) do.
unset DISPLAY WAYLAND_DISPLAY
export TMPDIR="$tmp"
rc=0
BACKFILL_DEMO_BIN="$terminal_bin" BACKFILLD_DEMO_BIN="$sbin" BACKFILL_DEMO_DIR="$demo" \
    sh "$src/packaging/run-demo.sh" >"$out" 2>&1 </dev/null || rc=$?

# Nothing the demo started is left: backfilld (stopped and waited for by the demo) at once;
# xvfb-run kills its Xvfb without waiting for it, so that one gets up to 5 s to go.
left=$(pgrep -af "$demo/server.db" || true)
[ -z "$left" ] || fail "backfilld left running after the demo: $left"
tries=0
while left=$(pgrep -af "$tmp"); do
    tries=$((tries + 1))
    [ "$tries" -le 50 ] || fail "processes left running after the demo: $left"
    sleep 0.1
done
[ "$rc" -eq 0 ] || fail "run-demo.sh exited with status $rc"

# has LINE: the output holds LINE exactly, as a whole line.
has() { grep -qxF -- "$1" "$out" || fail "the output lacks the line '$1'"; }
# The imports: every row of each demo file (wc -l less the header).
has 'locations   {"imported":31}'
has 'catalog     {"imported":62}'
has 'inbound     {"imported":43}'
has 'backorders  {"imported":213}'
url=$(sed -n 's/^listening //p' "$out")
echo "$url" | grep -qx 'tcp://127\.0\.0\.1:[1-9][0-9]*' || fail "no 'listening tcp://127.0.0.1:PORT' line (got '$url')"
# Enrolling pulls the master data: 31 + 62 + 43 + 213 = 349 rows.
has "{\"enrolled\":\"DEMO-01\",\"server\":\"$url\",\"epoch\":1,\"pushed\":0,\"pulled\":349,\"corrections\":[]}"
# Pallet 095011010000042001 (ASN-7001): CLN-0101 27, CLN-0110 36, CLN-0106 32, CLN-0102 37.
has '    27 x CLN-0101 at DOCK-1: 1 to SO-10071/2 stage at OUT-1, 6 to SO-10005/1 stage at OUT-2, 6 to SO-10065/6 stage at OUT-3, 2 to SO-10037/1 stage at OUT-4; 12 to stock'
has '    37 x CLN-0102 at DOCK-1: 24 to SO-10006/2 stage at OUT-2, 12 to SO-10044/4 stage at OUT-3, 1 to SO-10001/4 stage at OUT-4; 0 to stock'
# scans.txt: lines 14-18 are refused (the pallet twice, two check digits, a location code).
[ "$(grep -c '^  REFUSED ' "$out")" -eq 5 ] || fail "not 5 scans refused"
has "  REFUSED ']C100095011010000042001': sscc_received: pallet SSCC 095011010000042001 was already received"
has "  REFUSED '(00)095011010000042001': sscc_received: pallet SSCC 095011010000042001 was already received"
has "  REFUSED '9501101010775': check_digit: (01): check digit is 5, expected 2"
has "  REFUSED '(01)39501102010072(10)L2611A': check_digit: (01): check digit is 2, expected 9"
has "  REFUSED 'A-01-01': not_gs1: not a GS1 scan: no GS1 symbology identifier, AI, GTIN, SSCC or Digital Link URI"
# One op for the pallet and one for each of the 14 scans taken (19 lines, 5 refused): 15,
# pushed, and the server's 15 decisions pulled back.
grep -q "^== waiting for the server: {.*\"unsent\":15," "$out" || fail "not 15 receipts waiting for the server"
has '{"pushed":15,"pulled":15,"corrections":[]}'
# The terminal holds the server's stock: 13 products received, each allocated
# min(received, its backorders' total qty in backorders.csv).
has '  CLN-0101   on hand    27  allocated    15  free    12'
has '  CUT-0101   on hand    48  allocated    37  free    11'
has '  TEX-0101   on hand    48  allocated     0  free    48'
has '  TEX-0107   on hand    54  allocated    25  free    29'
has '  (62 products, 49 with no stock)'
# 213 lines: 158 backordered and 55 out of stock at import; 31 got units (26 in full, 5 in
# part), 24 of them backordered before and 7 out of stock.
has '  26 allocated, 134 backordered, 48 out_of_stock, 5 partially_allocated'
# The server: 132 units on the pallet + 169 in the scans taken = 301; allocated 96 + 69 = 165.
has '== backfilld stock: 62 products, 301 units on hand, 165 allocated'
# A first-ETA message per backordered line at import (158), one "goods arrived" per allocation
# (34 in the receipts above: 16 from the pallet, 18 from the scans).
has '192 messages: 34 allocated, 158 eta_first'
has '  (46 of 50 products to reorder; the 8 furthest below their reorder point shown)'
has "== the touch terminal (backfill with no subcommand): screenshot $demo/home.png"

# The screenshot: a PNG of the default window, 480x800, with something drawn on it.
shot="$demo/home.png"
[ -s "$shot" ] || fail "no screenshot $shot"
python3 - "$shot" <<'EOF' || fail "the screenshot is not a 480x800 PNG"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "signature"
pos, idat, chunks = 8, b"", []
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0], "crc"
    chunks.append(kind)
    if kind == b"IDAT":
        idat += body
    pos += 12 + length
assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", chunks
width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
assert (width, height, depth) == (480, 800, 8), (width, height, depth)
assert len(zlib.decompress(idat)) == height * (1 + width * channels), "pixel data"
EOF
colours=$(convert "$shot" -format '%k' info:)
[ "$colours" -gt 16 ] || fail "the screenshot has $colours colours: nothing drawn"
echo "ok: the demo ran on this build, $url, 15 receipts pushed, screenshot 480x800 ($colours colours)"
