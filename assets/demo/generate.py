#!/usr/bin/env python3
"""Generate the Backfill demo data: catalog, locations, backorders, inbound and sample scans.

Deterministic (fixed seed, no clock): running it again rewrites the same bytes, so the output
is committed and the script is only needed to change the data. Usage:

    python3 assets/demo/generate.py            # writes next to this script
    python3 assets/demo/generate.py --out DIR

Every GTIN, case GTIN and SSCC carries a GS1 mod-10 check digit (GS1 General Specifications
7.9.1). The company prefixes 9501101..9501105 are made up for the demo (GTIN-13s starting
with 950 are GS1's own range; these numbers belong to nobody's products).
"""

import argparse
import csv
import io
import os
import random

SEED = 20261128
GS = "\x1d"


def check_digit(data: str) -> str:
    """GS1 General Specifications 7.9.1: weights 3,1,3,... from the rightmost data digit."""
    total = 0
    for i, c in enumerate(reversed(data)):
        total += int(c) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def gtin13(prefix: str, item: int) -> str:
    body = prefix + f"{item:0{12 - len(prefix)}d}"
    return body + check_digit(body)


def case_gtin14(indicator: int, each13: str) -> str:
    # GS1 General Specifications 3.3.2: a trade item grouping's GTIN-14 is indicator digit
    # (1-8) + the first 12 digits of the contained item's GTIN-13 + a new check digit.
    body = str(indicator) + each13[:12]
    return body + check_digit(body)


def sscc(prefix: str, serial: int) -> str:
    # GS1 General Specifications 2.2.1: extension digit + company prefix + serial reference,
    # 17 digits, then the check digit.
    body = "0" + prefix + f"{serial:0{16 - len(prefix)}d}"
    assert len(body) == 17
    return body + check_digit(body)


def wrong_check(key: str) -> str:
    return key[:-1] + str((int(key[-1]) + 3) % 10)


# (sku prefix, company prefix, supplier, lead time days, [(description, case qty or 0)])
FAMILIES = [
    ("MUG", "9501101", "Keramik Westerwald GmbH", 14, [
        ("Stoneware mug 0.3 l, white", 6), ("Stoneware mug 0.3 l, slate grey", 6),
        ("Stoneware mug 0.4 l, ocean blue", 6), ("Espresso cup 90 ml with saucer", 12),
        ("Latte glass 0.3 l, double wall", 6), ("Porcelain teapot 1.2 l", 0),
        ("Cereal bowl 16 cm, matt sand", 6), ("Dinner plate 27 cm, white", 12),
        ("Dessert plate 21 cm, white", 12), ("Serving platter 36 x 24 cm", 0),
        ("Milk jug 0.25 l", 0), ("Sugar bowl with lid", 0),
        ("Pasta bowl 23 cm, white", 6), ("Tumbler 0.25 l, tempered glass", 24),
    ]),
    ("CUT", "9501102", "Nordic Steelworks AB", 21, [
        ("Table knife 18/10, brushed", 24), ("Table fork 18/10, brushed", 24),
        ("Tablespoon 18/10, brushed", 24), ("Teaspoon 18/10, brushed", 24),
        ("Chef's knife 8\" (20 cm), forged", 0), ("Bread knife 9\" serrated", 0),
        ("Paring knife 3.5\"", 0), ("Steak knife set, 6 pieces", 0),
        ("Cutlery tray, bamboo, 5 compartments", 0), ("Kitchen scissors, stainless", 0),
        ("Cake server, stainless", 0), ("Soup ladle, stainless, 0.1 l", 0),
    ]),
    ("TEX", "9501103", "Lindenthal Textil KG", 10, [
        ("Tea towel 50 x 70 cm, linen, natural", 12), ("Tea towel 50 x 70 cm, linen, red check", 12),
        ("Apron, cotton canvas, charcoal", 0), ("Oven glove, heat resistant to 250 \u00b0C", 0),
        ("Table napkin 40 x 40 cm, white", 12), ("Tablecloth 140 x 240 cm, white damask", 0),
        ("Placemat, woven, grey", 6), ("Bath towel 70 x 140 cm, anthracite", 0),
        ("Hand towel 50 x 100 cm, anthracite", 0), ("Bath mat 50 x 80 cm", 0),
        ("Chef's jacket, white, size L", 0), ("Bar towel, striped, 10-pack", 0),
    ]),
    ("STA", "9501104", "Papeterie Dupont SA", 7, [
        ("Ballpoint pen, blue, retractable", 0), ("Gel pen 0.5 mm, black", 0),
        ("Notebook A5, dotted, 96 sheets", 0), ("Notebook A4, squared, 80 sheets", 0),
        ("Sticky notes 76 x 76 mm, yellow, 12 pads", 0), ("Lever arch file A4, 80 mm, blue", 0),
        ("Stapler, 25 sheets", 0), ("Staples 24/6, box of 1000", 0),
        ("Highlighter set, 4 colours", 0), ("Packing tape 48 mm x 66 m, brown", 0),
        ("Shipping labels 100 x 150 mm, roll of 500", 0), ("Permanent marker, black", 0),
    ]),
    ("CLN", "9501105", "CleanPro Supplies Ltd", 5, [
        ("Dish soap 1 l, lemon", 0), ("All-purpose cleaner 750 ml spray", 0),
        ("Microfibre cloth 40 x 40 cm, 5-pack", 0), ("Sponge scourer, 10-pack", 0),
        ("Nitrile gloves size M, box of 100", 0), ("Nitrile gloves size L, box of 100", 0),
        ("Bin bags 60 l, roll of 20", 0), ("Hand soap refill 1 l", 0),
        ("Paper towels, 2-ply, 4 rolls", 0), ("Glass cleaner 500 ml", 0),
        ("Floor cleaner concentrate 5 l", 0), ("Mop head, cotton, 400 g", 0),
    ]),
]

