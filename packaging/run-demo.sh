#!/bin/sh
# run-demo.sh: install the Debian packages, build, and run the demo headless: start the server
# backfilld on a fresh database with the demo master data imported into it, add a device and
# enrol a fresh terminal database to it (the terminal pulls the master data), receive the
# first announced pallet and the sample scans at the terminal while it records locally, then
# `backfill sync` them to the server and print what both hold, the customer notifications
# queued and the replenishment list. backfilld is stopped on every
# way out (trap), also when a step fails. Exit status 0 when every step worked.
#
# Already built binaries (the test build's, ctest packaging/demo): BACKFILL_DEMO_BIN and
# BACKFILLD_DEMO_BIN name backfill and backfilld, and then nothing is installed or built;
# BACKFILL_DEMO_DIR is the folder the demo writes into (created if missing; only the demo's
# own files in it are replaced). Relative paths are taken from the caller's folder. Without
# these the script installs, builds into $BACKFILL_BUILD (default build) and writes build/demo.
set -eu
CALLER_DIR=$(pwd)
absolute() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$CALLER_DIR/$1" ;; esac; }
cd "$(dirname "$0")/.."
BUILD=${BACKFILL_BUILD:-build}
if [ -n "${BACKFILL_DEMO_BIN:-}" ] || [ -n "${BACKFILLD_DEMO_BIN:-}" ]; then
  if [ -z "${BACKFILL_DEMO_BIN:-}" ] || [ -z "${BACKFILLD_DEMO_BIN:-}" ]; then
    echo "run-demo.sh: set both BACKFILL_DEMO_BIN and BACKFILLD_DEMO_BIN, or neither" >&2; exit 1
  fi
  BIN=$(absolute "$BACKFILL_DEMO_BIN")
  SERVER_BIN=$(absolute "$BACKFILLD_DEMO_BIN")
  for b in "$BIN" "$SERVER_BIN"; do
    if [ ! -f "$b" ] || [ ! -x "$b" ]; then echo "run-demo.sh: $b is not an executable file" >&2; exit 1; fi
  done
else
  sh packaging/install-deps.sh
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBACKFILL_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target backfill backfilld
  BIN="$BUILD/terminal/app/backfill"
  SERVER_BIN="$BUILD/sync/server/backfilld"
