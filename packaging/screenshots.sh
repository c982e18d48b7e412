#!/bin/sh
# screenshots.sh: PNG screenshots of the touch UI's screens at 480x800 (handheld) and
# 1080x1920 (tablet) into docs/screenshots/, on the demo data (assets/demo). Runs its own Xvfb
# when no display is set, and stops everything it started.
#   sh packaging/screenshots.sh            (uses build/terminal/app/backfill, builds it if missing)
#   BACKFILL_BIN=path/to/backfill sh packaging/screenshots.sh
set -eu
cd "$(dirname "$0")/.."
BUILD=${BACKFILL_BUILD:-build}
BIN=${BACKFILL_BIN:-$BUILD/terminal/app/backfill}
SERVER_BIN=${BACKFILLD_BIN:-$BUILD/sync/server/backfilld}
if [ ! -x "$BIN" ] || [ ! -x "$SERVER_BIN" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBACKFILL_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j 2 --target backfill backfilld
fi
OUT=docs/screenshots
WORK=$(mktemp -d)
XPID=
SPID=
cleanup() {
  if [ -n "$SPID" ]; then
    kill "$SPID" 2>/dev/null || true
    wait "$SPID" 2>/dev/null || true
  fi
  if [ -n "$XPID" ]; then
    kill "$XPID" 2>/dev/null || true
    wait "$XPID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
mkdir -p "$OUT"

if [ -z "${DISPLAY:-}" ]; then
  # Xvfb picks a free display number and writes it to the pipe once it is ready.
  mkfifo "$WORK/displayfd"
  Xvfb -displayfd 3 -screen 0 1200x2000x24 -nolisten tcp 3>"$WORK/displayfd" >/dev/null 2>&1 &
  XPID=$!
  read -r NUM < "$WORK/displayfd"
  export DISPLAY=":$NUM"
fi

TODAY=2026-01-15
demo() { # demo DB: a fresh database with the demo master data
  for kind in locations catalog inbound backorders; do
    "$BIN" --db "$1" --today $TODAY import "$kind" "assets/demo/$kind.csv" >/dev/null
  done
  "$BIN" --db "$1" --today $TODAY import reasons assets/reasons.csv >/dev/null
}
# Home, Receive, Put away, Pick, Count and Stock on a terminal without users (the built-in
# operator), after four receipts (12 jugs and 30 forks allocated to waiting lines, so the pick
# list has work; 24 mugs and 12 knives nobody waits for, so put-away has work).
demo "$WORK/open.db"
"$BIN" --db "$WORK/open.db" --today $TODAY receive "(01)09501101010772(30)12" "(01)09501102010146(30)30" \
  "(01)09501101010079(30)24(10)L2611" "(01)09501102010214(30)12" >/dev/null || true
# A short pick on the first pick task, so Count has an open count task.
"$BIN" --db "$WORK/open.db" --today $TODAY short SO-10011 1 --location OUT-4 --found 20 --reason NOT_FOUND >/dev/null || true
# Sign-in on a terminal with users; the last attempt was a wrong PIN.
demo "$WORK/users.db"
"$BIN" --db "$WORK/users.db" user add ana --role supervisor --pin 1111 >/dev/null
BACKFILL_PIN=1111 "$BIN" --db "$WORK/users.db" --operator ana user add bo --role receiver --pin 2222 >/dev/null
BACKFILL_PIN=1111 "$BIN" --db "$WORK/users.db" --operator ana user add carla --role picker --pin 3333 >/dev/null

# Sync on an enrolled terminal: backfilld serves the demo data; SYNC-01 and SYNC-02 both
# receive the same 12 jugs offline, claiming the lines that wait for them; SYNC-01 syncs
# first, so when SYNC-02's UI opens, its worker pushes and pulls the corrections of its cut
# claims into the inbox.
for kind in locations catalog inbound backorders; do
  "$SERVER_BIN" --db "$WORK/server.db" --today $TODAY import "$kind" "assets/demo/$kind.csv" >/dev/null
done
"$SERVER_BIN" --db "$WORK/server.db" --today $TODAY serve --listen tcp://127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SPID=$!
tries=0
until grep -q '^listening ' "$WORK/serve.out" 2>/dev/null; do
  tries=$((tries + 1))
  if [ $tries -gt 300 ] || ! kill -0 "$SPID" 2>/dev/null; then echo "backfilld did not start:" >&2; cat "$WORK/serve.err" >&2; exit 1; fi
  sleep 0.1
done
URL=$(sed -n 's/^listening //p' "$WORK/serve.out" | head -n 1)
for t in 01 02; do
  "$BIN" --db "$WORK/sync$t.db" --today $TODAY enroll --server "$URL" --device "SYNC-$t" \
    --token "$("$SERVER_BIN" --db "$WORK/server.db" device add "SYNC-$t")" >/dev/null
  "$BIN" --db "$WORK/sync$t.db" --today $TODAY receive "(01)09501101010772(30)12" >/dev/null
done
"$BIN" --db "$WORK/sync01.db" --today $TODAY sync >/dev/null

# scan TEXT SHOT: type TEXT + Return into the window as a wedge scanner does.
scan() {
  keys=$(printf '%s' "$1" | sed 's/./& /g; s/(/parenleft/g; s/)/parenright/g')
  xdotool search --sync --onlyvisible --name '^Backfill$' >/dev/null
  # Type only after the first frames settled (the first screenshot is written then): keys
  # queued behind a slow first frame prove no scanner speed (docs/wedge.md).
  tries=0
  while [ ! -s "$2" ] && [ $tries -lt 200 ]; do sleep 0.1; tries=$((tries + 1)); done
  xdotool mousemove 50 50
  # shellcheck disable=SC2086
  xdotool key --delay 5 $keys Return
}

# shot SIZE NAME START [SCAN]: the screen START of a copy of open.db, after SCAN typed into
# the window when given.
shot() {
  cp "$WORK/open.db" "$WORK/shot.db"
  rm -f "$OUT/$2-$1.png"
  if [ -z "${4:-}" ]; then
    "$BIN" --db "$WORK/shot.db" --today $TODAY --start "$3" --window "$1" --frames 6 --screenshot "$OUT/$2-$1.png"
  else
    "$BIN" --db "$WORK/shot.db" --today $TODAY --start "$3" --window "$1" --exit-after 4000 \
      --screenshot "$OUT/$2-$1.png" &
    UI=$!
    scan "$4" "$OUT/$2-$1.png"
    wait $UI
  fi
  rm -f "$WORK/shot.db" "$WORK/shot.db-wal" "$WORK/shot.db-shm"
}

for size in 480x800 1080x1920; do
  shot $size home home
  BACKFILL_PIN=0000 "$BIN" --db "$WORK/users.db" --today $TODAY --operator bo --window $size --frames 6 \
    --screenshot "$OUT/signin-$size.png"
  # Receive after a pallet label scanned in the window: the result band with its allocations.
  shot $size receive receive "(00)095011010000042001"
  shot $size putaway putaway
  shot $size pick pick
  shot $size count count
  # Stock after a product label scanned in the window: the product's card.
  shot $size stock stock "9501101010772"
  # Sync after the worker's first round (the screenshot at exit shows its outcome).
  cp "$WORK/sync02.db" "$WORK/shot.db"
  "$BIN" --db "$WORK/shot.db" --today $TODAY --start sync --window $size --exit-after 4000 --screenshot "$OUT/sync-$size.png"
  rm -f "$WORK/shot.db" "$WORK/shot.db-wal" "$WORK/shot.db-shm"
done
ls -l "$OUT"/*.png
