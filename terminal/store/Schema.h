#pragma once
// The terminal database's numbered migrations. PRAGMA user_version holds how many have run;
// a new migration is appended, never edited.

#include <array>
#include <cstdint>
#include <string_view>

namespace backfill::store {

// kApplicationId marks a file as a Backfill terminal database (PRAGMA application_id,
// "BFTD"): set when the schema is created, checked before anything is written.
inline constexpr int64_t kApplicationId = 0x42465444;

inline constexpr std::array<std::string_view, 13> kMigrations{
    // 1: master data, ledger with derived stock, outbox, settings.
    R"sql(
CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE products(
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  gtin TEXT,
  case_gtin TEXT,
  case_qty INTEGER NOT NULL,
  safety_stock INTEGER NOT NULL,
  lead_time_days INTEGER NOT NULL,
  on_hand INTEGER NOT NULL DEFAULT 0,   -- derived: sum of stock
  allocated INTEGER NOT NULL DEFAULT 0  -- derived: sum of order_lines.allocated
);
-- Every GTIN a scan can carry, with the units it stands for (1 each, case_qty a case).
CREATE TABLE gtins(
  gtin TEXT PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id),
  units INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX gtins_product ON gtins(product_id);
CREATE TABLE locations(code TEXT PRIMARY KEY, kind TEXT NOT NULL, sequence INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE orders(
  order_id TEXT PRIMARY KEY,
  customer TEXT NOT NULL,
  email TEXT NOT NULL,
  stage TEXT,                       -- given at the order's first allocation
  open INTEGER NOT NULL DEFAULT 1   -- 0 once every line is picked or cancelled
) WITHOUT ROWID;
CREATE INDEX orders_stage ON orders(stage, open);
CREATE TABLE order_lines(
  id INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(order_id),
  line INTEGER NOT NULL,
  product_id INTEGER NOT NULL REFERENCES products(id),
  qty INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  ordered_at INTEGER NOT NULL,
  promised_at INTEGER,
  allocated INTEGER NOT NULL DEFAULT 0,
  picked INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  UNIQUE(order_id, line)
);
CREATE INDEX order_lines_waiting ON order_lines(product_id) WHERE cancelled = 0 AND qty > allocated + picked;
CREATE INDEX order_lines_product ON order_lines(product_id);
CREATE TABLE inbound_lines(
  id INTEGER PRIMARY KEY,           -- import order: the tie-break after eta and inbound_id
  inbound_id TEXT NOT NULL,
  supplier TEXT NOT NULL,
  product_id INTEGER NOT NULL REFERENCES products(id),
  qty INTEGER NOT NULL,
  eta INTEGER NOT NULL,             -- days since 1970-01-01
  sscc TEXT NOT NULL DEFAULT '',
  received INTEGER NOT NULL DEFAULT 0,
  UNIQUE(inbound_id, product_id, sscc)
);
CREATE INDEX inbound_loose ON inbound_lines(product_id, eta, inbound_id, id) WHERE sscc = '';
CREATE INDEX inbound_sscc ON inbound_lines(sscc) WHERE sscc <> '';
CREATE TABLE received_ssccs(sscc TEXT PRIMARY KEY, event_id INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE stock(
  product_id INTEGER NOT NULL,
  location TEXT NOT NULL,
  lot TEXT NOT NULL,
  qty INTEGER NOT NULL,
  PRIMARY KEY(product_id, location, lot)
) WITHOUT ROWID;
-- The append-only ledger. Stock and allocations above are derived from it.
CREATE TABLE events(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  product_id INTEGER NOT NULL,
  qty INTEGER NOT NULL,
  location TEXT NOT NULL DEFAULT '',
  to_location TEXT NOT NULL DEFAULT '',
  lot TEXT NOT NULL DEFAULT '',
  expiry INTEGER,
  sscc TEXT NOT NULL DEFAULT '',
  order_line_id INTEGER,
  operator TEXT NOT NULL,
  device TEXT NOT NULL,
  at INTEGER NOT NULL,
  op_id TEXT
);
-- Ops for the server: gap-free device_seq under the enrolment epoch, device-made op_id.
CREATE TABLE outbox(
  device_seq INTEGER PRIMARY KEY,
  op_id TEXT NOT NULL UNIQUE,
  epoch INTEGER NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  acked INTEGER NOT NULL DEFAULT 0
);
)sql",
    // 2: open orders per staging lane kept as a counter, so choosing a lane for a new order
    // reads 20 rows instead of counting every open order.
    R"sql(
ALTER TABLE locations ADD COLUMN open_orders INTEGER NOT NULL DEFAULT 0;
UPDATE locations SET open_orders = (SELECT COUNT(*) FROM orders o WHERE o.stage = locations.code AND o.open = 1);
)sql",
    // 3: fewer pages written per scan (each one is paid for in the commit's fsync).
    //  - The staging lane moves from the order row to its allocated lines: an allocation then
    //    writes only the line it updates anyway, not the order row and an index entry too. The
    //    order's lane is the lane of any of its lines that has one.
    //  - Per-product on_hand/allocated counters are dropped: on hand is the sum of the product's
    //    stock rows (the page a receipt writes anyway), allocated the sum over its open lines
    //    (the rows the allocation reads anyway).
    //  - The index of a product's lines covers the lines not yet picked or cancelled, so an
    //    allocation (which changes only `allocated`) no longer rewrites an index entry.
    //  - The outbox's op_id is device-made (UUIDv7) and deduplicated by the server: no unique
    //    index on the terminal, whose page each commit used to write.
    R"sql(
ALTER TABLE order_lines ADD COLUMN stage TEXT;
UPDATE order_lines SET stage = (SELECT o.stage FROM orders o WHERE o.order_id = order_lines.order_id);
DROP INDEX orders_stage;
ALTER TABLE orders DROP COLUMN stage;
ALTER TABLE products DROP COLUMN on_hand;
ALTER TABLE products DROP COLUMN allocated;
DROP INDEX order_lines_waiting;
CREATE INDEX order_lines_open ON order_lines(product_id) WHERE cancelled = 0 AND picked < qty;
CREATE TABLE outbox_v3(
  device_seq INTEGER PRIMARY KEY,
  op_id TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  acked INTEGER NOT NULL DEFAULT 0
);
INSERT INTO outbox_v3 SELECT device_seq, op_id, epoch, kind, payload, created_at, acked FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v3 RENAME TO outbox;
)sql",
    // 4: order lines stored by product. A receipt reads every open line of its product and
    // updates one or two of them: with the lines of a product side by side on one or two
    // pages (not ~10 pages scattered over the table in import order) it reads and writes
    // those pages only. `id` stays the line's stable number (events refer to it).
    R"sql(
CREATE TABLE order_lines_v4(
  product_id INTEGER NOT NULL REFERENCES products(id),
  id INTEGER NOT NULL UNIQUE,
  order_id TEXT NOT NULL REFERENCES orders(order_id),
  line INTEGER NOT NULL,
  qty INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  ordered_at INTEGER NOT NULL,
  promised_at INTEGER,
  allocated INTEGER NOT NULL DEFAULT 0,
  picked INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  stage TEXT,
  PRIMARY KEY(product_id, id),
  UNIQUE(order_id, line)
) WITHOUT ROWID;
INSERT INTO order_lines_v4(product_id, id, order_id, line, qty, priority, ordered_at, promised_at, allocated, picked,
                           cancelled, stage)
  SELECT product_id, id, order_id, line, qty, priority, ordered_at, promised_at, allocated, picked, cancelled, stage
  FROM order_lines ORDER BY product_id, id;
DROP TABLE order_lines;
ALTER TABLE order_lines_v4 RENAME TO order_lines;
)sql",
    // 5: the staging lane back on the order row (without migration 1's index). Finding an
    // order's lane on its lines (migration 3) read every line of the order, each on a page of
    // its own product (migration 4); the order row is one page, read anyway for `open`, and
    // written only at the order's first allocation.
    R"sql(