# Case GTINs beyond the ones marked above, so that about 20 products have one.
EXTRA_CASES = {"STA-0103": 12, "STA-0108": 24, "CLN-0101": 6, "CLN-0105": 12, "CLN-0109": 6}

CUSTOMERS = [
    # (name, email, usual priority)
    ("Nordlicht Hotels", "purchasing@nordlicht-hotels.example", 1),
    ("Caf\u00e9 Rosa", "orders@cafe-rosa.example", 0),
    ("M\u00fcller & S\u00f6hne KG", "einkauf@mueller-soehne.example", 0),
    ("Harbour View Restaurant", "kitchen@harbourview.example", 0),
    ("St. Anna Hospital", "supply@st-anna.example", 5),
    ("Blue Fern Catering", "ops@bluefern.example", 1),
    ("Atelier Lumi\u00e8re", "contact@atelier-lumiere.example", 0),
    ("Greenway Offices Ltd", "facilities@greenway.example", 0),
    ("Pension Alpenblick", "info@alpenblick.example", 0),
    ("Campus Canteen North", "canteen-north@campus.example", 1),
    ("Kiosk am Markt", "kiosk.markt@example.com", 0),
    ("Stadtwerke Facility Services", "fm@stadtwerke.example", 0),
]


def build_catalog(rng):
    products = []
    for prefix, company, supplier, lead, items in FAMILIES:
        for i, (description, case_qty) in enumerate(items, start=1):
            sku = f"{prefix}-{100 + i:04d}"
            gtin = gtin13(company, 1000 + i * 7)
            case_qty = case_qty or EXTRA_CASES.get(sku, 0)
            case = ""
            if case_qty:
                indicator = {6: 1, 12: 2, 24: 3}[case_qty]
                case = case_gtin14(indicator, gtin)
            products.append({
                "sku": sku, "description": description, "gtin": gtin, "case_gtin": case,
                "case_qty": case_qty or "", "safety_stock": rng.choice([0, 0, 5, 10, 12, 20, 24, 30]),
                "lead_time_days": lead + rng.choice([-2, 0, 0, 3]), "supplier": supplier,
            })
    return products


def build_locations():
    rows = [("DOCK-1", "receiving", 1), ("DOCK-2", "receiving", 2)]
    seq = 100
    # Pick path: aisles A-C in a serpentine, bays 01-04, levels 01-02.
    for a, aisle in enumerate("ABC"):
        bays = range(1, 5) if a % 2 == 0 else range(4, 0, -1)
        for bay in bays:
            for level in (1, 2):
                rows.append((f"{aisle}-{bay:02d}-{level:02d}", "storage", seq))
                seq += 10
    for lane in range(1, 5):
        rows.append((f"OUT-{lane}", "staging", 900 + lane))
    rows.append(("QUARANTINE", "quarantine", 999))
    return rows


