#include "store/Outbox.h"

#include "store/Uuid.h"

#include <charconv>

namespace backfill::store {

namespace {

Result<int64_t> currentEpoch(Database& db)
{
    std::optional<std::string> text;
    auto found = db.prepare("SELECT value FROM settings WHERE key = 'epoch'").first([&](const Statement& r) {
        text = r.columnText(0);
    });
    if (!found) return ledger::unexpected(found.error());
    if (!text) return int64_t{0};
    int64_t epoch = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), epoch);
    if (ec != std::errc() || end != text->data() + text->size())
        return ledger::fail("bad_setting", db.path() + ": setting 'epoch' is '" + *text +
                                               "', not a number: enrol the terminal again");
    return epoch;
}

} // namespace

Result<void> appendOutboxOp(Database& db, const std::string& opId, std::string_view kind, std::string_view payloadJson,
                            ledger::Timestamp at)
{
    auto epoch = currentEpoch(db);
    if (!epoch) return ledger::unexpected(epoch.error());
    // device_seq = last + 1 inside the same transaction: gap-free, and rolled back with it.
    return db.prepare("INSERT INTO outbox(device_seq, op_id, epoch, kind, payload, created_at) "
                      "VALUES((SELECT COALESCE(MAX(device_seq), 0) + 1 FROM outbox), ?, ?, ?, ?, ?)")
        .bind(1, opId)
        .bind(2, *epoch)
        .bind(3, kind)
        .bind(4, payloadJson)
        .bind(5, at)
        .run();
}

Result<std::string> appendOutboxOp(Database& db, std::string_view kind, std::string_view payloadJson,
                                   ledger::Timestamp at)
{
    std::string opId = newUuid();
    if (auto r = appendOutboxOp(db, opId, kind, payloadJson, at); !r) return ledger::unexpected(r.error());
    return opId;
}

} // namespace backfill::store
