#pragma once
// The server database's numbered migrations (SqliteServerStore). PRAGMA user_version holds how
// many have run; a new migration is appended, never edited.

#include <array>
#include <cstdint>
#include <string_view>

namespace backfill::server {

// kServerApplicationId marks a file as a backfilld database (PRAGMA application_id, "BFSV"),
// distinct from the terminal's "BFTD": neither program opens the other's file.
inline constexpr int64_t kServerApplicationId = 0x42465356;

inline constexpr std::array<std::string_view, 11> kServerMigrations{
    // 1: master data, stock, devices and sessions, applied ops, the log, exceptions.
    R"sql(
CREATE TABLE products(
  sku TEXT PRIMARY KEY,
  description TEXT NOT NULL,
  gtin TEXT,
  case_gtin TEXT,
  case_qty INTEGER NOT NULL,
  safety_stock INTEGER NOT NULL,
  lead_time_days INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE gtins(gtin TEXT PRIMARY KEY, sku TEXT NOT NULL REFERENCES products(sku), units INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX gtins_sku ON gtins(sku);
CREATE TABLE locations(code TEXT PRIMARY KEY, kind TEXT NOT NULL, sequence INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE reasons(code TEXT PRIMARY KEY, kind TEXT NOT NULL, description TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE order_lines(
  order_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  customer TEXT NOT NULL,
  email TEXT NOT NULL,
  sku TEXT NOT NULL REFERENCES products(sku),
  qty INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  ordered_at INTEGER NOT NULL,
  promised_at INTEGER,
  allocated INTEGER NOT NULL DEFAULT 0,
  picked INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(order_id, line)
) WITHOUT ROWID;
CREATE INDEX order_lines_open ON order_lines(sku) WHERE cancelled = 0 AND picked < qty;
CREATE TABLE inbound_lines(
  id INTEGER PRIMARY KEY,
  inbound_id TEXT NOT NULL,
  supplier TEXT NOT NULL,
  sku TEXT NOT NULL REFERENCES products(sku),
  qty INTEGER NOT NULL,
  eta TEXT NOT NULL,
  sscc TEXT NOT NULL,              -- '' = loose, not on a pallet
  received INTEGER NOT NULL DEFAULT 0,
  UNIQUE(inbound_id, sku, sscc)
);
CREATE INDEX inbound_open ON inbound_lines(sku, sscc, eta, inbound_id, id);
-- Stock may go below zero: picks and moves are facts (DESIGN.md 2); an exception says so.
CREATE TABLE stock(
  sku TEXT NOT NULL,
  location TEXT NOT NULL,
  lot TEXT NOT NULL,
  qty INTEGER NOT NULL,
  held INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(sku, location, lot)
) WITHOUT ROWID;
CREATE TABLE received_ssccs(sscc TEXT PRIMARY KEY, global_seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE devices(
  device_id TEXT PRIMARY KEY,
  epoch INTEGER NOT NULL,
  token_hash TEXT NOT NULL,
  enrol_hash TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  last_seen INTEGER
) WITHOUT ROWID;
CREATE TABLE sessions(
  id_hash TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(device_id),
  epoch INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE applied_ops(
  op_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  device_seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,            -- applied, flagged, rejected
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  global_seq INTEGER NOT NULL,
  result TEXT NOT NULL,
  UNIQUE(device_id, epoch, device_seq)
) WITHOUT ROWID;
-- The server log that terminals pull: seq is the cursor.
CREATE TABLE log(seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL);
CREATE TABLE exceptions(
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL,
  op_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  resolved_note TEXT
);
)sql",
    // 2: operators (the server is the master for users; docs/server.md, Users). pin_hash is
    // pin/PinHash.h's Argon2id string; terminals receive it by the log.
    R"sql(
CREATE TABLE users(
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK(role IN ('receiver', 'picker', 'supervisor')),
  pin_hash TEXT NOT NULL
) WITHOUT ROWID;
)sql",
    // 3: back office (issue 13): when each log entry happened, suppliers, promotions.
    R"sql(
ALTER TABLE log ADD COLUMN at INTEGER;  -- seconds since 1970; NULL for entries written before
CREATE INDEX log_kind ON log(kind, seq);
CREATE INDEX order_lines_ordered ON order_lines(ordered_at);
CREATE TABLE suppliers(
  sku TEXT NOT NULL REFERENCES products(sku),
  supplier TEXT NOT NULL,
  lead_time_days INTEGER NOT NULL,
  min_order_qty INTEGER NOT NULL,
  unit_cost INTEGER NOT NULL,      -- ten-thousandths (ledger/Decimal.h)
  PRIMARY KEY(sku, supplier)
) WITHOUT ROWID;
CREATE TABLE promotions(
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL REFERENCES products(sku),
  factor INTEGER NOT NULL,         -- ten-thousandths
  until TEXT NOT NULL              -- YYYY-MM-DD, inclusive
);
)sql",
    // 4: customer notifications (issue 13 item 3; docs/backoffice.md, Notifications): the
    // outbox of messages, what each line's customer was told of its ETA, the waitlist, the
    // unsubscribed addresses, and this database's random part of every Message-ID.
    R"sql(
CREATE TABLE notifications(
  id INTEGER PRIMARY KEY,
  event TEXT NOT NULL UNIQUE,      -- the event that queued it (queued once): a JSON array
  kind TEXT NOT NULL,              -- ledger::noticeKindName
  email TEXT NOT NULL,
  customer TEXT NOT NULL,
  order_id TEXT NOT NULL,          -- '' for back_in_stock
  line INTEGER NOT NULL,
  sku TEXT NOT NULL,
  qty INTEGER NOT NULL,
  eta TEXT,
  previous_eta TEXT,
  day TEXT NOT NULL,               -- YYYY-MM-DD the event was queued on
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL,             -- pending, sent, failed, unsubscribed
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  queued_at INTEGER NOT NULL,
  sent_at INTEGER,
  last_error TEXT
);
CREATE INDEX notifications_due ON notifications(next_attempt_at, id) WHERE state = 'pending';
CREATE TABLE notify_lines(
  order_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  told_eta TEXT,                   -- NULL: a withdrawal was the last thing told
  last_day TEXT NOT NULL,          -- the day of the last ETA message
  deferred INTEGER NOT NULL DEFAULT 0, -- a change held back by the daily limit
  PRIMARY KEY(order_id, line)
) WITHOUT ROWID;
CREATE INDEX notify_lines_deferred ON notify_lines(deferred) WHERE deferred = 1;
CREATE TABLE waitlist(
  email TEXT NOT NULL,             -- ledger::normalizeEmail
  sku TEXT NOT NULL REFERENCES products(sku),
  added_day TEXT NOT NULL,
  notified_day TEXT,               -- NULL while it waits
  PRIMARY KEY(email, sku)
) WITHOUT ROWID;
CREATE INDEX waitlist_waiting ON waitlist(sku) WHERE notified_day IS NULL;
CREATE TABLE unsubscribed(email TEXT PRIMARY KEY, day TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE notify_instance(id TEXT NOT NULL);
INSERT INTO notify_instance(id) VALUES(lower(hex(randomblob(8))));
)sql",
    // 5: movements (DESIGN.md P6; docs/sync.md, Counts): every on-hand change an op made, by
    // key, with its log entry's seq and its device op, so a count is applied at the basis
    // its terminal knew (counted + what moved there after it). Filled from the log as it
    // stands (server/Movements.h gives the same deltas for new entries).
    R"sql(
CREATE TABLE movements(
  seq INTEGER NOT NULL,            -- the op's log entry
  sku TEXT NOT NULL,
  location TEXT NOT NULL,
  lot TEXT NOT NULL,
  qty INTEGER NOT NULL,            -- on-hand change, never 0
  device_id TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  device_seq INTEGER NOT NULL
);
CREATE INDEX movements_key ON movements(sku, location, lot, seq);
INSERT INTO movements(seq, sku, location, lot, qty, device_id, epoch, device_seq)
SELECT seq, sku, location, lot, qty, device_id, epoch, device_seq FROM (
  SELECT l.seq, json_extract(j.value, '$.sku') AS sku, json_extract(l.payload, '$.location') AS location,
         json_extract(j.value, '$.lot') AS lot, json_extract(j.value, '$.qty') AS qty, a.device_id, a.epoch, a.device_seq
  FROM log l JOIN applied_ops a ON a.op_id = json_extract(l.payload, '$.op_id') JOIN json_each(l.payload, '$.lines') j
  WHERE l.kind = 'receive'
  UNION ALL
  SELECT l.seq, json_extract(l.payload, '$.sku'), json_extract(l.payload, '$.from'), json_extract(j.value, '$.lot'),
         -json_extract(j.value, '$.qty'), a.device_id, a.epoch, a.device_seq
  FROM log l JOIN applied_ops a ON a.op_id = json_extract(l.payload, '$.op_id') JOIN json_each(l.payload, '$.lots') j
  WHERE l.kind = 'move'
  UNION ALL
  SELECT l.seq, json_extract(l.payload, '$.sku'), json_extract(l.payload, '$.to'), json_extract(j.value, '$.lot'),
         json_extract(j.value, '$.qty'), a.device_id, a.epoch, a.device_seq
  FROM log l JOIN applied_ops a ON a.op_id = json_extract(l.payload, '$.op_id') JOIN json_each(l.payload, '$.lots') j
  WHERE l.kind = 'move'
  UNION ALL
  SELECT l.seq, json_extract(l.payload, '$.sku'), json_extract(l.payload, '$.location'), json_extract(j.value, '$.lot'),
         -json_extract(j.value, '$.qty'), a.device_id, a.epoch, a.device_seq
  FROM log l JOIN applied_ops a ON a.op_id = json_extract(l.payload, '$.op_id') JOIN json_each(l.payload, '$.lots') j
  WHERE l.kind = 'pick'
  UNION ALL
  SELECT l.seq, json_extract(j.value, '$.sku'), json_extract(l.payload, '$.location'), json_extract(j.value, '$.lot'),
         -json_extract(j.value, '$.qty'), a.device_id, a.epoch, a.device_seq
  FROM log l JOIN applied_ops a ON a.op_id = json_extract(l.payload, '$.op_id') JOIN json_each(l.payload, '$.lines') j
  WHERE l.kind = 'undo'
  UNION ALL
  SELECT l.seq, json_extract(l.payload, '$.sku'), json_extract(l.payload, '$.location'), json_extract(l.payload, '$.lot'),
         json_extract(l.payload, '$.adjusted'), a.device_id, a.epoch, a.device_seq
  FROM log l JOIN applied_ops a ON a.op_id = json_extract(l.payload, '$.op_id')
  WHERE l.kind IN ('count', 'count_approve')
) WHERE qty IS NOT NULL AND qty <> 0 ORDER BY seq;
)sql",
    // 6: who filled each order line (issue 12 item 8; docs/server.md, Claims): the device of
    // the latest op whose settle allocated units to it, named in the corrections of claims
    // cut because of it. NULL when the latest allocation was the server's own (an import's
    // `allocation` entry has no device) or none was made. Filled from the log as it stands:
    // every entry's `allocations`, the latest per line (a bare column beside max() is the
    // max row's, SQLite's documented rule).
    R"sql(
ALTER TABLE order_lines ADD COLUMN filled_by TEXT;
UPDATE order_lines SET filled_by = f.device FROM (
  SELECT json_extract(a.value, '$.order_id') AS order_id, json_extract(a.value, '$.line') AS line,
         json_extract(l.payload, '$.device') AS device, max(l.seq)
  FROM log l JOIN json_each(l.payload, '$.allocations') a
  WHERE json_extract(a.value, '$.qty') > 0
  GROUP BY 1, 2
) AS f WHERE f.order_id = order_lines.order_id AND f.line = order_lines.line;
)sql",
    // 7: GS1 location labels (docs/import.md, locations): a location's GLN (AI 414) and GLN
    // extension component (AI 254, '' for none), as the terminal's migration 11 keeps them,
    // sent to terminals in the `location` log entries. A pair names one location.
    R"sql(
ALTER TABLE locations ADD COLUMN gln TEXT;
ALTER TABLE locations ADD COLUMN gln_ext TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX locations_gln ON locations(gln, gln_ext) WHERE gln IS NOT NULL;
)sql",
    // 8: sessions in the order they were issued (a rowid), so a device keeps only its latest
    // kSessionsPerDevice (SqliteServerStore::addSession; every Hello issues one, and a touch
    // terminal says Hello at every round: the table grew without bound).
    R"sql(
CREATE TABLE sessions_v8(
  id INTEGER PRIMARY KEY,
  id_hash TEXT NOT NULL UNIQUE,
  device_id TEXT NOT NULL REFERENCES devices(device_id),
  epoch INTEGER NOT NULL
);
INSERT INTO sessions_v8(id_hash, device_id, epoch) SELECT id_hash, device_id, epoch FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v8 RENAME TO sessions;
CREATE INDEX sessions_device ON sessions(device_id, id);
)sql",
    // 9: lots' expiries (docs/server.md, Lot expiry): a lot's expiry from its first receipt
    // that named one, as the terminal's lots table keeps it (days since 1970-01-01). Units of
    // a lot expired on the day an op was done are not allocatable, and the stock shows them
    // expired; the receive log entry carries the expiry to every terminal.
    R"sql(
CREATE TABLE lots(
  sku TEXT NOT NULL,
  lot TEXT NOT NULL,
  expiry INTEGER NOT NULL,
  PRIMARY KEY(sku, lot)
) WITHOUT ROWID;
)sql",
    // 10: one staging lane per order (docs/server.md, One lane per order): the lane of the
    // order's first receipt that carried units to a lane. Receipts before this migration named
    // no order for their lanes in the log, so an order staged before it gets its lane at its
    // next staged receipt.
    R"sql(
CREATE TABLE order_stages(order_id TEXT PRIMARY KEY, stage TEXT NOT NULL) WITHOUT ROWID;
)sql",
    // 11: sessions expire (docs/server.md, Sessions): when each was issued. Sessions issued
    // before this migration count as issued at 0, so they are expired: the link signs in again
    // once, as for a forgotten session.
    R"sql(
ALTER TABLE sessions ADD COLUMN issued_at INTEGER NOT NULL DEFAULT 0;
)sql",
};

// kSessionsPerDevice: the sessions a device keeps; older ones are forgotten as new ones are
// issued. A request under a forgotten session gets unknown_session, and the link signs in
// again once (sync/link): a watcher's long-lived session survives that way.
inline constexpr int64_t kSessionsPerDevice = 32;

// kSessionSeconds: how long a session id is good for after the Hello that issued it. A request
// under an older one gets unknown_session ("... expired ..."), and the link signs in again once:
// a session id seen on the wire is worth nothing a day later.
inline constexpr int64_t kSessionSeconds = 24 * 3600;

} // namespace backfill::server
