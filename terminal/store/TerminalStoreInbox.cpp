// TerminalStore: the corrections inbox of the Sync screen (docs/ui.md, Sync). The rows come
// from sync_corrections (filled by applyChanges, TerminalStoreSync.cpp); acknowledging one
// records who and when, and never deletes it.

#include "store/StoreSupport.h"

#include <nlohmann/json.hpp>

namespace backfill::store {

namespace {

// nlohmann::json: objects keep their keys sorted (not ordered_json as elsewhere).
using SortedJson = nlohmann::json;

constexpr const char* kSelect = "SELECT seq, payload, acked_by, acked_at FROM sync_corrections";

TerminalStore::Correction correctionOf(const Statement& r)
{
    TerminalStore::Correction c;
    c.seq = r.columnInt(0);
    const SortedJson j = SortedJson::parse(r.columnText(1), nullptr, false);
    if (j.is_object()) {
        c.orderId = j.value("order_id", "");
        c.line = j.value("line", int64_t{0});
        c.sku = j.value("sku", "");
        c.oldQty = j.value("old_qty", int64_t{0});
        c.newQty = j.value("new_qty", int64_t{0});
        c.message = j.value("message", "");
        c.opId = j.value("op_id", "");
        // Absent from corrections written before the server named who filled the line.
        if (const auto by = j.find("filled_by"); by != j.end() && by->is_string()) c.filledBy = by->get<std::string>();
        c.release = j.value("release", false);
    }
    c.ackedBy = r.columnOptionalText(2);
    c.ackedAt = r.columnOptionalInt(3);
    return c;
}

} // namespace

Result<std::vector<TerminalStore::Correction>> TerminalStore::corrections(bool open)
{
    Database::Operation op(*m_db, "reading the corrections inbox");
    std::vector<Correction> rows;
    auto& s = m_db->prepare(std::string(kSelect) + (open ? " WHERE acked_by IS NULL" : "") + " ORDER BY seq");
    while (s.step()) rows.push_back(correctionOf(s));
    TRY(fromStatement(s));
    s.reset();
    // Where the claimed units went: the receipt's move to the order's staging lane, else the
    // location the op received them at (the local ledger keeps the op's events).
    for (auto& c : rows) {
        if (c.opId.empty() || c.release) continue; // a release carried nothing anywhere
        TRY(m_db->prepare("SELECT CASE e.kind WHEN 'moved' THEN e.to_location ELSE e.location END FROM events e JOIN products p ON "
                          "p.id = e.product_id WHERE e.op_id = ? AND p.sku = ? AND e.kind IN ('moved', 'received') ORDER BY "
                          "e.kind = 'moved' DESC, e.id LIMIT 1")
                .bind(1, c.opId)
                .bind(2, c.sku)
                .first([&](const Statement& r) { c.stagedAt = r.columnText(0); }));
    }
    return rows;
}

Result<TerminalStore::Correction> TerminalStore::acknowledgeCorrection(int64_t seq, const Actor& actor)
{
    Database::Operation op(*m_db, "acknowledging a correction");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    std::optional<Correction> found;
    TRY(m_db->prepare(std::string(kSelect) + " WHERE seq = ?").bind(1, seq).first([&](const Statement& r) { found = correctionOf(r); }));
    if (!found) return ledger::fail("unknown_correction", "correction " + std::to_string(seq) + " is not in this terminal's inbox");
    if (found->ackedBy)
        return ledger::fail("already_acknowledged", "correction " + std::to_string(seq) + " was acknowledged by " + *found->ackedBy +
                                                        " at " + ledger::formatTimestamp(found->ackedAt.value_or(0)));
    TRY(m_db->prepare("UPDATE sync_corrections SET acked_by = ?, acked_at = ? WHERE seq = ?")
            .bind(1, actor.operatorName)
            .bind(2, actor.at)
            .bind(3, seq)
            .run());
    TRY(tx->commit());
    found->ackedBy = actor.operatorName;
    found->ackedAt = actor.at;
    return *found;
}

} // namespace backfill::store
