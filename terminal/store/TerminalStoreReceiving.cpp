// TerminalStore: receiving (group commit, receipts, inbound and SSCC matching, allocation).

#include "store/StoreSupport.h"
#include "store/JsonText.h"
#include "store/Uuid.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace backfill::store {

namespace {

// receivePayload is the outbox payload of a receipt: {"scan", "location", "lines": [{"sku",
// "qty", "lot"[, "expiry"], "sscc", "claims": [{"order_id", "line", "qty"[, "stage",
// "staged"]}]}]}, the bytes nlohmann's dump() makes of it (a line names its lot's expiry
// "YYYY-MM-DD" only when the scan gave a lot and an expiry, which is when the lot is
// registered with one; a claim names its lane only when units of the receipt were carried
// there). Written directly (store/JsonText.h) unless some text is not ASCII.
std::string receivePayload(const ReceiptRequest& request, const std::vector<ReceivedLine>& lines)
{
    std::string out;
    out.reserve(256);
    bool ascii = true;
    auto field = [&](std::string_view name, std::string_view text) {
        out += name;
        ascii = ascii && appendJsonString(out, text);
    };
    auto number = [&](std::string_view name, int64_t n) {
        out += name;
        appendJsonInt(out, n);
    };
    field("{\"scan\":", request.scan);
    field(",\"location\":", request.location);
    out += ",\"lines\":[";
    for (size_t i = 0; i < lines.size(); ++i) {
        const auto& l = lines[i];
        field(i ? ",{\"sku\":" : "{\"sku\":", l.sku);
        number(",\"qty\":", l.qty);
        field(",\"lot\":", l.lot ? std::string_view(*l.lot) : std::string_view());
        if (l.lot && l.expiry) field(",\"expiry\":", ledger::formatDate(*l.expiry));
        field(",\"sscc\":", l.sscc ? std::string_view(*l.sscc) : std::string_view());
        out += ",\"claims\":[";
        for (size_t k = 0; k < l.allocations.size(); ++k) {
            const auto& a = l.allocations[k];
            field(k ? ",{\"order_id\":" : "{\"order_id\":", a.orderId);
            number(",\"line\":", a.line);
            number(",\"qty\":", a.qty);
            if (a.staged > 0) {
                field(",\"stage\":", a.stage.value_or(""));
                number(",\"staged\":", a.staged);
            }
            out += '}';
        }
        out += "]}";
    }
    out += "]}";
    if (ascii) return out;

    nlohmann::ordered_json payload{{"scan", request.scan}, {"location", request.location}};
    auto& jl = payload["lines"] = nlohmann::ordered_json::array();
    for (const auto& l : lines) {
        nlohmann::ordered_json claims = nlohmann::ordered_json::array();
        for (const auto& a : l.allocations) {
            claims.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty}});
            if (a.staged > 0) {
                claims.back()["stage"] = a.stage.value_or("");
                claims.back()["staged"] = a.staged;
            }
        }
        nlohmann::ordered_json line{{"sku", l.sku}, {"qty", l.qty}, {"lot", l.lot.value_or("")}};
        if (l.lot && l.expiry) line["expiry"] = ledger::formatDate(*l.expiry);
        line["sscc"] = l.sscc.value_or("");
        line["claims"] = std::move(claims);
        jl.push_back(std::move(line));
    }
    return payload.dump();
}

} // namespace

// ---------------------------------------------------------------------------------------
// Receiving

Result<void> TerminalStore::begin()
{
    Database::Operation op(*m_db, "starting a group of scans");
    TRY(m_db->prepare("BEGIN IMMEDIATE").run());
    m_inBatch = true;
    return {};
}

Result<void> TerminalStore::commit()
{
    Database::Operation op(*m_db, "committing a group of scans");
    if (!m_inBatch) return {};
    m_inBatch = false;
    if (auto r = m_db->prepare("COMMIT").run(); !r) {
        (void)m_db->prepare("ROLLBACK").run();
        return r;
    }
    return {};
}

Result<std::vector<ReceivedLine>> TerminalStore::receive(const ReceiptRequest& request, const Actor& actor)
{
    Database::Operation op(*m_db, "receiving a scan");
    if (m_inBatch) {
        Savepoint sp(*m_db);
        auto lines = receiveInTransaction(request, actor);
        if (lines) TRY(sp.release());
        return lines;
    }
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    auto lines = receiveInTransaction(request, actor);
    if (!lines) return lines;
    TRY(tx->commit());
    return lines;
}

