#include "server/Reports.h"

#include <nlohmann/json.hpp>

#include <map>

namespace backfill::server {

// nlohmann::json: objects keep their keys sorted (not ordered_json as elsewhere).
using SortedJson = nlohmann::json;
using ledger::unexpected;

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return ::backfill::ledger::unexpected(r_.error());                                  \
    } while (0)

namespace {

std::string textOf(const SortedJson& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int64_t> numberOf(const SortedJson& j, const char* key)
{
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
}

// dayOf is the UTC date of an entry; an entry without a time (written before migration 2)
// has no day and is left out of the reports by day.
std::optional<ledger::Date> dayOf(const TimedLogEntry& e)
{
    if (!e.at) return std::nullopt;
    return ledger::dateOf(*e.at);
}

} // namespace

Result<void> forEachEntry(ServerStore& store, int64_t cursor, std::span<const std::string> kinds,
                          const std::function<Result<void>(const TimedLogEntry&)>& visit, size_t batch)
{
    for (;;) {
        auto entries = store.logEntries(cursor, batch, kinds);
        if (!entries) return unexpected(entries.error());
        for (const auto& e : *entries) TRY(visit(e));
        if (entries->size() < batch) return {};
        cursor = entries->back().seq;
    }
}

namespace {

// readLog visits every entry of `kinds` inside one snapshot (a report sees one state).
Result<void> readLog(ServerStore& store, std::span<const std::string> kinds, const std::function<Result<void>(const TimedLogEntry&)>& visit)
{
    return store.snapshot("reading the log", [&] { return forEachEntry(store, 0, kinds, visit); });
}

} // namespace

Result<ledger::BackorderAging> backorderAgingReport(ServerStore& store, ledger::Date today)
{
    auto lines = store.orderLines();
    if (!lines) return unexpected(lines.error());
    return ledger::backorderAging(*lines, today);
}

Result<std::vector<ledger::FillRateDay>> fillRateReport(ServerStore& store, ledger::Date from, ledger::Date to)
{
    static const std::vector<std::string> kKinds{"receive", "move", "pick", "short", "count", "count_approve", "allocation"};
    std::vector<ledger::AllocationFact> facts;
    TRY(readLog(store, kKinds, [&](const TimedLogEntry& e) -> Result<void> {
        const auto day = dayOf(e);
        if (!day || *day < from || !(*day < to)) return {};
        const SortedJson p = SortedJson::parse(e.payload, nullptr, false);
        if (!p.is_object() || !p.contains("allocations") || !p["allocations"].is_array()) return {};
        for (const auto& a : p["allocations"])
            if (a.is_object())
                facts.push_back({*day, e.kind == "receive", textOf(a, "order_id"), numberOf(a, "line").value_or(0),
                                 numberOf(a, "qty").value_or(0)});
        return {};
    }));
    return ledger::fillRate(facts, from, to);
}

Result<std::vector<ledger::VelocityRow>> velocityReport(ServerStore& store, ledger::Date from, ledger::Date to)
{
    static const std::vector<std::string> kKinds{"pick"};
    std::vector<ledger::PickFact> picks;
    TRY(readLog(store, kKinds, [&](const TimedLogEntry& e) -> Result<void> {
        const auto day = dayOf(e);
        if (!day || *day < from || !(*day < to)) return {};
        const SortedJson p = SortedJson::parse(e.payload, nullptr, false);
        if (!p.is_object()) return {};
        picks.push_back({*day, textOf(p, "sku"), numberOf(p, "qty").value_or(0)});
        return {};
    }));
    return ledger::velocity(picks, from, to);
}

Result<std::vector<CountRecord>> countsReport(ServerStore& store)
{
    static const std::vector<std::string> kKinds{"count", "count_approve", "count_reject"};
    std::vector<CountRecord> out;
    std::map<std::string, size_t> byOpId; // a count's op_id -> its record (a rejection names it)
    TRY(readLog(store, kKinds, [&](const TimedLogEntry& e) -> Result<void> {
        const SortedJson p = SortedJson::parse(e.payload, nullptr, false);
        if (!p.is_object()) return {};
        CountRecord r;
        r.seq = e.seq;
        r.at = e.at;
        r.kind = e.kind;
        r.countId = numberOf(p, "count_id").value_or(0);
        r.state = e.kind == "count" ? textOf(p, "state") : e.kind == "count_approve" ? "approved" : "rejected";
        r.device = textOf(p, "device");
        r.sku = textOf(p, "sku");
        r.location = textOf(p, "location");
        r.lot = textOf(p, "lot");
        r.counted = numberOf(p, "counted");
        r.variance = numberOf(p, "variance");
        r.adjusted = numberOf(p, "adjusted");
        r.reason = textOf(p, "reason");
        r.note = textOf(p, "note");
        if (e.kind == "count") byOpId[textOf(p, "op_id")] = out.size();
        if (const auto it = byOpId.find(textOf(p, "count_op_id")); r.sku.empty() && it != byOpId.end()) {
            r.sku = out[it->second].sku;
            r.location = out[it->second].location;
            r.lot = out[it->second].lot;
        }
        out.push_back(std::move(r));
        return {};
    }));
    return out;
}

} // namespace backfill::server
