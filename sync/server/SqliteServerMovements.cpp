// SqliteServerStore's movements (migration 5; DESIGN.md P6, docs/sync.md, Counts): every
// on-hand change an op made, by key and log seq, so the book a counting terminal knew can be
// told from what moved after its basis without reading the log.

#include "server/SqliteServerStore.h"

#include "store/Database.h"

namespace backfill::server {

using ledger::unexpected;
using store::Statement;

namespace {

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return ::backfill::ledger::unexpected(r_.error());                                  \
    } while (0)

} // namespace

Result<void> SqliteServerStore::addMovements(const MovementSource& source, std::span<const Movement> movements)
{
    for (const auto& m : movements) {
        if (m.qty == 0) continue;
        TRY(m_db->prepare("INSERT INTO movements(seq, sku, location, lot, qty, device_id, epoch, device_seq) VALUES(?,?,?,?,?,?,?,?)")
                .bind(1, source.seq)
                .bind(2, m.sku)
                .bind(3, m.location)
                .bind(4, m.lot)
                .bind(5, m.qty)
                .bind(6, source.deviceId)
                .bind(7, source.epoch)
                .bind(8, source.deviceSeq)
                .run());
    }
    return {};
}

Result<UnknownMovements> SqliteServerStore::movementsUnknownTo(std::string_view sku, std::string_view location, std::string_view lot,
                                                               const CountBasis& basis)
{
    UnknownMovements out;
    // movements_key (sku, location, lot, seq) bounds the read to the key's movements after the
    // cursor: few, however long the terminal was offline.
    TRY(m_db->prepare("SELECT COALESCE(SUM(qty), 0), COUNT(*), COALESCE(SUM(device_id <> ?5), 0) FROM movements "
                      "WHERE sku = ?1 AND location = ?2 AND lot = ?3 AND seq > ?4 "
                      "AND NOT (device_id = ?5 AND (epoch < ?6 OR (epoch = ?6 AND device_seq <= ?7)))")
            .bind(1, sku)
            .bind(2, location)
            .bind(3, lot)
            .bind(4, basis.cursor)
            .bind(5, basis.deviceId)
            .bind(6, basis.epoch)
            .bind(7, basis.deviceSeq)
            .first([&](const Statement& r) {
                out.net = r.columnInt(0);
                out.count = r.columnInt(1);
                out.byOthers = r.columnInt(2);
            }));
    return out;
}

} // namespace backfill::server