Result<ReceivedLine> TerminalStore::receiveUnits(int64_t productId, const std::string& sku, Qty qty, bool quarantine,
                                                 const std::optional<std::string>& lot,
                                                 const std::optional<ledger::Date>& expiry,
                                                 const std::optional<std::string>& sscc, int64_t inboundLineId,
                                                 const std::string& location, const Actor& actor, const std::string& opId)
{
    ReceivedLine out;
    out.qty = qty;
    out.lot = lot;
    out.expiry = expiry;
    out.sscc = sscc;
    out.location = location;
    out.sku = sku;
    ledger::Event e = eventBy(actor, EventKind::Received, qty);
    e.location = location;
    e.lot = lot.value_or("");
    e.expiry = expiry;
    e.sscc = sscc.value_or("");
    TRY(appendEvent(e, productId, 0, opId));
    if (lot && expiry) TRY(registerLot(productId, *lot, *expiry));

    if (inboundLineId) {
        TRY(m_db->prepare("UPDATE inbound_lines SET received = received + ? WHERE id = ?").bind(1, qty).bind(2, inboundLineId).run());
    } else {
        // Loose receipts reduce the product's open inbound lines that are not on a pallet, in
        // (eta, inbound_id, file row) order; beyond them the receipt is an over-receipt.
        Qty left = qty;
        std::vector<std::pair<int64_t, Qty>> take;
        auto& open = m_db->prepare("SELECT id, qty - received FROM inbound_lines INDEXED BY inbound_loose "
                                   "WHERE product_id = ? AND sscc = '' AND qty > received ORDER BY eta, inbound_id, id");
        open.bind(1, productId);
        while (left > 0 && open.step()) {
            const Qty n = std::min(left, open.columnInt(1));
            take.emplace_back(open.columnInt(0), n);
            left -= n;
        }
        TRY(fromStatement(open));
        open.reset();
        for (const auto& [id, n] : take)
            TRY(m_db->prepare("UPDATE inbound_lines SET received = received + ? WHERE id = ?").bind(1, n).bind(2, id).run());
        out.overReceipt = left;
    }

    // The received units are free stock for the allocation; their stock rows are written after
    // it, net of what goes on to staging lanes (one write per location).
    // Units received into quarantine are held there: on hand, not for customers; so are
    // units of a lot that has expired (on hand, never allocated).
    const bool expired = expiry && *expiry < actor.today;
    auto allocations = quarantine || expired ? Result<std::vector<StagedAllocation>>(std::vector<StagedAllocation>{})
                                             : allocateFree(productId, actor, opId, qty);
    if (!allocations) return unexpected(allocations.error());
    Qty allocatedQty = 0, staged = 0;
    for (auto& a : *allocations) {
        allocatedQty += a.qty;
        // The receiver carries allocated units straight to the order's staging lane: only
        // units of this receipt (an allocation beyond them took free stock that sits elsewhere).
        const Qty carry = std::min(a.qty, qty - staged);
        if (a.stage && *a.stage != location && carry > 0) {
            ledger::Event move = e;
            move.kind = EventKind::Moved;
            move.qty = carry;
            move.toLocation = *a.stage;
            move.sscc.clear();
            TRY(appendEvent(move, productId, 0, opId));
            TRY(addStock(productId, *a.stage, e.lot, carry));
            staged += carry;
            a.staged = carry;
        }
    }
    if (qty > staged) TRY(addStock(productId, location, e.lot, qty - staged));
    out.allocations = std::move(*allocations);
    out.toStock = std::max<Qty>(0, qty - allocatedQty);
    // A receipt that makes a lot known to be expired can leave units allocated from that lot
    // (counted in before its expiry was known) uncovered: the lines served last give them back.
    if (expired) {
        auto released = releaseExcess(productId, actor, opId);
        if (!released) return unexpected(released.error());
        out.released = std::move(*released);
    }
    return out;
}