ALTER TABLE orders ADD COLUMN stage TEXT;
UPDATE orders SET stage = (SELECT l.stage FROM order_lines l WHERE l.order_id = orders.order_id AND l.stage IS NOT NULL LIMIT 1);
ALTER TABLE order_lines DROP COLUMN stage;
)sql",
    // 6: operators (issue 10): who may sign in, with which role. pin_hash is libsodium's
    // crypto_pwhash_str (Argon2id, salt and limits inside the string); failed counts wrong
    // PINs in a row, locked_until (Unix seconds, 0 = never) ends a lockout. Users never
    // leave the terminal: the outbox ops of user changes carry no hash (store/Users.h).
    R"sql(
CREATE TABLE users(
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK(role IN ('receiver', 'picker', 'supervisor')),
  pin_hash TEXT NOT NULL,
  failed INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 7: picking by lot and short picks (issue 10, docs/operations.md).
    //  - lots: a lot's expiry, from its first receipt that carried one (FEFO picking, expired
    //    stock never picked or allocated). A lot without a row has no expiry (picked last).
    //  - stock.held: units on hold at that location/lot (a short pick's missing units), derived
    //    from `held` events: on hand, not allocatable, until a count there lifts the hold.
    //  - reasons: short-pick and adjustment reason codes (master data, assets/reasons.csv).
    //  - count_tasks: a location/product to count, raised by a short pick; done_at is set by
    //    the count there that resolves it.
    R"sql(
CREATE TABLE lots(
  product_id INTEGER NOT NULL,
  lot TEXT NOT NULL,
  expiry INTEGER NOT NULL,          -- days since 1970-01-01
  PRIMARY KEY(product_id, lot)
) WITHOUT ROWID;
INSERT OR IGNORE INTO lots(product_id, lot, expiry)
  SELECT product_id, lot, expiry FROM events WHERE kind = 'received' AND lot <> '' AND expiry IS NOT NULL ORDER BY id;
ALTER TABLE stock ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
CREATE TABLE reasons(
  code TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK(kind IN ('short', 'adjust')),
  description TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE count_tasks(
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id),
  location TEXT NOT NULL,
  reason TEXT NOT NULL,             -- the short pick's reason code
  order_id TEXT,                    -- the line whose pick came up short
  line INTEGER,
  missing INTEGER NOT NULL,         -- units put on hold
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  done_at INTEGER                   -- NULL while open
);
CREATE INDEX count_tasks_open ON count_tasks(location, product_id) WHERE done_at IS NULL;
)sql",
    // 8: counts (issue 10 item 4, docs/operations.md, Counts). One row per blind count of a
    // (product, location, lot) key ('' = no lot): what was counted, the ledger position the
    // counter knew (basis: an events.id, 0 = before any), the book at that basis and the
    // variance. state: recount (beyond the threshold, a recount is asked), pending (a recount
    // still beyond it: a supervisor decides), applied, rejected, recounted (a first count
    // whose recount came). adjusted: the stock change made when applied. op_id: the count's
    // outbox op, which approvals and rejections name for the server.
    R"sql(
