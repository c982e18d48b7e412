#include "server/Imports.h"

#include "ledger/LocationLabels.h"
#include "server/Notify.h"
#include "server/Ops.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace backfill::server {

using Json = nlohmann::ordered_json;
using ledger::unexpected;

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return ::backfill::ledger::unexpected(r_.error());                                  \
    } while (0)

namespace {

Json optionalText(const std::optional<std::string>& v) { return v ? Json(*v) : Json(); }

void addIssue(ImportReport& report, ledger::ImportIssue issue)
{
    if (report.errors.size() < ledger::kMaxImportErrors) report.errors.push_back(std::move(issue));
}

// run checks each row (inside the transaction, so what it reads cannot change before the
// rows are written), then writes them all, or nothing when any check failed.
template <class Row, class Check, class Write>
Result<ImportReport> run(ServerStore& store, const char* what, const ledger::ParsedRows<Row>& rows, Check check, Write write,
                         const std::function<Result<void>()>& after = {})
{
    ImportReport report;
    auto done = store.transact(what, [&]() -> Result<void> {
        for (size_t i = 0; i < rows.rows.size(); ++i) TRY(check(rows.rows[i], rows.lines[i], report));
        if (!report.errors.empty()) return {};
        for (const auto& row : rows.rows) TRY(write(row));
        if (after) TRY(after());
        return {};
    });
    if (!done) return unexpected(done.error());
    if (report.errors.empty()) report.imported = static_cast<int64_t>(rows.rows.size());
    return report;
}

Result<void> noCheck(const auto&, int64_t, ImportReport&) { return {}; }

// locationEntry is a `location` log entry: code, kind, sequence, and the GS1 label's gln
// and gln_extension when it has them (docs/server.md, The log).
Json locationEntry(const ledger::Location& l)
{
    Json row{{"code", l.code}, {"kind", ledger::locationKindName(l.kind)}, {"sequence", l.sequence}};
    if (l.gln) row["gln"] = *l.gln;
    if (l.gln && !l.glnExtension.empty()) row["gln_extension"] = l.glnExtension;
    return row;
}

Result<void> checkSku(ServerStore& store, const std::string& sku, int64_t line, ImportReport& report)
{
    auto p = store.product(sku);
    if (!p) return unexpected(p.error());
    if (!*p) addIssue(report, {line, "sku", "unknown_sku", "unknown sku '" + sku + "'"});
    return {};
}

} // namespace

Result<ImportReport> importCatalog(ServerStore& store, const ledger::ParsedRows<ledger::Product>& rows)
{
    auto check = [&](const ledger::Product& p, int64_t line, ImportReport& report) -> Result<void> {
        for (const auto& [gtin, column] : {std::pair{p.gtin, "gtin"}, std::pair{p.caseGtin, "case_gtin"}}) {
            if (!gtin) continue;
            auto owner = store.gtinOwner(*gtin);
            if (!owner) return unexpected(owner.error());
            if (*owner && **owner != p.sku)
                addIssue(report, {line, column, "duplicate_gtin", "GTIN " + *gtin + " already belongs to product " + **owner});
        }
        return {};
    };
    auto write = [&](const ledger::Product& p) -> Result<void> {
        TRY(store.saveProduct(p));
        const Json row{{"sku", p.sku},           {"description", p.description},      {"gtin", optionalText(p.gtin)},
                       {"case_gtin", optionalText(p.caseGtin)}, {"case_qty", p.caseQty}, {"safety_stock", p.safetyStock},
                       {"lead_time_days", p.leadTimeDays}};
        auto seq = store.appendLog("product", row.dump());
        if (!seq) return unexpected(seq.error());
        return {};
    };
    return run(store, "importing the catalog", rows, check, write);
}

Result<ImportReport> importLocations(ServerStore& store, const ledger::ParsedRows<ledger::Location>& rows)
{
    // The labels other locations hold: the terminal's rule (ledger/LocationLabels.h), read
    // inside the transaction.
    auto check = [&](ImportReport& report) -> Result<void> {
        auto stored = ledger::checkStoredGlns(rows, [&](const std::string& gln, const std::string& extension) {
            return store.glnOwner(gln, extension);
        });
        if (!stored) return unexpected(stored.error());
        for (auto& issue : *stored) addIssue(report, std::move(issue));
        return {};
    };
    // A row with a gln replaces the location's label, one without keeps it. The file's
    // labels are let go of first, so two locations trading labels never collide half-way.
    // Each entry carries the location as stored after its row, label included (kept or
    // new), so a terminal folding the entries in order holds what the server holds.
    auto write = [&]() -> Result<void> {
        for (const auto& l : rows.rows)
            if (l.gln) TRY(store.clearGln(l.code));
        for (const auto& l : rows.rows) {
            TRY(store.saveLocation(l));
            auto saved = store.location(l.code);
            if (!saved) return unexpected(saved.error());
            if (!*saved) return ledger::fail("db_corrupt", "location " + l.code + " was saved but cannot be read back");
            auto seq = store.appendLog("location", locationEntry(**saved).dump());
            if (!seq) return unexpected(seq.error());
        }
        return {};
    };
    ImportReport report;
    auto done = store.transact("importing locations", [&]() -> Result<void> {
        TRY(check(report));
        if (!report.errors.empty()) return {};
        return write();
    });
    if (!done) return unexpected(done.error());
    if (report.errors.empty()) report.imported = static_cast<int64_t>(rows.rows.size());
    return report;
}

