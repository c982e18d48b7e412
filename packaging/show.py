#!/usr/bin/env python3
"""show.py: print backfill's JSON output as short lines a person reads (demo only)."""
import collections
import json
import sys


def receipts(lines):
    for raw in lines:
        r = json.loads(raw)
        if not r["ok"]:
            print(f"  REFUSED {r['scan']!r}: {r['code']}: {r['error']}")
            continue
        where = ", ".join(
            f"{a['qty']} to {a['order_id']}/{a['line']} stage at {a['stage'] or '-'}" for a in r["allocations"])
        extra = f" LOT {r['lot']}" if r["lot"] else ""
        extra += f" EXP {r['expiry']}" if r["expiry"] else ""
        over = f" (over-receipt {r['over_receipt']})" if r.get("over_receipt") else ""
        print(f"  {r['qty']:>4} x {r['sku']}{extra} at {r['location']}: "
              f"{where + '; ' if where else ''}{r['to_stock']} to stock{over}")


def stock(lines):
    rows = json.loads("".join(lines))
    shown = [r for r in rows if r["on_hand"] or r["allocated"]]
    for r in shown:
        print(f"  {r['sku']:<10} on hand {r['on_hand']:>5}  allocated {r['allocated']:>5}  free {r['free']:>5}")
    print(f"  ({len(rows)} products, {len(rows) - len(shown)} with no stock)")


def backorders(lines):
    rows = json.loads("".join(lines))
    states = collections.Counter(r["state"] for r in rows)
    print("  " + ", ".join(f"{n} {s}" for s, n in sorted(states.items())))
    for r in rows[:12]:
        eta = f"ETA {r['eta']}" if r["eta"] else ""
        print(f"  {r['order_id']}/{r['line']:<3} {r['sku']:<10} qty {r['qty']:>4} alloc {r['allocated']:>4} "
              f"picked {r['picked']:>4}  {r['state']} {eta}")
    if len(rows) > 12:
        print(f"  ... {len(rows) - 12} more (backfill backorders prints them all as JSON)")


def replenish(lines):
    rows = json.loads("".join(lines))
    due = [r for r in rows if r["suggested_qty"] > 0]
    # Most urgent first: furthest below the reorder point.
    due.sort(key=lambda r: (r["projected"] - r["reorder_point"], r["sku"]))
    for r in due[:8]:
        print(f"  {r['sku']:<10} projected {r['projected']:>5}  reorder point {r['reorder_point']:>4}  "
              f"demand {r['daily_demand']:>5}/day  order {r['suggested_qty']:>4} from {r['supplier'] or '(no supplier)'} "
              f"({r['lead_time_days']} days)")
    print(f"  ({len(due)} of {len(rows)} products to reorder; the {min(8, len(due))} furthest below their reorder point shown)")


{"receipts": receipts, "stock": stock, "backorders": backorders, "replenish": replenish}[sys.argv[1]](sys.stdin.readlines())