CREATE TABLE counts(
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id),
  location TEXT NOT NULL,
  lot TEXT NOT NULL,
  counted INTEGER NOT NULL,
  basis INTEGER NOT NULL,
  book INTEGER NOT NULL,
  variance INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('recount', 'pending', 'applied', 'rejected', 'recounted')),
  attempt INTEGER NOT NULL,
  recount_of INTEGER REFERENCES counts(id),
  adjusted INTEGER,
  reason TEXT,
  note TEXT,
  operator TEXT NOT NULL,
  at INTEGER NOT NULL,
  decided_by TEXT,
  decided_at INTEGER,
  op_id TEXT NOT NULL
);
CREATE INDEX counts_open ON counts(product_id, location, lot) WHERE state IN ('recount', 'pending');
)sql",
    // 9: sync with backfilld (issue 11 item 4, docs/sync.md, Terminal link). The identity
    // (server_url, device_id, epoch, device_token, tls_ca, tls_server_name), the pull cursor
    // (sync_cursor) and last_sync live in settings. sync_epochs: the outbox's device_seq
    // before each enrolment, so an op's wire seq counts from 1 within its epoch. server_stock
    // and server_lines: the server's state at the cursor, folded from the pulled log, that
    // the local view is set to when no op waits. sync_corrections: pulled corrections of this
    // device's claims, until a sync reports them.
    R"sql(