Result<ImportReport> importReasons(ServerStore& store, const ledger::ParsedRows<ledger::Reason>& rows)
{
    auto write = [&](const ledger::Reason& r) -> Result<void> {
        TRY(store.saveReason(r));
        const Json row{{"code", r.code}, {"kind", ledger::reasonKindName(r.kind)}, {"description", r.description}};
        auto seq = store.appendLog("reason", row.dump());
        if (!seq) return unexpected(seq.error());
        return {};
    };
    return run(store, "importing reasons", rows, noCheck<ledger::Reason>, write);
}

Result<ImportReport> importInbound(ServerStore& store, const ledger::ParsedRows<ledger::InboundLine>& rows)
{
    auto check = [&](const ledger::InboundLine& l, int64_t line, ImportReport& report) -> Result<void> {
        TRY(checkSku(store, l.sku, line, report));
        if (!l.sscc) return {};
        auto other = store.inboundOfSscc(*l.sscc);
        if (!other) return unexpected(other.error());
        if (*other && **other != l.inboundId)
            addIssue(report, {line, "sscc", "sscc_conflict", "SSCC " + *l.sscc + " already belongs to inbound " + **other});
        return {};
    };
    auto write = [&](const ledger::InboundLine& l) -> Result<void> {
        TRY(store.saveInboundLine(l));
        const Json row{{"inbound_id", l.inboundId}, {"supplier", l.supplier}, {"sku", l.sku},
                       {"qty", l.qty},              {"eta", ledger::formatDate(l.eta)}, {"sscc", optionalText(l.sscc)}};
        auto seq = store.appendLog("inbound_line", row.dump());
        if (!seq) return unexpected(seq.error());
        return {};
    };
    // New or changed inbound moves ETAs: the customers are told in the same transaction.
    auto notify = [&]() -> Result<void> {
        std::vector<std::string> skus;
        for (const auto& l : rows.rows)
            if (std::find(skus.begin(), skus.end(), l.sku) == skus.end()) skus.push_back(l.sku);
        return notifyProducts(store, skus, notifyClock(store));
    };
    return run(store, "importing inbound", rows, check, write, notify);
}

Result<ImportReport> importBackorders(ServerStore& store, const ledger::ParsedRows<ledger::OrderLine>& rows)
{
    std::set<std::string> touched;
    auto check = [&](const ledger::OrderLine& l, int64_t line, ImportReport& report) -> Result<void> {
        return checkSku(store, l.sku, line, report);
    };
    auto write = [&](const ledger::OrderLine& l) -> Result<void> {
        auto old = store.orderLine(l.orderId, l.line);
        if (!old) return unexpected(old.error());
        if (*old) {
            // Free what the line no longer needs: all of it when cancelled or moved to another
            // product, the excess when its quantity fell below what it holds (as the terminal).
            const auto& o = **old;
            Qty release = 0;
            if (l.cancelled || o.sku != l.sku)
                release = o.allocated;
            else if (o.allocated + o.picked > l.qty)
                release = std::min(o.allocated, o.allocated + o.picked - l.qty);
            if (release > 0) {
                TRY(store.changeLine(l.orderId, l.line, -release, 0));
                const Json entry{{"sku", o.sku},
                                 {"cause", "import"},
                                 {"allocations", Json::array()},
                                 {"releases", Json::array({Json{{"order_id", l.orderId}, {"line", l.line}, {"qty", release}}})}};
                auto seq = store.appendLog("allocation", entry.dump());
                if (!seq) return unexpected(seq.error());
            }
            touched.insert(o.sku);
        }
        TRY(store.saveOrderLine(l));
        const Json row{{"order_id", l.orderId}, {"line", l.line},          {"customer", l.customer},
                       {"email", l.email},      {"sku", l.sku},            {"qty", l.qty},
                       {"priority", l.priority}, {"ordered_at", l.orderedAt},
                       {"promised_at", l.promisedAt ? Json(*l.promisedAt) : Json()}, {"cancelled", l.cancelled}};
        auto seq = store.appendLog("order_line", row.dump());
        if (!seq) return unexpected(seq.error());
        touched.insert(l.sku);
        return {};
    };
    // Allocation runs after every row is written, in the same transaction, so the rule sees
    // the whole file's lines at once.
    ImportReport report;
    auto done = store.transact("importing backorders", [&]() -> Result<void> {
        for (size_t i = 0; i < rows.rows.size(); ++i) TRY(check(rows.rows[i], rows.lines[i], report));
        if (!report.errors.empty()) return {};
        for (const auto& row : rows.rows) TRY(write(row));
        for (const auto& sku : touched) TRY(settleProduct(store, sku, "import"));
        // New lines, cancels and changed quantities move ETAs (server/Notify.h).
        const std::vector<std::string> skus(touched.begin(), touched.end());
        return notifyProducts(store, skus, notifyClock(store));
    });
    if (!done) return unexpected(done.error());
    if (report.errors.empty()) report.imported = static_cast<int64_t>(rows.rows.size());
    return report;
}

} // namespace backfill::server
