// TerminalStore: blind counts, recounts, a supervisor's approval or rejection, and the count
// tasks short picks raise (issue 10 item 4; docs/operations.md, Counts). The state diagram
// and which function performs each transition are in TerminalStore.h.

#include "store/StoreSupport.h"
#include "store/Uuid.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

namespace backfill::store {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::array<std::pair<TerminalStore::CountState, std::string_view>, 5> kStateNames{{
    {TerminalStore::CountState::Recount, "recount"},
    {TerminalStore::CountState::Pending, "pending"},
    {TerminalStore::CountState::Applied, "applied"},
    {TerminalStore::CountState::Rejected, "rejected"},
    {TerminalStore::CountState::Recounted, "recounted"},
}};

// kDefaultThreshold: DESIGN.md 1 and issue 10 item 4: max(2 units, 5 % of the book).
constexpr std::string_view kDefaultThreshold = "2,5%";

// CountThreshold is the parsed setting: a variance is within it when |variance| <= units or
// |variance| <= percent % of the book (the larger of the two wins).
struct CountThreshold {
    Qty units = 0;
    Qty percent = 0;
};

// parseThreshold reads "TERM[,TERM]" where a TERM is "N" (units) or "P%" (percent of the
// book), each a whole number 0..1000000; nullopt when malformed.
std::optional<CountThreshold> parseThreshold(std::string_view text)
{
    CountThreshold t;
    size_t start = 0;
    while (true) {
        const size_t comma = text.find(',', start);
        std::string_view term = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        const bool percent = !term.empty() && term.back() == '%';
        if (percent) term.remove_suffix(1);
        Qty n = 0;
        const auto [end, ec] = std::from_chars(term.data(), term.data() + term.size(), n);
        if (term.empty() || ec != std::errc() || end != term.data() + term.size() || n < 0 || n > 1000000)
            return std::nullopt;
        Qty& field = percent ? t.percent : t.units;
        field = std::max(field, n);
        if (comma == std::string_view::npos) return t;
        start = comma + 1;
    }
}

Json releasedJson(const std::vector<ReleasedAllocation>& released)
{
    Json out = Json::array();
    for (const auto& r : released) out.push_back({{"order_id", r.orderId}, {"line", r.line}, {"qty", r.qty}});
    return out;
}

Json claimsJson(const std::vector<StagedAllocation>& allocated)
{
    Json out = Json::array();
    for (const auto& a : allocated) out.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty}});
    return out;
}

// countOpPayload is what the server needs to apply a count itself: counted - book at the
// basis on top of its own book (DESIGN.md 1, Counts; P6). The server knows the basis as
// basis_cursor (the server log it had pulled) and basis_epoch/basis_device_seq (this
// device's last op written by then); the local event id and the op that wrote it are kept
// for people reading the log.
Json countOpPayload(const TerminalStore::CountOutcome& out)
{
    const auto& c = out.count;
    return Json{{"count_id", c.countId},
                {"state", TerminalStore::countStateName(c.state)},
                {"sku", c.sku},
                {"location", c.location},
                {"lot", c.lot.value_or("")},
                {"counted", c.counted},
                {"basis", c.basis},
                {"basis_op_id", c.basisOpId.value_or("")},
                {"book_at_basis", c.bookAtBasis},
                {"basis_cursor", c.basisCursor ? Json(*c.basisCursor) : Json(nullptr)},
                {"basis_epoch", c.basisEpoch ? Json(*c.basisEpoch) : Json(nullptr)},
                {"basis_device_seq", c.basisDeviceSeq ? Json(*c.basisDeviceSeq) : Json(nullptr)},
                {"variance", c.variance},
                {"attempt", c.attempt},
                {"recount_of", c.recountOf ? Json(*c.recountOf) : Json(nullptr)},
                {"adjusted", c.adjusted ? Json(*c.adjusted) : Json(nullptr)},
                {"holds_cleared", out.holdsCleared},
                {"tasks_done", out.tasksDone},
                {"released", releasedJson(out.released)},
                {"claims", claimsJson(out.allocated)}};
}

constexpr const char* kCountColumns =
    "SELECT c.id, c.state, p.sku, c.location, c.lot, c.counted, c.basis, c.book, c.variance, c.attempt, c.recount_of, "
    "c.adjusted, c.reason, c.note, c.operator, c.at, c.decided_by, c.decided_at, c.op_id, "
    "(SELECT e.op_id FROM events e WHERE e.id = c.basis), c.basis_cursor, c.basis_epoch, c.basis_device_seq FROM counts c JOIN products p ON p.id = c.product_id ";

