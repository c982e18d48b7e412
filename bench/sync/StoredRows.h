#pragma once
// StoredRows, the second limit of the sync benchmarks: the rows the server itself stores for
// the ops just pushed, inserted bare. For a receive op that is four rows: its applied_ops
// record (with the result a duplicate gets back), its log entry, the stock upsert at
// (sku, location, lot) and its P6 movement. They go through the server's own store (the same
// tables, indexes and prepared statements) into a copy of the server's database taken before
// any op, one transaction per batch, with nothing else: no dedupe or device_seq reads, no
// master-data lookups, no settle, no JSON built, no savepoint per op. The bytes are the
// server's: each op's result from its PushAck and its log entry read back from the server's
// database, outside the timed part.
//
// BareBatches (SyncBenchSupport.h) inserts one row per op, the op itself; this one what the
// server writes for it. The difference between the two ratios is storage the design
// chose (bench/README.md, Sync).

#include "server/Movements.h"
#include "server/SqliteServerStore.h"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace backfill::bench {

// StoredOp is what the server stored for one op.
struct StoredOp {
    server::AppliedOp record;
    protocol::LogEntry entry;
    std::vector<server::Movement> movements;
};

class StoredRows {
public:
    // StoredRows opens `db`, a copy of the server's database made before any op was pushed.
    explicit StoredRows(const std::string& db)
    {
        auto s = server::SqliteServerStore::open(db);
        if (!s) throw std::runtime_error("stored rows: " + s.error().message);
        m_store = std::move(*s);
    }

    // rowsOf reads what the server stored for `push` (answered by `ack`, for `device`) from
    // the server's database `server`: each op's result and its log entry.
    static std::vector<StoredOp> rowsOf(server::ServerStore& server, const std::string& device, const protocol::Push& push,
                                        const protocol::PushAck& ack)
    {
        if (ack.results.size() != push.ops.size()) throw std::runtime_error("stored rows: not every op was answered");
        std::vector<StoredOp> rows;
        for (size_t i = 0; i < push.ops.size(); ++i) {
            const auto& op = push.ops[i];
            const auto& r = ack.results[i];
            auto entries = server.entriesAfter(r.globalSeq - 1, 1);
            if (!entries || entries->size() != 1 || entries->front().seq != r.globalSeq)
                throw std::runtime_error("stored rows: the log entry of op " + op.opId + " was not found");
            StoredOp s;
            s.record = {op.opId, device, op.epoch, op.deviceSeq, op.kind, r.status, r.code, r.message, r.globalSeq, r.result};
            s.entry = entries->front();
            s.movements = server::movementsOf(s.entry.kind, nlohmann::ordered_json::parse(s.entry.payload));
            rows.push_back(std::move(s));
        }
        return rows;
    }

    // insert stores `batch` in one transaction.
    void insert(const std::vector<StoredOp>& batch)
    {
        auto done = m_store->transact("storing the same rows", [&]() -> ledger::Result<void> {
            for (const auto& s : batch) {
                auto seq = m_store->appendLog(s.entry.kind, s.entry.payload);
                if (!seq) return ledger::unexpected(seq.error());
                for (const auto& m : s.movements)
                    if (auto r = m_store->addStock(m.sku, m.location, m.lot, m.qty); !r) return r;
                if (auto r = m_store->addMovements({*seq, s.record.deviceId, s.record.epoch, s.record.deviceSeq}, s.movements); !r)
                    return r;
                server::AppliedOp record = s.record;
                record.globalSeq = *seq;
                if (auto r = m_store->recordOp(record); !r) return r;
            }
            return {};
        });
        if (!done) throw std::runtime_error("stored rows: " + done.error().message);
    }

private:
    std::unique_ptr<server::SqliteServerStore> m_store;
};

} // namespace backfill::bench
