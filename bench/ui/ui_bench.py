#!/usr/bin/env python3
"""ui_bench.py: the touch terminal beside a bare Dear ImGui + GLFW window (issue 12;
bench/README.md, "Touch terminal"). Both run under one Xvfb, one after the other, alternating:

- idle: each program starts, is left alone for --warm-ms, then its CPU time (utime + stime
  from /proc/PID/stat) is read over --idle-ms and its resident memory (VmRSS) at the end;
- frames: each draws --frames frames without waiting (`backfill --frames N --stats`,
  `bench_ui_bare --frames N`) and reports its mean frame time;
- scan to screen: xdotool types --scans GTINs like a scanner (2 ms a key, then Return, 300 ms
  apart) into `backfill --start receive`; each receipt is committed and its decision drawn,
  and the terminal reports, per scan, the time from the Return key's arrival to the swap of
  the frame that drew it (`--stats`, scan_to_drawn_ms). The same keys typed into the bare
  window give its Return-to-swap time, the limit.

- Stock card: `backfill --start stock --frames 1000000 --exit-after MS --stats` on a second
  database (the same catalog plus two products whose lots were received with
  `backfill receive --location Q-1 -`: one with --card-rows lots, one with
  --card-control-rows), so the loop draws without waiting. xdotool types the product's GTIN
  like a scanner, which opens its card; then the card is left alone (static), scrolled with
  the mouse wheel over the list (xdotool click 5, every 50 ms) and scrolled through from
  top to bottom by dragging the list's scrollbar. `--stats` lists each frame's time and the
  steady clock at its swap (frame_ms, frame_end_s; CLOCK_MONOTONIC, as time.monotonic()), so
  each phase takes the frames that ended inside it. The bare window's median frame over
  --frames frames, in the same repetition, is the limit.

`backfill` opens Home on a terminal database holding --products products (imported with
`backfill import catalog` from a generated CSV), so its memory holds what a large catalog
costs. Prints medians, and each figure as a ratio of the bare window's.

Usage: ui_bench.py --backfill BIN --bare BIN [--work DIR] [--products 100000] [--reps 5]
                   [--warm-ms 3000] [--idle-ms 5000] [--frames 300] [--scans 20]
                   [--card-rows 100000] [--card-control-rows 100] [--phase-ms 3000]
                   [--only-card]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time


def check_digit(data):
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(data)))
    return str((10 - total % 10) % 10)


def catalog_csv(path, products):
    with open(path, "w") as f:
        f.write("sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\n")
        for n in range(products):
            body = "400638%06d" % n
            f.write("UI-%06d,Bench product %d,%s,,1,0,7\n" % (n, n, body + check_digit(body)))


def start_xvfb():
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1200x2000x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    while not number.endswith(b"\n"):
        chunk = os.read(read_fd, 16)
        if not chunk:
            raise SystemExit("ui_bench: Xvfb did not start")
        number += chunk
    os.close(read_fd)
    return xvfb, ":" + number.decode().strip()


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def idle_run(cmd, env, warm_ms, idle_ms):
    p = subprocess.Popen(cmd + ["--exit-after", str(warm_ms + idle_ms + 1500)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(warm_ms / 1000)
    t0, c0 = time.monotonic(), cpu_ticks(p.pid)
    time.sleep(idle_ms / 1000)
    t1, c1 = time.monotonic(), cpu_ticks(p.pid)
    rss = rss_kib(p.pid)
    _, err = p.communicate(timeout=60)
    if p.returncode != 0:
        raise SystemExit("ui_bench: %s exited %d: %s" % (cmd[0], p.returncode, err.decode()[-400:]))
    hz = os.sysconf("SC_CLK_TCK")
    return 100.0 * (c1 - c0) / hz / (t1 - t0), rss / 1024.0


def frame_run(cmd, env, frames, key="frame_ms_mean"):
    out = subprocess.run(cmd + ["--frames", str(frames)], env=env, capture_output=True, timeout=300)
    if out.returncode != 0:
        raise SystemExit("ui_bench: %s exited %d: %s" % (cmd[0], out.returncode, out.stderr.decode()[-400:]))
    last = [line for line in out.stdout.decode().splitlines() if line.startswith("{")][-1]
    return json.loads(last)[key]


def gtin_of(n):
    body = "400638%06d" % n
    return body + check_digit(body)


def typed_run(cmd, env, gtins):
    """Starts cmd, types each GTIN + Return into its window like a scanner, returns its JSON."""
    p = subprocess.Popen(cmd + ["--exit-after", str(3000 + 300 * len(gtins) + 2000)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "."], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=30)
    subprocess.run(["xdotool", "mousemove", "100", "100"], env=env, check=True)  # no WM: keys follow the pointer
    time.sleep(1.0)
    for g in gtins:
        subprocess.run(["xdotool", "key", "--delay", "2"] + list(g) + ["Return"], env=env, check=True)
        time.sleep(0.3)
    out, err = p.communicate(timeout=60)
    if p.returncode != 0:
        raise SystemExit("ui_bench: %s exited %d: %s" % (cmd[0], p.returncode, err.decode()[-400:]))
    return json.loads([line for line in out.decode().splitlines() if line.startswith("{")][-1])


# The Stock card's products: GTINs outside the catalog's 400638000000-400638099999 block.
CARD_GTIN = gtin_of(900001)
CONTROL_GTIN = gtin_of(900002)
TODAY = "2026-12-06"  # the receipts' lots expire 2028-01-31: none expired


def card_database(a, db, csv):
    """Builds the Stock card's database: the catalog, the two lot products, DOCK-1 and the
    quarantine location Q-1, and one receipt per lot through `backfill receive -`."""
    with open(csv) as f:
        catalog = f.read()
    card_csv = os.path.join(a.work, "card-catalog.csv")
    with open(card_csv, "w") as f:
        f.write(catalog)
        f.write("LOTS-BIG,Bench product with %d lots,%s,,1,0,7\n" % (a.card_rows, CARD_GTIN))
        f.write("LOTS-SMALL,Bench product with %d lots,%s,,1,0,7\n" % (a.card_control_rows, CONTROL_GTIN))
    subprocess.run([a.backfill, "--db", db, "import", "catalog", card_csv], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    locations = os.path.join(a.work, "card-locations.csv")
    with open(locations, "w") as f:
        f.write("code,kind,sequence\nDOCK-1,receiving,1\nQ-1,quarantine,2\n")
    subprocess.run([a.backfill, "--db", db, "import", "locations", locations], check=True, stdout=subprocess.DEVNULL)
    # Into quarantine: a receipt elsewhere runs the allocation, whose allocatableOnHand sums
    # every stock row of the product, so 100,000 lots would take over an hour to receive
    # (bench/README.md). The card draws a quarantined row like any other.
    lines = "".join("(01)0%s(10)L%06d(17)280131\n" % (CARD_GTIN, n) for n in range(a.card_rows))
    lines += "".join("(01)0%s(10)S%06d(17)280131\n" % (CONTROL_GTIN, n) for n in range(a.card_control_rows))
    received = subprocess.run([a.backfill, "--db", db, "--today", TODAY, "receive", "--location", "Q-1", "-"],
                              input=lines.encode(), capture_output=True)
    ok = received.stdout.decode().count('"ok":true')
    if received.returncode != 0 or ok != a.card_rows + a.card_control_rows:
        raise SystemExit("ui_bench: card receipts: %d of %d received: %s"
                         % (ok, a.card_rows + a.card_control_rows, received.stderr.decode()[-400:]))
    for sku, want in (("LOTS-BIG", a.card_rows), ("LOTS-SMALL", a.card_control_rows)):
        stock = subprocess.run([a.backfill, "--db", db, "--today", TODAY, "stock", "--sku", sku], capture_output=True,
                               check=True)
        rows = len(json.loads(stock.stdout)[0]["locations"])
        if rows != want:
            raise SystemExit("ui_bench: %s has %d location rows, expected %d" % (sku, rows, want))
    print("setup: card database: %d + %d lots received into Q-1" % (a.card_rows, a.card_control_rows))


def screenshot(env, path):
    subprocess.run(["import", "-window", "root", "-crop", "480x800+0+0", path], env=env, check=True)


def card_run(a, db, env, gtin, shots=None):
    """Opens the Stock card of gtin in `backfill` drawing without waiting, and returns
    {phase: [frame ms]} for static, wheel and drag, and the scan's time to the drawn card.
    With shots (a path prefix) it writes a PNG after each phase, outside the phases."""
    phase_s = a.phase_ms / 1000.0
    exit_ms = int(1000 * (3.0 + 1.5 + 3 * phase_s + 4.0)) + (3000 if shots else 0)
    p = subprocess.Popen([a.backfill, "--db", db, "--today", TODAY, "--stats", "--start", "stock",
                          "--frames", "1000000", "--exit-after", str(exit_ms)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "."], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=30)
    x_list, y_list = 240, 500  # over the card's list at 480x800 (no WM: keys follow the pointer)
    x_bar = 455                # on the list's scrollbar, right of its rows (x 442-470 at 28 px, 414-470 at 56)
    subprocess.run(["xdotool", "mousemove", str(x_list), str(y_list)], env=env, check=True)
    time.sleep(1.0)
    subprocess.run(["xdotool", "key", "--delay", "2"] + list(gtin) + ["Return"], env=env, check=True)
    typed = time.monotonic()
    time.sleep(1.5)  # the card's rows are read on the reader's worker (UiReader), not in a frame
    windows = {"open": (typed - 0.5, typed + 1.5)}
    t0 = time.monotonic()
    time.sleep(phase_s)
    windows["static"] = (t0, time.monotonic())
    if shots:
        screenshot(env, shots + "-static.png")
    t0 = time.monotonic()
    clicks = int(a.phase_ms / 50)
    subprocess.run(["xdotool", "click", "--repeat", str(clicks), "--delay", "50", "5"], env=env, check=True)
    windows["wheel"] = (t0, time.monotonic())
    if shots:
        screenshot(env, shots + "-wheel.png")
    # Drag the scrollbar from the list's top to below its end (ImGui puts the grab where a
    # track is pressed and keeps the drag while the button is held; past the end it clamps).
    steps = 100
    y_top, y_end = 300, 730
    subprocess.run(["xdotool", "mousemove", str(x_bar), str(y_top), "mousedown", "1"], env=env, check=True)
    t0 = time.monotonic()
    for i in range(1, steps + 1):
        subprocess.run(["xdotool", "mousemove", str(x_bar), str(y_top + (y_end - y_top) * i // steps)], env=env, check=True)
        time.sleep(max(0.0, t0 + phase_s * i / steps - time.monotonic()))
    windows["drag"] = (t0, time.monotonic())
    subprocess.run(["xdotool", "mouseup", "1"], env=env, check=True)
    if shots:
        screenshot(env, shots + "-drag.png")
    out, err = p.communicate(timeout=120)
    if p.returncode != 0:
        raise SystemExit("ui_bench: backfill exited %d: %s" % (p.returncode, err.decode()[-400:]))
    report = json.loads([line for line in out.decode().splitlines() if line.startswith("{")][-1])
    if report["screen"] != "stock" or len(report["scan_to_drawn_ms"]) != 1:
        raise SystemExit("ui_bench: the card did not open: %s" % {k: report[k] for k in ("screen", "scan_to_drawn_ms")})
    # open_ms: Return to the swap of the scan's frame ("Reading ..."); read_ms: the card's
    # read on the worker, submit to result (the card is drawn in the next frame after it).
    result = {"open_ms": report["scan_to_drawn_ms"][0], "read_ms": max(report.get("read_ms") or [0.0])}
    for name, (begin, end) in windows.items():
        result[name] = [ms for ms, at in zip(report["frame_ms"], report["frame_end_s"]) if begin <= at <= end]
        if len(result[name]) < 10:
            raise SystemExit("ui_bench: only %d frames in the %s phase" % (len(result[name]), name))
    return result


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backfill", required=True)
    ap.add_argument("--bare", required=True)
    ap.add_argument("--work", default="/tmp/backfill-bench-ui")
    ap.add_argument("--products", type=int, default=100000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warm-ms", type=int, default=3000)
    ap.add_argument("--idle-ms", type=int, default=5000)
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--scans", type=int, default=20)
    ap.add_argument("--card-rows", type=int, default=100000, help="0: no Stock card runs")
    ap.add_argument("--card-control-rows", type=int, default=100)
    ap.add_argument("--phase-ms", type=int, default=3000)
    ap.add_argument("--only-card", action="store_true", help="the bare window's frames and the Stock card only")
    a = ap.parse_args()

    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    db = os.path.join(a.work, "terminal.db")
    csv = os.path.join(a.work, "catalog.csv")
    catalog_csv(csv, a.products)
    imported = subprocess.run([a.backfill, "--db", db, "import", "catalog", csv], capture_output=True)
    if imported.returncode != 0:
        raise SystemExit("ui_bench: import failed: " + imported.stderr.decode()[-400:])
    print("setup: %d products imported: %s" % (a.products, imported.stdout.decode().strip()))
    locations = os.path.join(a.work, "locations.csv")
    with open(locations, "w") as f:
        f.write("code,kind,sequence\nDOCK-1,receiving,1\n")
    subprocess.run([a.backfill, "--db", db, "import", "locations", locations], check=True, stdout=subprocess.DEVNULL)

    card_db = os.path.join(a.work, "card.db")
    if a.card_rows:
        card_database(a, card_db, csv)

    xvfb, display = start_xvfb()
    env = dict(os.environ, DISPLAY=display)
    terminal = [a.backfill, "--db", db, "--stats"]
    bare = [a.bare]
    cpu = {"bare": [], "backfill": []}
    rss = {"bare": [], "backfill": []}
    frame = {"bare": [], "backfill": []}
    latency = {"bare": [], "backfill": []}
    bare_median = []
    cards = {"big": [], "small": []}
    try:
        for rep in range(a.reps if a.card_rows else 0):
            bare_median.append(frame_run(bare, env, a.frames, "frame_ms_median"))
            for name, gtin in (("big", CARD_GTIN), ("small", CONTROL_GTIN)):
                shots = os.path.join(a.work, "card-%s" % name) if rep == 0 else None
                cards[name].append(card_run(a, card_db, env, gtin, shots))
            print("rep %d: bare median frame %.3f ms; card of %d rows median static %.3f wheel %.3f drag %.3f ms "
                  "(%d/%d/%d frames), opened in %.0f ms; card of %d rows static %.3f wheel %.3f drag %.3f ms"
                  % (rep + 1, bare_median[-1], a.card_rows,
                     *(statistics.median(cards["big"][-1][k]) for k in ("static", "wheel", "drag")),
                     *(len(cards["big"][-1][k]) for k in ("static", "wheel", "drag")), cards["big"][-1]["open_ms"],
                     a.card_control_rows, *(statistics.median(cards["small"][-1][k]) for k in ("static", "wheel", "drag"))))
            print("rep %d: while the card of %d rows opened: worst frame %.3f ms; its read took %.1f ms on the worker"
                  % (rep + 1, a.card_rows, max(cards["big"][-1]["open"]), cards["big"][-1]["read_ms"]))
        for rep in range(0 if a.only_card else a.reps):
            for name, cmd in (("bare", bare), ("backfill", terminal)):
                c, r = idle_run(cmd, env, a.warm_ms, a.idle_ms)
                cpu[name].append(c)
                rss[name].append(r)
                frame[name].append(frame_run(cmd, env, a.frames))
            print("rep %d: idle CPU %% bare %.2f backfill %.2f; RSS MiB bare %.1f backfill %.1f; frame ms bare %.3f backfill %.3f"
                  % (rep + 1, cpu["bare"][-1], cpu["backfill"][-1], rss["bare"][-1], rss["backfill"][-1],
                     frame["bare"][-1], frame["backfill"][-1]))
        for rep in range(0 if a.only_card else a.reps):
            gtins = [gtin_of((rep * a.scans + i) * 7 % a.products) for i in range(a.scans)]
            keys = typed_run(bare, env, gtins)["key_to_drawn_ms"]
            scans = typed_run(terminal + ["--start", "receive"], env, gtins)["scan_to_drawn_ms"]
            latency["bare"] += keys
            latency["backfill"] += scans
            print("rep %d: %d of %d scans drawn by backfill, %d Return keys by the bare window"
                  % (rep + 1, len(scans), a.scans, len(keys)))
    finally:
        xvfb.terminate()
        xvfb.wait()

    print()
    if a.card_rows:
        bm = statistics.median(bare_median)
        print("%-44s %10s %10s %10s %10s" % ("Stock card, medians of %d runs" % a.reps, "bare", "frame ms", "ratio", "p99 / max"))
        for name, rows in (("big", a.card_rows), ("small", a.card_control_rows)):
            for phase in ("open", "static", "wheel", "drag"):
                medians = [statistics.median(r[phase]) for r in cards[name]]
                every = [ms for r in cards[name] for ms in r[phase]]
                m = statistics.median(medians)
                print("%-44s %10.3f %10.3f %10.2f %4.2f / %.2f" % ("%d rows, %s (%d frames)" % (rows, phase, len(every)), bm, m,
                                                                    m / bm, percentile(every, 0.99), max(every)))
            print("%-44s %10s %10.1f" % ("%d rows, scan to its frame drawn, ms" % rows, "",
                                         statistics.median([r["open_ms"] for r in cards[name]])))
            print("%-44s %10s %10.1f" % ("%d rows, card read on the worker, ms" % rows, "",
                                         statistics.median([r["read_ms"] for r in cards[name]])))
        print("(per run: the median of the frames that ended in the phase; p99 and max over every run's frames)")
        print()
    if a.only_card:
        return 0
    med = {k: {n: statistics.median(v[n]) for n in v} for k, v in (("cpu", cpu), ("rss", rss), ("frame", frame))}
    print("%-34s %10s %10s %10s" % ("median of %d runs" % a.reps, "bare", "backfill", "ratio"))
    print("%-34s %10.2f %10.2f %10s" % ("idle CPU, % of one core", med["cpu"]["bare"], med["cpu"]["backfill"],
                                          "goal <= 1"))
    print("%-34s %10.1f %10.1f %+10.1f" % ("resident memory, MiB", med["rss"]["bare"], med["rss"]["backfill"],
                                           med["rss"]["backfill"] - med["rss"]["bare"]))
    print("%-34s %10.3f %10.3f %10.2f" % ("frame time (Home), ms", med["frame"]["bare"], med["frame"]["backfill"],
                                          med["frame"]["backfill"] / med["frame"]["bare"]))
    if latency["bare"] and latency["backfill"]:
        lb, lt = latency["bare"], latency["backfill"]
        print("%-34s %10.2f %10.2f %10.2f" % ("scan to screen, median ms", statistics.median(lb), statistics.median(lt),
                                              statistics.median(lt) / statistics.median(lb)))
        print("%-34s %10.2f %10.2f %10s" % ("scan to screen, p90 ms", percentile(lb, 0.9), percentile(lt, 0.9), ""))
        print("%-34s %10.2f %10.2f %10s" % ("scan to screen, max ms", max(lb), max(lt), "goal < 100"))
        print("(%d scans drawn by backfill, %d Return keys by the bare window)" % (len(lt), len(lb)))
    print("(RSS goal: backfill <= bare + 30 MiB; %d products in the terminal's database)" % a.products)


if __name__ == "__main__":
    sys.exit(main())