def build_backorders(rng, products):
    skus = [p["sku"] for p in products]
    # Demand concentrates on about 45 products; the rest have none.
    wanted = rng.sample(skus, 45)
    lines = []
    order_no = 10001
    while len(lines) < 212:
        name, email, usual = CUSTOMERS[rng.randrange(len(CUSTOMERS))]
        day = rng.randint(1, 27)
        hour, minute = rng.randint(7, 17), rng.choice([0, 5, 12, 20, 30, 41, 45, 58])
        # Mix both accepted forms: a date (00:00 UTC) and a time with a zone.
        if rng.random() < 0.3:
            ordered = f"2026-11-{day:02d}"
        elif rng.random() < 0.5:
            ordered = f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00Z"
        else:
            ordered = f"2026-11-{day:02d}T{hour:02d}:{minute:02d}+01:00"
        promised = ""
        if rng.random() < 0.3:
            promised = f"2026-12-{rng.randint(3, 23):02d}"
        priority = usual
        if rng.random() < 0.05:
            priority = 5  # an urgent order from anyone
        n = rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6])
        for line, sku in enumerate(rng.sample(wanted, n), start=1):
            qty = rng.choice([1, 2, 2, 3, 4, 5, 6, 6, 8, 10, 12, 12, 24])
            lines.append({
                "order_id": f"SO-{order_no}", "line": line, "customer": name, "email": email,
                "sku": sku, "qty": qty, "priority": priority if priority else rng.choice(["", "0"]),
                "ordered_at": ordered, "promised_at": promised,
            })
        order_no += rng.randint(1, 3)
    return lines, wanted