CREATE TABLE sync_epochs(epoch INTEGER PRIMARY KEY, seq_base INTEGER NOT NULL);
CREATE TABLE server_stock(
  sku TEXT NOT NULL,
  location TEXT NOT NULL,
  lot TEXT NOT NULL,
  qty INTEGER NOT NULL,
  held INTEGER NOT NULL,
  PRIMARY KEY(sku, location, lot)
) WITHOUT ROWID;
CREATE TABLE server_lines(
  order_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  allocated INTEGER NOT NULL,
  picked INTEGER NOT NULL,
  PRIMARY KEY(order_id, line)
) WITHOUT ROWID;
CREATE TABLE sync_corrections(seq INTEGER PRIMARY KEY, payload TEXT NOT NULL, reported INTEGER NOT NULL DEFAULT 0);
)sql",
    // 10: the server's inbound progress at the cursor (units received per inbound line),
    // folded from the pulled receipts by the server's rule, that inbound_lines.received is
    // set to when no op waits (so ETAs agree with the server's once a terminal is in step).
    R"sql(
CREATE TABLE server_inbound(inbound_line_id INTEGER PRIMARY KEY, received INTEGER NOT NULL);
)sql",
    // 11: the touch UI (issue 12, docs/ui.md). GS1 location labels: a location's GLN (AI 414)
    // and GLN extension component (AI 254, '' for none), imported with the locations, so a
    // (414)(254) label names a location. The corrections inbox: who acknowledged a pulled
    // correction on the Sync screen, and when (apart from `reported`, which the CLI's sync
    // sets when it prints one).
    R"sql(
ALTER TABLE locations ADD COLUMN gln TEXT;
ALTER TABLE locations ADD COLUMN gln_ext TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX locations_gln ON locations(gln, gln_ext) WHERE gln IS NOT NULL;
ALTER TABLE sync_corrections ADD COLUMN acked_by TEXT;
ALTER TABLE sync_corrections ADD COLUMN acked_at INTEGER;
)sql",
    // 12: a count's basis as the server knows it (DESIGN.md P6; docs/sync.md, Counts): the
    // server cursor pulled at the basis and this device's last op then (epoch, wire seq);
    // NULL for counts recorded before. sync_marks: the cursor each pull left, by the latest
    // event id at that moment, so the cursor at any basis is known (the latest mark at or
    // before it); started with the cursor now.
    R"sql(
ALTER TABLE counts ADD COLUMN basis_cursor INTEGER;
ALTER TABLE counts ADD COLUMN basis_epoch INTEGER;
ALTER TABLE counts ADD COLUMN basis_device_seq INTEGER;
CREATE TABLE sync_marks(event_id INTEGER PRIMARY KEY, cursor INTEGER NOT NULL);
INSERT INTO sync_marks(event_id, cursor)
  SELECT (SELECT COALESCE(MAX(id), 0) FROM events), CAST(value AS INTEGER) FROM settings WHERE key = 'sync_cursor';
)sql",
    // 13: the back office on the terminal (issue 13; docs/backoffice.md, On the terminal): the
    // server's suppliers and promotions as pulled (`suppliers` and `promotion` log entries),
    // so the Stock screen decides a product's reorder state by the server's rule; and picks by
    // time (the window's picked units rank the fast movers), an index that only `picked`
    // events pay for.
    R"sql(
CREATE TABLE suppliers(
  product_id INTEGER NOT NULL REFERENCES products(id),
  supplier TEXT NOT NULL,
  lead_time_days INTEGER NOT NULL,
  min_order_qty INTEGER NOT NULL,
  unit_cost TEXT NOT NULL,          -- a decimal as the server wrote it ("12.50")
  PRIMARY KEY(product_id, supplier)
) WITHOUT ROWID;
CREATE TABLE promotions(
  id INTEGER PRIMARY KEY,           -- the server's promotion id
  product_id INTEGER NOT NULL REFERENCES products(id),
  factor TEXT NOT NULL,             -- a decimal ("1.5")
  until INTEGER NOT NULL            -- days since 1970-01-01, inclusive
);
CREATE INDEX promotions_product ON promotions(product_id);
CREATE INDEX events_picked ON events(at) WHERE kind = 'picked';
)sql",
};

} // namespace backfill::store
