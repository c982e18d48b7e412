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

`backfill` opens Home on a terminal database holding --products products (imported with
`backfill import catalog` from a generated CSV), so its memory holds what a large catalog
costs. Prints medians, and each figure as a ratio of the bare window's.

Usage: ui_bench.py --backfill BIN --bare BIN [--work DIR] [--products 100000] [--reps 5]
                   [--warm-ms 3000] [--idle-ms 5000] [--frames 300] [--scans 20]
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


def frame_run(cmd, env, frames):
    out = subprocess.run(cmd + ["--frames", str(frames)], env=env, capture_output=True, timeout=300)
    if out.returncode != 0:
        raise SystemExit("ui_bench: %s exited %d: %s" % (cmd[0], out.returncode, out.stderr.decode()[-400:]))
    last = [line for line in out.stdout.decode().splitlines() if line.startswith("{")][-1]
    return json.loads(last)["frame_ms_mean"]


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

    xvfb, display = start_xvfb()
    env = dict(os.environ, DISPLAY=display)
    terminal = [a.backfill, "--db", db, "--stats"]
    bare = [a.bare]
    cpu = {"bare": [], "backfill": []}
    rss = {"bare": [], "backfill": []}
    frame = {"bare": [], "backfill": []}
    latency = {"bare": [], "backfill": []}
    try:
        for rep in range(a.reps):
            for name, cmd in (("bare", bare), ("backfill", terminal)):
                c, r = idle_run(cmd, env, a.warm_ms, a.idle_ms)
                cpu[name].append(c)
                rss[name].append(r)
                frame[name].append(frame_run(cmd, env, a.frames))
            print("rep %d: idle CPU %% bare %.2f backfill %.2f; RSS MiB bare %.1f backfill %.1f; frame ms bare %.3f backfill %.3f"
                  % (rep + 1, cpu["bare"][-1], cpu["backfill"][-1], rss["bare"][-1], rss["backfill"][-1],
                     frame["bare"][-1], frame["backfill"][-1]))
        for rep in range(a.reps):
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

    med = {k: {n: statistics.median(v[n]) for n in v} for k, v in (("cpu", cpu), ("rss", rss), ("frame", frame))}
    print()
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