def build_inbound(rng, products, backorders, wanted):
    by_sku = {p["sku"]: p for p in products}
    demand = {}
    for o in backorders:
        demand[o["sku"]] = demand.get(o["sku"], 0) + o["qty"]
    # The eight least-covered groups: out of stock (no inbound at all), partly covered (some
    # lines get an ETA, the rest stay out of stock), fully covered (every line gets an ETA).
    shuffled = sorted(demand)  # products somebody waits for
    rng.shuffle(shuffled)
    uncovered = set(shuffled[:7])
    partial = set(shuffled[7:15])
    rows = []

    # ASNs: pallets with SSCCs arriving first, 2-4 product lines each, one supplier per ASN
    # (the three suppliers with the most fully covered products ship on pallets).
    pallet_serial = 4200
    asn_no = 7001
    covered = [s for s in shuffled[15:]]
    pool = {}
    for sku in covered:
        pool.setdefault(by_sku[sku]["supplier"], []).append(sku)
    shippers = sorted(pool, key=lambda sup: (-len(pool[sup]), sup))[:3]
    pallets = []
    for supplier, asn_pallets, eta in ((shippers[0], 2, "2026-12-01"), (shippers[1], 2, "2026-12-02"),
                                       (shippers[2], 1, "2026-12-04")):
        asn = f"ASN-{asn_no}"
        asn_no += 1
        for _ in range(asn_pallets):
            n = min(rng.choice([2, 3, 4]), len(pool[supplier]))
            if n < 2:
                break
            contents, pool[supplier] = pool[supplier][:n], pool[supplier][n:]
            code = sscc("9501101", pallet_serial)
            pallet_serial += rng.randint(1, 9)
            pallets.append((asn, code, contents))
            for sku in contents:
                qty = demand[sku] + rng.choice([0, 6, 12, 24])
                rows.append({"inbound_id": asn, "supplier": supplier, "sku": sku, "qty": qty,
                             "eta": eta, "sscc": code})
    # Purchase orders without SSCCs for the rest of the covered products, and the partly
    # covered ones at half their demand; a few products with no demand get replenishment.
    po_no = 4501
    remaining = [s for s in shuffled[15:] if s not in {c for _, _, cs in pallets for c in cs}]
    idle = [p["sku"] for p in products if p["sku"] not in demand]
    plan = [(s, demand[s] + rng.choice([0, 12])) for s in remaining]
    plan += [(s, max(1, demand[s] // 2)) for s in sorted(partial)]
    plan += [(s, rng.choice([24, 48, 60])) for s in rng.sample(idle, 6)]
    rng.shuffle(plan)
    by_supplier = {}
    for sku, qty in plan:
        by_supplier.setdefault(by_sku[sku]["supplier"], []).append((sku, qty))
    for supplier in sorted(by_supplier):
        items = by_supplier[supplier]
        # Split a supplier's lines over one or two POs with different ETAs.
        cut = len(items) // 2 if len(items) > 3 else len(items)
        for chunk in (items[:cut], items[cut:]):
            if not chunk:
                continue
            po = f"PO-{po_no}"
            po_no += 1
            eta = f"2026-12-{rng.randint(7, 22):02d}"
            for sku, qty in chunk:
                rows.append({"inbound_id": po, "supplier": supplier, "sku": sku, "qty": qty,
                             "eta": eta, "sscc": ""})
    return rows, pallets, sorted(uncovered), sorted(partial)


def build_scans(rng, products, pallets):
    """Sample scans and what each one means; the README lists them in this order."""
    with_case = [p for p in products if p["case_gtin"]]
    plain = rng.sample(products, 6)
    scans = []
    for p in plain:
        scans.append((p["gtin"], f"EAN-13 of {p['sku']}: 1 unit"))
    c1, c2, c3 = rng.sample(with_case, 3)
    lot1, lot2 = "L2611A", "B7734"
    scans.append((f"]C1" + "01" + c1["case_gtin"] + "10" + lot1 + GS + "17" + "270630",
                  f"GS1-128, raw GS after the lot: case of {c1['sku']} ({c1['case_qty']} units), lot {lot1}, expiry 2027-06-30"))
    scans.append((f"]C1" + "01" + c2["case_gtin"] + "17" + "271200" + "10" + lot2,
                  f"GS1-128, lot last (no GS needed): case of {c2['sku']} ({c2['case_qty']} units), lot {lot2}, expiry 2027-12-31 (DD=00)"))
    scans.append((f"]d2" + "01" + c3["case_gtin"] + "10" + "X9" + GS + "17" + "280115",
                  f"GS1 DataMatrix: case of {c3['sku']} ({c3['case_qty']} units), lot X9, expiry 2028-01-15"))
    scans.append((f"(01){c1['case_gtin']}(10){lot1}(17)270630",
                  f"bracketed form of the first GS1-128 scan: case of {c1['sku']}"))
    p = plain[0]
    scans.append((f"(01)0{p['gtin']}(30)12", f"(01)+(30): 12 units of {p['sku']}"))
    scans.append((f"]C1" + "01" + c2["case_gtin"] + "30" + "3",
                  f"(01)+(30) on a case GTIN: 3 cases of {c2['sku']} = {3 * c2['case_qty']} units"))
    scans.append((f"(02)0{c3['gtin']}(37)48",
                  f"(02)+(37): 48 units of {c3['sku']} (contained GTIN)"))
    asn, code, contents = pallets[0]
    scans.append((f"]C1" + "00" + code, f"SSCC of the pallet announced by {asn} ({', '.join(contents)})"))
    scans.append((f"(00){code}", "the same pallet in bracketed form (a second receipt is a duplicate)"))
    bad = plain[1]
    scans.append((wrong_check(bad["gtin"]), f"EAN-13 of {bad['sku']} with a wrong check digit: rejected"))
    scans.append((f"(01){wrong_check(c1['case_gtin'])}(10){lot1}",
                  f"case GTIN of {c1['sku']} with a wrong check digit: rejected"))
    scans.append(("A-01-01", "location code (a storage bin)"))
    scans.append((f"https://id.example.com/01/0{plain[2]['gtin']}/10/LOT7?17=270630",
                  f"GS1 Digital Link: {plain[2]['sku']}, lot LOT7, expiry 2027-06-30"))
    return scans


def project(backorders, inbound):
    """Line states with no stock on hand (issue 2, projected ETA): the open inbound of a
    product, in (eta, inbound_id, file row) order, goes to the waiting lines in allocation
    order (priority high first, promised_at early first and none last, ordered_at, order_id,
    line); a line's ETA is that of the inbound line completing it. Gives (backordered, out of
    stock) counts for the README."""
    from datetime import datetime, timezone

    def instant(text):
        if len(text) == 10:
            text += "T00:00Z"
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)

    def key(o):
        promised = o["promised_at"]
        return (-int(o["priority"] or 0), promised == "", instant(promised) if promised else 0,
                instant(o["ordered_at"]), o["order_id"].encode(), o["line"])

    supply = {}
    for row, r in enumerate(inbound, start=1):
        supply.setdefault(r["sku"], []).append((r["eta"], r["inbound_id"].encode(), row, r["qty"]))
    backordered = out_of_stock = 0
    for sku in sorted({o["sku"] for o in backorders}):
        queue = sorted(supply.get(sku, []))
        left = [q[3] for q in queue]
        i = 0
        for o in sorted((o for o in backorders if o["sku"] == sku), key=key):
            need = o["qty"]
            while need and i < len(queue):
                take = min(need, left[i])
                need -= take
                left[i] -= take
                if left[i] == 0:
                    i += 1
            if need == 0:
                backordered += 1
            else:
                out_of_stock += 1
    return backordered, out_of_stock


def csv_text(header, rows):
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return out.getvalue()


README = """# Demo data

Generated by `generate.py` (fixed seed {seed}; `python3 assets/demo/generate.py` rewrites
these files byte for byte). Column meanings and every import rule: `docs/import.md`. The demo
is set on 2026-11-28 (`--today 2026-11-28`): orders were placed in November 2026, inbound is
due in December 2026.

| File | Rows | What |
|---|---|---|
| `catalog.csv` | {n_products} | products in five families (tableware, cutlery, textiles, stationery, cleaning), GTIN-13s with made-up company prefixes 9501101-9501105; {n_cases} have a case GTIN-14 (indicator 1 = 6, 2 = 12, 3 = 24 units); safety stock and lead times |
| `locations.csv` | {n_locations} | DOCK-1, DOCK-2 (receiving), bins A-01-01 ... C-04-02 (storage, sequence = serpentine pick path), OUT-1 ... OUT-4 (staging), QUARANTINE |
| `backorders.csv` | {n_lines} | waiting order lines of {n_orders} orders from {n_customers} customers; priorities 0, 1 and 5 (empty = 0); `ordered_at` as a date or a time with a zone; some with `promised_at` |
| `inbound.csv` | {n_inbound} | {n_asns} ASNs with {n_pallets} SSCC pallets (2-4 product lines each, ETA 1-4 Dec) and {n_pos} purchase orders without SSCC (ETA 7-22 Dec) |
| `scans.txt` | {n_scans} | sample scans, one per line (raw GS bytes, 0x1D, where a GS1 element string needs them) |

Coverage, so that both waiting states show up:
- out of stock (waiting, no inbound at all): {uncovered};
- partly covered (inbound for about half the demand: the lines that come first in allocation
  order and fit get an ETA, the rest are out of stock): {partial};
- every other ordered product is covered in full by a pallet or a purchase order;
- a few products without orders get replenishment on purchase orders.

With nothing on hand, {n_backordered} of the {n_lines} lines are `backordered` (an ETA) and
{n_out_of_stock} are `out_of_stock`.

The pallets (SSCC, inbound, products):
{pallet_list}

## scans.txt, line by line
`GS` stands for the byte 0x1D, which the file holds raw.

| Line | Scan | Meaning |
|---|---|---|
{scan_table}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()
    rng = random.Random(SEED)

    products = build_catalog(rng)
    locations = build_locations()
    backorders, wanted = build_backorders(rng, products)
    inbound, pallets, uncovered, partial = build_inbound(rng, products, backorders, wanted)
    scans = build_scans(rng, products, pallets)

    files = {
        "catalog.csv": csv_text(
            ["sku", "description", "gtin", "case_gtin", "case_qty", "safety_stock", "lead_time_days"], products),
        "locations.csv": csv_text(["code", "kind", "sequence"],
                                  [{"code": c, "kind": k, "sequence": s} for c, k, s in locations]),
        "backorders.csv": csv_text(
            ["order_id", "line", "customer", "email", "sku", "qty", "priority", "ordered_at", "promised_at"],
            backorders),
        "inbound.csv": csv_text(["inbound_id", "supplier", "sku", "qty", "eta", "sscc"], inbound),
        "scans.txt": "".join(s + "\n" for s, _ in scans),
    }

    def cell(s):
        return "`" + s.replace(GS, "<GS>").replace("|", "\\|") + "`"

    n_backordered, n_out_of_stock = project(backorders, inbound)
    files["README.md"] = README.format(
        n_backordered=n_backordered, n_out_of_stock=n_out_of_stock,
        seed=SEED, n_products=len(products), n_cases=sum(1 for p in products if p["case_gtin"]),
        n_locations=len(locations), n_lines=len(backorders),
        n_orders=len({o["order_id"] for o in backorders}), n_customers=len({o["customer"] for o in backorders}),
        n_inbound=len(inbound), n_asns=len({a for a, _, _ in pallets}), n_pallets=len(pallets),
        n_pos=len({r["inbound_id"] for r in inbound if r["inbound_id"].startswith("PO-")}),
        n_scans=len(scans), uncovered=", ".join(uncovered), partial=", ".join(partial),
        pallet_list="\n".join(f"- `{code}` ({asn}): {', '.join(contents)}" for asn, code, contents in pallets),
        scan_table="\n".join(f"| {i} | {cell(s)} | {m} |" for i, (s, m) in enumerate(scans, start=1)),
    )
    for name, text in files.items():
        with open(os.path.join(args.out, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)


if __name__ == "__main__":
    main()
