// Releases a terminal made with an op, compared with the server's (docs/server.md, Releases).
// A move into quarantine or a count below the book gives allocations back on the terminal by
// the same rule as at the server (ledger::releaseLastServed), but on the terminal's book: when
// another device's allocations were unknown to it, the server releases other lines, or other
// amounts. What the terminal told its operator is then wrong, and each line that differs gets
// a correction.

#include "server/OpSupport.h"

#include <map>
#include <utility>

namespace backfill::server::detail {

namespace {

std::string releasedUnits(Qty n) { return std::to_string(n) + (n == 1 ? " unit" : " units"); }

} // namespace

std::optional<std::vector<Release>> releasedOf(const Json& j, std::optional<Bad>& bad)
{
    if (!j.contains("released")) return std::nullopt;
    std::vector<Release> out;
    eachObject(array(j, "released", "", true, bad), "released", bad, [&](const Json& item, const std::string& w) {
        Release r;
        r.orderId = text(item, "order_id", w, true, bad);
        r.line = number(item, "line", w, 0, bad);
        r.qty = quantity(item, "qty", w, 1, bad);
        out.push_back(std::move(r));
    });
    return out;
}

Result<void> compareReleases(ServerStore& store, std::string_view what, std::string_view sku, const std::vector<Release>& released,
                             Settlement& s)
{
    // Lines in the order the terminal released them, then those only the server released.
    std::vector<std::pair<std::string, int64_t>> order;
    std::map<std::pair<std::string, int64_t>, std::pair<Qty, Qty>> byLine; // terminal, server
    auto note = [&](const std::string& orderId, int64_t line) -> std::pair<Qty, Qty>& {
        const auto key = std::make_pair(orderId, line);
        if (!byLine.count(key)) order.push_back(key);
        return byLine[key];
    };
    for (const auto& r : released) note(r.orderId, r.line).first += r.qty;
    for (const auto& r : s.releases) note(r["order_id"].get<std::string>(), r["line"].get<int64_t>()).second += r["qty"].get<Qty>();
    for (const auto& key : order) {
        const auto [here, server] = byLine[key];
        if (here == server) continue;
        auto now = store.orderLine(key.first, key.second);
        if (!now) return unexpected(now.error());
        const std::string line = key.first + " line " + std::to_string(key.second);
        const std::string holds = *now ? releasedUnits((*now)->allocated) + " allocated at the server" : "no such line at the server";
        s.corrections.push_back({{"order_id", key.first},
                                 {"line", key.second},
                                 {"sku", std::string(sku)},
                                 {"old_qty", here},
                                 {"new_qty", server},
                                 {"release", true},
                                 {"message", line + ": this " + std::string(what) + " released " + releasedUnits(here) + " of " + std::string(sku) +
                                                 " from it here, the server released " + std::to_string(server) +
                                                 " (its book differed); the line has " + holds}});
    }
    return {};
}

} // namespace backfill::server::detail