TerminalStore::CountRow countFrom(const Statement& r)
{
    TerminalStore::CountRow c;
    c.countId = r.columnInt(0);
    c.state = TerminalStore::parseCountState(r.columnText(1)).value_or(TerminalStore::CountState::Recount);
    c.sku = r.columnText(2);
    c.location = r.columnText(3);
    c.lot = lotOrNull(r.columnText(4));
    c.counted = r.columnInt(5);
    c.basis = r.columnInt(6);
    c.bookAtBasis = r.columnInt(7);
    c.variance = r.columnInt(8);
    c.attempt = r.columnInt(9);
    c.recountOf = r.columnOptionalInt(10);
    c.adjusted = r.columnOptionalInt(11);
    c.reason = r.columnOptionalText(12);
    c.note = r.columnOptionalText(13);
    c.operatorName = r.columnText(14);
    c.at = r.columnInt(15);
    c.decidedBy = r.columnOptionalText(16);
    c.decidedAt = r.columnOptionalInt(17);
    c.opId = r.columnText(18);
    c.basisOpId = r.columnOptionalText(19);
    c.basisCursor = r.columnOptionalInt(20);
    c.basisEpoch = r.columnOptionalInt(21);
    c.basisDeviceSeq = r.columnOptionalInt(22);
    return c;
}

} // namespace

std::string_view TerminalStore::countStateName(CountState state)
{
    for (const auto& [s, name] : kStateNames)
        if (s == state) return name;
    return "recount";
}

std::optional<TerminalStore::CountState> TerminalStore::parseCountState(std::string_view text)
{
    for (const auto& [s, name] : kStateNames)
        if (name == text) return s;
    return std::nullopt;
}

Result<int64_t> TerminalStore::latestEventId()
{
    int64_t id = 0;
    TRY(m_db->prepare("SELECT COALESCE(MAX(id), 0) FROM events").first([&](const Statement& r) { id = r.columnInt(0); }));
    return id;
}

// ---------------------------------------------------------------------------------------
// Counting

Result<TerminalStore::CountOutcome> TerminalStore::count(const CountRequest& request, const Actor& actor)
{
    Database::Operation op(*m_db, "recording a count");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    auto out = countInTransaction(request, actor);
    if (!out) return out; // rolled back: nothing written
    TRY(tx->commit());
    return out;
}