fi
if [ -n "${BACKFILL_DEMO_DIR:-}" ]; then
  DEMO=$(absolute "$BACKFILL_DEMO_DIR")
  mkdir -p "$DEMO"
  rm -f "$DEMO"/terminal.db "$DEMO"/terminal.db-* "$DEMO"/server.db "$DEMO"/server.db-* \
    "$DEMO"/serve.out "$DEMO"/serve.err "$DEMO"/home.png "$DEMO"/*.json
else
  DEMO="$BUILD/demo"
  rm -rf "$DEMO" && mkdir -p "$DEMO"
fi
DB="$DEMO/terminal.db"
SDB="$DEMO/server.db"
# The demo data is set on 2026-11-28 (assets/demo/README.md): every step runs on that day, so
# the demo tells the same story on any date (its lots expiring 2027-06-30 are still good, its
# inbound still due in December 2026). backfill reads BACKFILL_TODAY and BACKFILL_NOW;
# backfilld takes --today.
DEMO_DAY=2026-11-28
export BACKFILL_TODAY="$DEMO_DAY" BACKFILL_NOW="${DEMO_DAY}T09:00:00Z"
run() { "$BIN" --db "$DB" "$@"; }
server() { "$SERVER_BIN" --db "$SDB" --today "$DEMO_DAY" "$@"; }

# backfilld runs in the background until the script ends, however it ends.
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap 'stop_server' EXIT
trap 'stop_server; exit 130' INT
trap 'stop_server; exit 143' TERM

echo "== backfilld: import demo master data (assets/demo) into the server"
for kind in locations catalog inbound backorders; do
  printf '%-11s ' "$kind"; server import "$kind" "assets/demo/$kind.csv"
done

echo
echo "== backfilld serve on 127.0.0.1 (a free port)"
# The binary itself in the background (not the function: $! would be a subshell).
"$SERVER_BIN" --db "$SDB" --today "$DEMO_DAY" serve --listen tcp://127.0.0.1:0 >"$DEMO/serve.out" 2>"$DEMO/serve.err" &
SERVER_PID=$!
tries=0
until grep -q '^listening ' "$DEMO/serve.out" 2>/dev/null; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "backfilld did not start:" >&2; cat "$DEMO/serve.err" >&2; exit 1
  fi
  tries=$((tries + 1))
  if [ "$tries" -gt 300 ]; then echo "backfilld did not listen within 30 s" >&2; exit 1; fi
  sleep 0.1
done
URL=$(sed -n 's/^listening //p' "$DEMO/serve.out" | head -n 1)
echo "listening $URL"

echo
echo "== enrol the demo terminal as DEMO-01 (it pulls the server's master data)"
TOKEN=$(server device add DEMO-01)
run enroll --server "$URL" --device DEMO-01 --token "$TOKEN"

# The first pallet announced by an ASN in the demo inbound file.
SSCC=$(awk -F, 'NR > 1 && $6 != "" { print $6; exit }' assets/demo/inbound.csv)
echo
echo "== receive pallet (00)$SSCC at the dock, offline: every line of the ASN in one scan"
# A step's output goes to a file first, so its exit status is its own (a pipe would give
# python's): the pallet must be received (0); of the sample scans, some are refused on
# purpose (1), and anything else (3: the database) stops the demo.
run receive "(00)$SSCC" >"$DEMO/pallet.json"
python3 packaging/show.py receipts <"$DEMO/pallet.json"
echo
echo "== receive the sample scans (assets/demo/scans.txt; some are refused on purpose)"
status=0
run receive - <assets/demo/scans.txt >"$DEMO/scans.json" || status=$?
python3 packaging/show.py receipts <"$DEMO/scans.json"
if [ "$status" -gt 1 ]; then echo "run-demo.sh: receiving the sample scans failed (exit status $status)" >&2; exit 1; fi
echo
echo "== waiting for the server: $(run sync --status)"
echo
echo "== backfill sync: push the receipts, pull what the server decided"
run sync
echo
echo "== stock at the terminal, now the server's (products with stock or allocations)"
run stock >"$DEMO/stock.json"
python3 packaging/show.py stock <"$DEMO/stock.json"
echo
echo "== backorders"
run backorders >"$DEMO/backorders.json"
python3 packaging/show.py backorders <"$DEMO/backorders.json"
echo
server stock >"$DEMO/server-stock.json"
echo "== backfilld stock: $(python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r), "products,", sum(x["on_hand"] for x in r), "units on hand,", sum(x["allocated"] for x in r), "allocated")' <"$DEMO/server-stock.json")"
echo
echo "== customer notifications queued by the imports and the receipts (backfilld notifications; sent by notify --smtp URL)"
server notifications >"$DEMO/notifications.json"
python3 -c '
import collections, json, sys
rows = json.load(sys.stdin)
print(len(rows), "messages:", ", ".join("%d %s" % (n, k) for k, n in sorted(collections.Counter(r["kind"] for r in rows).items())))
for r in rows[:5]:
    print("  %-8s %-28s %s" % (r["state"], r["email"], r["subject"]))' <"$DEMO/notifications.json"
echo
echo "== replenishment on the demo's day (backfilld --today $DEMO_DAY replenish; reorder point = safety stock + lead-time demand)"
server replenish >"$DEMO/replenish.json"
python3 packaging/show.py replenish <"$DEMO/replenish.json"
echo
# The touch terminal on the same database, enrolled to the backfilld still serving (its link
# worker syncs and watches; the header says online): on this display, or on an Xvfb of its
# own when there is none; it opens Home, writes a screenshot and exits by itself after 3 s.
SHOT="$DEMO/home.png"
echo "== the touch terminal (backfill with no subcommand): screenshot $SHOT"
if [ -n "${DISPLAY:-}" ]; then
  "$BIN" --db "$DB" --exit-after 3000 --screenshot "$SHOT"
else
  xvfb-run -a -s "-screen 0 1200x2000x24" "$BIN" --db "$DB" --exit-after 3000 --screenshot "$SHOT"
fi
stop_server
echo
echo "databases: terminal $DB, server $SDB  (try: $BIN --db $DB stock --sku <SKU>; $SERVER_BIN --db $SDB log)"
