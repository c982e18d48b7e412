#!/bin/sh
# run-demo.sh: install the Debian packages, build, and run the demo headless on a fresh
# terminal database: import the demo master data, receive the first announced pallet and the
# sample scans, then print stock and backorders. (The touch UI and the server follow in later
# issues; this script grows with them.)
set -eu
cd "$(dirname "$0")/.."
sh packaging/install-deps.sh
BUILD=${BACKFILL_BUILD:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBACKFILL_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target backfill
BIN="$BUILD/terminal/app/backfill"
DEMO="$BUILD/demo"
rm -rf "$DEMO" && mkdir -p "$DEMO"
DB="$DEMO/terminal.db"
run() { "$BIN" --db "$DB" "$@"; }

echo "== import demo master data (assets/demo)"
for kind in locations catalog inbound backorders; do
  printf '%-11s ' "$kind"; run import "$kind" "assets/demo/$kind.csv"
done

# The first pallet announced by an ASN in the demo inbound file.
SSCC=$(awk -F, 'NR > 1 && $6 != "" { print $6; exit }' assets/demo/inbound.csv)
echo
echo "== receive pallet (00)$SSCC at the dock: every line of the ASN in one scan"
run receive "(00)$SSCC" | python3 packaging/show.py receipts
echo
echo "== receive the sample scans (assets/demo/scans.txt; some are refused on purpose)"
run receive - < assets/demo/scans.txt | python3 packaging/show.py receipts || true
echo
echo "== stock (products with stock or allocations)"
run stock | python3 packaging/show.py stock
echo
echo "== backorders"
run backorders | python3 packaging/show.py backorders
echo
echo "database: $DB  (try: $BIN --db $DB stock --sku <SKU>)"