Result<std::vector<ReceivedLine>> TerminalStore::receiveInTransaction(const ReceiptRequest& request, const Actor& actor)
{
    std::vector<ReceivedLine> lines;
    bool quarantine = false;
    {
        // An empty location table (no master data yet) accepts the default DOCK.
        bool known = false, haveLocations = false;
        TRY(m_db->prepare("SELECT (SELECT kind FROM locations WHERE code = ?), EXISTS(SELECT 1 FROM locations)")
                .bind(1, request.location)
                .first([&](const Statement& r) {
                    known = !r.columnIsNull(0);
                    quarantine = known && r.columnText(0) == "quarantine";
                    haveLocations = r.columnInt(1) != 0;
                }));
        if (!known && haveLocations)
            return ledger::fail("unknown_location", "location '" + request.location + "' is not in the locations list");
    }
    // The op_id is made first so every event of the scan carries it; the outbox row is
    // written once, at the end, with the whole intent.
    const std::string opId = newUuid();

    if (request.sscc) {
        const std::string& sscc = *request.sscc;
        auto received = m_db->prepare("SELECT 1 FROM received_ssccs WHERE sscc = ?").bind(1, sscc).first([](const Statement&) {});
        if (!received) return unexpected(received.error());
        if (*received) return ledger::fail("sscc_received", "pallet SSCC " + sscc + " was already received");
        std::vector<std::tuple<int64_t, int64_t, Qty, std::string>> palletLines; // inbound line id, product, qty, sku
        auto& q = m_db->prepare("SELECT l.id, l.product_id, l.qty, p.sku FROM inbound_lines l JOIN products p ON p.id = l.product_id "
                                "WHERE l.sscc = ? AND l.sscc <> '' ORDER BY l.id");
        q.bind(1, sscc);
        while (q.step()) palletLines.emplace_back(q.columnInt(0), q.columnInt(1), q.columnInt(2), q.columnText(3));
        TRY(fromStatement(q));
        q.reset();
        if (palletLines.empty())
            return ledger::fail("sscc_unannounced", "pallet SSCC " + sscc + " is not announced by any inbound: "
                                                    "receive its cases one by one or import the ASN");
        for (const auto& [lineId, pid, qty, sku] : palletLines) {
            auto line = receiveUnits(pid, sku, qty, quarantine, std::nullopt, std::nullopt, sscc, lineId, request.location, actor, opId);
            if (!line) return unexpected(line.error());
            lines.push_back(std::move(*line));
        }
        TRY(m_db->prepare("INSERT INTO received_ssccs(sscc, event_id) VALUES(?, (SELECT MAX(id) FROM events))").bind(1, sscc).run());
    } else if (request.gtin) {
        std::optional<std::tuple<int64_t, Qty, std::string>> found;
        TRY(m_db->prepare("SELECT g.product_id, g.units, p.sku FROM gtins g JOIN products p ON p.id = g.product_id WHERE g.gtin = ?")
                .bind(1, *request.gtin)
                .first([&](const Statement& r) { found.emplace(r.columnInt(0), r.columnInt(1), r.columnText(2)); }));
        if (!found)
            return ledger::fail("unknown_gtin", "GTIN " + *request.gtin + " is not in the catalog: check the label or "
                                                "add the product");
        if (request.count <= 0) return ledger::fail("bad_count", "count must be at least 1");
        const auto& [pid, units, sku] = *found;
        // A case GTIN's units times the scan's count (a catalog from before kMaxUnits may hold
        // larger cases): no receipt names more than kMaxUnits units.
        if (request.count > ledger::kMaxUnits / std::max<Qty>(units, 1))
            return ledger::fail("bad_count", std::to_string(request.count) + " x " + std::to_string(units) +
                                                 " units is more than one receipt may name (" + std::to_string(ledger::kMaxUnits) +
                                                 "): check the label");
        auto line = receiveUnits(pid, sku, units * request.count, quarantine, request.lot, request.expiry, std::nullopt, 0,
                                 request.location, actor, opId);
        if (!line) return unexpected(line.error());
        lines.push_back(std::move(*line));
    } else {
        return ledger::fail("not_receivable", "the scan names neither a pallet (00) nor a product (01/02)");
    }

    TRY(appendOutbox(opId, "receive", receivePayload(request, lines), actor.at));
    return lines;
}

} // namespace backfill::store
