// backfill history [--limit N]: this terminal's latest actions, newest first, as one JSON
// array (store/History.h). After a crash between a commit and its printed line, the operator
// looks here before scanning again (docs/receiving.md, "After a crash"). Reads only.

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "store/History.h"

#include <cstdint>
#include <memory>

namespace backfill::app {

namespace {

constexpr int64_t kDefaultLimit = 20;
constexpr int64_t kMaxLimit = 10000;

Json optionalJson(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }
Json optionalJson(const std::optional<int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

Json entryJson(const store::HistoryEntry& h)
{
    return Json{{"event_id", h.eventId},
                {"at", ledger::formatTimestamp(h.at)},
                {"kind", h.kind},
                {"scan", optionalJson(h.scan)},
                {"sku", h.sku},
                {"qty", h.qty},
                {"location", h.location},
                {"lot", optionalJson(h.lot)},
                {"expiry", h.expiry ? Json(ledger::formatDate(*h.expiry)) : Json(nullptr)},
                {"sscc", optionalJson(h.sscc)},
                {"order_id", optionalJson(h.orderId)},
                {"line", optionalJson(h.line)},
                {"op_id", h.opId},
                {"device_seq", optionalJson(h.deviceSeq)},
                {"operator", h.operatorName},
                {"device", h.device}};
}

} // namespace

void registerHistoryCommand(CLI::App& app, GlobalOptions& g)
{
    auto* cmd = app.add_subcommand("history", "this terminal's latest receipts and picks, newest first (JSON): check here "
                                              "after a crash before scanning again");
    auto limit = std::make_shared<int64_t>(kDefaultLimit);
    cmd->add_option("--limit", *limit, "how many entries (one per product line), 1..10000")
        ->default_val(kDefaultLimit)
        ->check(CLI::Range(int64_t{1}, kMaxLimit));
    cmd->callback([&g, limit] {
        auto store = openStore(g, Access::Read);
        if (!store) return;
        auto entries = store::latestActions(store->database(), *limit);
        if (failed(g, entries)) return;
        Json out = Json::array();
        for (const auto& h : *entries) out.push_back(entryJson(h));
        printJson(out);
    });
}

} // namespace backfill::app