Result<TerminalStore::CountOutcome> TerminalStore::countInTransaction(const CountRequest& request, const Actor& actor)
{
    auto pid = productId(request.sku);
    if (!pid) return unexpected(pid.error());
    auto kind = locationKind(request.location);
    if (!kind) return unexpected(kind.error());
    if (!*kind)
        return ledger::fail("unknown_location", "location '" + request.location +
                                                    "' is not in the locations list: check the label or import the "
                                                    "location");
    if (request.counted < 0) return ledger::fail("bad_qty", "a count is 0 or more units");
    if (request.counted > ledger::kMaxUnits)
        return ledger::fail("bad_qty", "a count of " + std::to_string(request.counted) + " units: the most is " + std::to_string(ledger::kMaxUnits));
    // The basis is read inside the write transaction, so no event can slip between it and
    // the count.
    auto latest = latestEventId();
    if (!latest) return unexpected(latest.error());
    const int64_t basis = request.basis.value_or(*latest);
    if (basis < 0 || basis > *latest)
        return ledger::fail("bad_basis", "basis " + std::to_string(basis) + " is not a ledger position of this terminal "
                                         "(0.." + std::to_string(*latest) + "): pass the event id the count began at, "
                                         "or leave --basis out for now");
    const std::string lot = request.lot.value_or("");

    // A key has at most one count in recount or pending (counts_open).
    std::optional<int64_t> openId;
    std::string openState;
    TRY(m_db->prepare("SELECT id, state FROM counts WHERE product_id = ? AND location = ? AND lot = ? "
                      "AND state IN ('recount', 'pending')")
            .bind(1, *pid)
            .bind(2, request.location)
            .bind(3, lot)
            .first([&](const Statement& r) {
                openId = r.columnInt(0);
                openState = r.columnText(1);
            }));
    // A third count while a supervisor decides would either repeat the pending one or let a
    // count within the threshold slip past the decision: refused.
    if (openId && openState == "pending")
        return ledger::fail("count_pending", "count " + std::to_string(*openId) + " of " + request.sku + " at '" +
                                                 request.location + "' waits for a supervisor: approve or reject it "
                                                 "before counting again");

    auto book = bookAtBasis(*pid, request.location, lot, basis);
    if (!book) return unexpected(book.error());
    const Qty variance = request.counted - *book;
    auto within = withinCountThreshold(variance, *book);
    if (!within) return unexpected(within.error());

    CountOutcome out;
    CountRow& c = out.count;
    c.sku = request.sku;
    c.location = request.location;
    c.lot = request.lot;
    c.counted = request.counted;
    c.basis = basis;
    c.bookAtBasis = *book;
    c.variance = variance;
    c.attempt = openId ? 2 : 1;
    c.recountOf = openId;
    c.operatorName = actor.operatorName;
    c.at = actor.at;
    c.state = *within ? CountState::Applied : openId ? CountState::Pending : CountState::Recount;
    c.opId = newUuid();
    TRY(m_db->prepare("SELECT op_id FROM events WHERE id = ?").bind(1, basis).first([&](const Statement& r) {
        c.basisOpId = r.columnOptionalText(0);
    }));
    TRY(serverBasis(c, *latest));

    // The count itself is a physical fact, whatever comes of it (the ledger's `counted`).
    ledger::Event e = eventBy(actor, EventKind::Counted, request.counted);
    e.location = request.location;
    e.lot = lot;
    TRY(appendEvent(e, *pid, 0, c.opId));
    TRY(m_db->prepare("INSERT INTO counts(product_id, location, lot, counted, basis, book, variance, state, attempt, "
                      "recount_of, operator, at, op_id, basis_cursor, basis_epoch, basis_device_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
            .bind(1, *pid)
            .bind(2, request.location)
            .bind(3, lot)
            .bind(4, c.counted)
            .bind(5, basis)
            .bind(6, c.bookAtBasis)
            .bind(7, c.variance)
            .bind(8, countStateName(c.state))
            .bind(9, c.attempt)
            .bindOptional(10, c.recountOf)
            .bind(11, c.operatorName)
            .bind(12, c.at)
            .bind(13, c.opId)
            .bindOptional(14, c.basisCursor)
            .bindOptional(15, c.basisEpoch)
            .bindOptional(16, c.basisDeviceSeq)
            .run());
    c.countId = m_db->lastInsertRowId();
    if (openId)
        TRY(m_db->prepare("UPDATE counts SET state = 'recounted' WHERE id = ?").bind(1, *openId).run());
    if (c.state == CountState::Applied) TRY(applyCount(out, *pid, actor, c.opId));
    TRY(appendOutbox(c.opId, "count", countOpPayload(out).dump(), actor.at));
    return out;
}

// The book at the basis is derived backwards from the book now: events has no index by
// product, but the events after the basis are a range of its primary key, and a count's
// basis is recent (the moment the counter opened the location).
Result<Qty> TerminalStore::bookAtBasis(int64_t productId, const std::string& location, const std::string& lot,
                                       int64_t basis)
{
    Qty now = 0, after = 0;
    TRY(m_db->prepare("SELECT qty FROM stock WHERE product_id = ? AND location = ? AND lot = ?")
            .bind(1, productId)
            .bind(2, location)
            .bind(3, lot)
            .first([&](const Statement& r) { now = r.columnInt(0); }));
    // The stock deltas of the ledger (ledger/Replay.h): received and adjusted add at their
    // location, picked takes, moved takes at `location` and adds at `to_location`.
    TRY(m_db->prepare("SELECT COALESCE(SUM(CASE WHEN kind IN ('received', 'adjusted') AND location = ?3 THEN qty "
                      "WHEN kind = 'picked' AND location = ?3 THEN -qty "
                      "WHEN kind = 'moved' AND location = ?3 THEN -qty "
                      "WHEN kind = 'moved' AND to_location = ?3 THEN qty ELSE 0 END), 0) "
                      "FROM events WHERE id > ?1 AND product_id = ?2 AND lot = ?4")
            .bind(1, basis)
            .bind(2, productId)
            .bind(3, location)
            .bind(4, lot)
            .first([&](const Statement& r) { after = r.columnInt(0); }));
    return now - after;
}

// The basis as the server knows it (DESIGN.md P6; docs/sync.md, Counts).
Result<void> TerminalStore::serverBasis(CountRow& c, int64_t latest)
{
    // The cursor the pulls had left when event `basis` was the latest: the last mark at or
    // before it (0: nothing pulled by then).
    int64_t cursor = 0;
    TRY(m_db->prepare("SELECT cursor FROM sync_marks WHERE event_id <= ? ORDER BY event_id DESC LIMIT 1")
            .bind(1, c.basis)
            .first([&](const Statement& r) { cursor = r.columnInt(0); }));
    // This device's last op written by then: every op so far when the basis is now, else the
    // ops before the first one that wrote an event after the basis (the outbox and the events
    // grow together, one transaction per action; ops without events move no stock).
    int64_t lastSeq = 0;
    TRY(m_db->prepare("SELECT COALESCE(MAX(device_seq), 0) FROM outbox").first([&](const Statement& r) { lastSeq = r.columnInt(0); }));
    if (c.basis < latest) {
        std::set<std::string> after;
        auto& e = m_db->prepare("SELECT DISTINCT op_id FROM events WHERE id > ? AND op_id IS NOT NULL AND op_id <> ''");
        e.bind(1, c.basis);
        while (e.step()) after.insert(e.columnText(0));
        TRY(fromStatement(e));
        e.reset();
        // Newest first: the ops after the basis are the outbox's last rows.
        std::optional<int64_t> first;
        if (!after.empty()) {
            auto& o = m_db->prepare("SELECT device_seq, op_id FROM outbox ORDER BY device_seq DESC");
            while (!after.empty() && o.step())
                if (after.erase(o.columnText(1)) > 0) first = o.columnInt(0);
            TRY(fromStatement(o));
            o.reset();
        }
        if (first) lastSeq = *first - 1;
    }
    // As the wire numbers it: from 1 within the epoch the op was written under.
    int64_t epoch = 0, seq = 0;
    TRY(m_db->prepare("SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'epoch'").first([&](const Statement& r) {
        epoch = r.columnInt(0);
    }));
    if (lastSeq > 0)
        TRY(m_db->prepare("SELECT o.epoch, o.device_seq - COALESCE((SELECT seq_base FROM sync_epochs WHERE epoch = o.epoch), 0) "
                          "FROM outbox o WHERE o.device_seq = ?")
                .bind(1, lastSeq)
                .first([&](const Statement& r) {
                    epoch = r.columnInt(0);
                    seq = std::max<int64_t>(r.columnInt(1), 0);
                }));
    c.basisCursor = cursor;
    c.basisEpoch = epoch;
    c.basisDeviceSeq = seq;
    return {};
}

Result<bool> TerminalStore::withinCountThreshold(Qty variance, Qty book)
{
    auto stored = setting("count_threshold");
    if (!stored) return unexpected(stored.error());
    const std::string text = stored->value_or(std::string(kDefaultThreshold));
    const auto threshold = parseThreshold(text);
    if (!threshold)
        return ledger::fail("bad_setting", "setting count_threshold is '" + text + "': write units and/or a percent "
                                           "of the book, such as \"2,5%\" (max of 2 units and 5 %), \"3\" or \"10%\"");
    const Qty size = variance < 0 ? -variance : variance;
    const Qty base = std::max<Qty>(book, 0);
    // Compared in whole numbers: |v| <= p % of book  <=>  100 |v| <= p * book.
    return size <= threshold->units || size * 100 <= threshold->percent * base;
}

Result<void> TerminalStore::applyCount(CountOutcome& out, int64_t productId, const Actor& actor, const std::string& opId)
{
    CountRow& c = out.count;
    const std::string lot = c.lot.value_or("");
    Qty now = 0, held = 0;
    TRY(m_db->prepare("SELECT qty, held FROM stock WHERE product_id = ? AND location = ? AND lot = ?")
            .bind(1, productId)
            .bind(2, c.location)
            .bind(3, lot)
            .first([&](const Statement& r) {
                now = r.columnInt(0);
                held = r.columnInt(1);
            }));
    // The variance goes on top of the book now, so what moved since the basis still counts
    // (DESIGN.md P6). Counted + later movements below zero cannot be on a shelf: the
    // location ends at 0 here, and the op carries counted, basis and book for the server.
    const Qty adjustment = std::max(c.variance, -now);
    if (adjustment != 0) {
        ledger::Event e = eventBy(actor, EventKind::Adjusted, adjustment);
        e.location = c.location;
        e.lot = lot;
        TRY(appendEvent(e, productId, 0, opId));
        TRY(addStock(productId, c.location, lot, adjustment));
    }
    c.adjusted = adjustment;
    // The count found what is there: the key's hold (units a short pick missed) is settled.
    if (held != 0) {
        ledger::Event e = eventBy(actor, EventKind::Held, -held);
        e.location = c.location;
        e.lot = lot;
        TRY(appendEvent(e, productId, 0, opId));
        TRY(m_db->prepare("UPDATE stock SET held = 0 WHERE product_id = ? AND location = ? AND lot = ?")
                .bind(1, productId)
                .bind(2, c.location)
                .bind(3, lot)
                .run());
        out.holdsCleared = held;
    }
    // The product's count tasks at the location are done once no lot of it is held there
    // (tasks are per location and product; holds per lot).
    bool stillHeld = false;
    TRY(m_db->prepare("SELECT 1 FROM stock WHERE product_id = ? AND location = ? AND held <> 0 LIMIT 1")
            .bind(1, productId)
            .bind(2, c.location)
            .first([&](const Statement&) { stillHeld = true; }));
    if (!stillHeld) {
        auto& t = m_db->prepare("SELECT id FROM count_tasks WHERE location = ? AND product_id = ? AND done_at IS NULL "
                                "ORDER BY id");
        t.bind(1, c.location).bind(2, productId);
        while (t.step()) out.tasksDone.push_back(t.columnInt(0));
        TRY(fromStatement(t));
        t.reset();
        if (!out.tasksDone.empty())
            TRY(m_db->prepare("UPDATE count_tasks SET done_at = ? WHERE location = ? AND product_id = ? AND done_at IS NULL")
                    .bind(1, actor.at)
                    .bind(2, c.location)
                    .bind(3, productId)
                    .run());
    }
    // Fewer units than allocated: the lines served last wait again; more (found units or
    // lifted holds): the allocation rule runs. Each is a no-op when the other case holds.
    auto released = releaseExcess(productId, actor, opId);
    if (!released) return unexpected(released.error());
    out.released = std::move(*released);
    auto allocated = allocateFree(productId, actor, opId);
    if (!allocated) return unexpected(allocated.error());
    out.allocated = std::move(*allocated);
    c.state = CountState::Applied;
    return m_db->prepare("UPDATE counts SET state = 'applied', adjusted = ? WHERE id = ?")
        .bind(1, adjustment)
        .bind(2, c.countId)
        .run();
}

// ---------------------------------------------------------------------------------------
// A supervisor's decision

Result<std::optional<TerminalStore::CountRow>> TerminalStore::readCount(int64_t countId)
{
    std::optional<CountRow> row;
    TRY(m_db->prepare(std::string(kCountColumns) + "WHERE c.id = ?").bind(1, countId).first([&](const Statement& r) {
        row = countFrom(r);
    }));
    return row;
}

namespace {

// pendingCount refuses a count that does not exist or is not waiting for a supervisor.
Result<TerminalStore::CountRow> pendingCount(const Result<std::optional<TerminalStore::CountRow>>& found, int64_t countId)
{
    if (!found) return unexpected(found.error());
    if (!*found)
        return ledger::fail("unknown_count", "count " + std::to_string(countId) + " does not exist: `backfill counts "
                                                                                  "--state pending` lists those waiting");
    if ((*found)->state != TerminalStore::CountState::Pending)
        return ledger::fail("not_pending", "count " + std::to_string(countId) + " is " +
                                               std::string(TerminalStore::countStateName((*found)->state)) +
                                               ", not pending: only a recount beyond the threshold waits for a "
                                               "supervisor");
    return **found;
}

} // namespace

Result<TerminalStore::CountOutcome> TerminalStore::approveCount(int64_t countId, const std::string& reason,
                                                                const std::optional<std::string>& note, const Actor& actor)
{
    Database::Operation op(*m_db, "approving a count");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    auto row = pendingCount(readCount(countId), countId);
    if (!row) return unexpected(row.error());
    bool known = false;
    TRY(m_db->prepare("SELECT 1 FROM reasons WHERE code = ? AND kind = 'adjust'").bind(1, reason).first([&](const Statement&) {
        known = true;
    }));
    if (!known)
        return ledger::fail("unknown_reason", "'" + reason + "' is not an adjustment reason: import it with `backfill "
                                                             "import reasons` (kind adjust)");
    auto pid = productId(row->sku);
    if (!pid) return unexpected(pid.error());
    CountOutcome out;
    out.count = *row;
    out.count.reason = reason;
    out.count.note = note;
    out.count.decidedBy = actor.operatorName;
    out.count.decidedAt = actor.at;
    TRY(m_db->prepare("UPDATE counts SET reason = ?, note = ?, decided_by = ?, decided_at = ? WHERE id = ?")
            .bind(1, reason)
            .bindOptional(2, note)
            .bind(3, actor.operatorName)
            .bind(4, actor.at)
            .bind(5, countId)
            .run());
    const std::string opId = newUuid();
    TRY(applyCount(out, *pid, actor, opId));
    Json payload = countOpPayload(out);
    payload["count_op_id"] = row->opId;
    payload["reason"] = reason;
    payload["note"] = note.value_or("");
    TRY(appendOutbox(opId, "count_approve", payload.dump(), actor.at));
    TRY(tx->commit());
    return out;
}

Result<TerminalStore::CountRow> TerminalStore::rejectCount(int64_t countId, const std::string& note, const Actor& actor)
{
    Database::Operation op(*m_db, "rejecting a count");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    auto row = pendingCount(readCount(countId), countId);
    if (!row) return unexpected(row.error());
    row->state = CountState::Rejected;
    row->note = note;
    row->decidedBy = actor.operatorName;
    row->decidedAt = actor.at;
    TRY(m_db->prepare("UPDATE counts SET state = 'rejected', note = ?, decided_by = ?, decided_at = ? WHERE id = ?")
            .bind(1, note)
            .bind(2, actor.operatorName)
            .bind(3, actor.at)
            .bind(4, countId)
            .run());
    // No stock changes and no event: the book stands. The op tells the server the count it
    // holds as pending is dropped.
    const Json payload{{"count_id", countId}, {"count_op_id", row->opId}, {"note", note}};
    TRY(appendOutbox(newUuid(), "count_reject", payload.dump(), actor.at));
    TRY(tx->commit());
    return *row;
}

// ---------------------------------------------------------------------------------------
// Lists

Result<std::vector<TerminalStore::CountRow>> TerminalStore::counts(std::optional<CountState> state)
{
    Database::Operation op(*m_db, "listing counts");
    std::vector<CountRow> rows;
    auto& s = m_db->prepare(std::string(kCountColumns) + "WHERE ?1 IS NULL OR c.state = ?1 ORDER BY c.id");
    if (state)
        s.bind(1, countStateName(*state));
    else
        s.bind(1, std::nullopt);
    while (s.step()) rows.push_back(countFrom(s));
    TRY(fromStatement(s));
    s.reset();
    return rows;
}

Result<std::vector<TerminalStore::CountTask>> TerminalStore::countTasks(bool all)
{
    Database::Operation op(*m_db, "listing count tasks");
    std::vector<CountTask> rows;
    auto& s = m_db->prepare("SELECT t.id, p.sku, t.location, t.reason, t.order_id, t.line, t.missing, t.created_by, "
                            "t.created_at, t.done_at FROM count_tasks t JOIN products p ON p.id = t.product_id "
                            "WHERE ?1 OR t.done_at IS NULL ORDER BY t.id");
    s.bind(1, int64_t(all ? 1 : 0));
    while (s.step()) {
        CountTask t;
        t.taskId = s.columnInt(0);
        t.sku = s.columnText(1);
        t.location = s.columnText(2);
        t.reason = s.columnText(3);
        t.orderId = s.columnOptionalText(4);
        t.line = s.columnOptionalInt(5);
        t.missing = s.columnInt(6);
        t.createdBy = s.columnText(7);
        t.createdAt = s.columnInt(8);
        t.doneAt = s.columnOptionalInt(9);
        rows.push_back(std::move(t));
    }
    TRY(fromStatement(s));
    s.reset();
    return rows;
}

} // namespace backfill::store
