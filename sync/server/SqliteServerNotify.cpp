// SqliteServerStore's customer notifications (issue 13 item 3; docs/backoffice.md,
// Notifications): the outbox, the ETA each line's customer was told, the waitlist and the
// unsubscribed addresses (migration 4).

#include "server/SqliteServerStore.h"

#include "store/Database.h"

namespace backfill::server {

using ledger::unexpected;
using store::fromStatement;
using store::Statement;

namespace {

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return ::backfill::ledger::unexpected(r_.error());                                  \
    } while (0)


std::optional<std::string> dateText(const std::optional<ledger::Date>& d)
{
    return d ? std::optional<std::string>(ledger::formatDate(*d)) : std::nullopt;
}

std::optional<ledger::Date> dateOf(const std::optional<std::string>& text)
{
    return text ? ledger::parseDate(*text) : std::nullopt;
}

constexpr const char* kColumns = "id, event, kind, email, customer, order_id, line, sku, qty, eta, previous_eta, day, subject, "
                                 "body, state, attempts, next_attempt_at, queued_at, sent_at, last_error";

NotificationRecord readRecord(const Statement& q)
{
    NotificationRecord r;
    r.id = q.columnInt(0);
    r.event = q.columnText(1);
    auto& n = r.notice;
    n.kind = ledger::parseNoticeKind(q.columnText(2)).value_or(ledger::NoticeKind::EtaFirst);
    n.email = q.columnText(3);
    n.customer = q.columnText(4);
    n.orderId = q.columnText(5);
    n.line = q.columnInt(6);
    n.sku = q.columnText(7);
    n.qty = q.columnInt(8);
    n.eta = dateOf(q.columnOptionalText(9));
    n.previousEta = dateOf(q.columnOptionalText(10));
    n.day = ledger::parseDate(q.columnText(11)).value_or(ledger::Date{});
    r.text.subject = q.columnText(12);
    r.text.body = q.columnText(13);
    r.state = q.columnText(14);
    r.attempts = q.columnInt(15);
    r.nextAttemptAt = q.columnInt(16);
    r.queuedAt = q.columnInt(17);
    r.sentAt = q.columnOptionalInt(18);
    r.lastError = q.columnOptionalText(19);
    return r;
}

} // namespace

Result<bool> SqliteServerStore::queueNotification(std::string_view event, const ledger::Notice& n, const ledger::MailText& text,
                                                  int64_t now)
{
    auto& q = m_db->prepare(
        "INSERT INTO notifications(event, kind, email, customer, order_id, line, sku, qty, eta, previous_eta, day, subject, "
        "body, state, queued_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
        "CASE WHEN EXISTS(SELECT 1 FROM unsubscribed WHERE email = ?14) THEN 'unsubscribed' ELSE 'pending' END, ?15) "
        "ON CONFLICT(event) DO NOTHING");
    q.bind(1, event)
        .bind(2, ledger::noticeKindName(n.kind))
        .bind(3, n.email)
        .bind(4, n.customer)
        .bind(5, n.orderId)
        .bind(6, n.line)
        .bind(7, n.sku)
        .bind(8, n.qty)
        .bindOptional(9, dateText(n.eta))
        .bindOptional(10, dateText(n.previousEta))
        .bind(11, ledger::formatDate(n.day))
        .bind(12, text.subject)
        .bind(13, text.body)
        .bind(14, ledger::normalizeEmail(n.email))
        .bind(15, now);
    TRY(q.run());
    return m_db->changes() > 0;
}

Result<std::vector<NotificationRecord>> SqliteServerStore::notifications(std::string_view state)
{
    auto& q = m_db->prepare(std::string("SELECT ") + kColumns + " FROM notifications WHERE ?1 = '' OR state = ?1 ORDER BY id");
    q.bind(1, state);
    std::vector<NotificationRecord> out;
    while (q.step()) out.push_back(readRecord(q));
    TRY(fromStatement(q));
    return out;
}

Result<std::vector<NotificationRecord>> SqliteServerStore::dueNotifications(int64_t now, bool ignoreBackoff, int64_t afterId, size_t max)
{
    auto& q = m_db->prepare(std::string("SELECT ") + kColumns +
                            " FROM notifications WHERE state = 'pending' AND id > ?3 AND (?2 OR next_attempt_at <= ?1) "
                            "ORDER BY id LIMIT ?4");
    q.bind(1, now).bind(2, int64_t{ignoreBackoff}).bind(3, afterId).bind(4, static_cast<int64_t>(max));
    std::vector<NotificationRecord> out;
    while (q.step()) out.push_back(readRecord(q));
    TRY(fromStatement(q));
    return out;
}

Result<bool> SqliteServerStore::markNotification(int64_t id, std::string_view state, int64_t now, int64_t nextAttemptAt,
                                                 std::optional<std::string_view> error)
{
    auto& q = m_db->prepare("UPDATE notifications SET state = ?2, attempts = attempts + 1, next_attempt_at = ?4, "
                            "sent_at = CASE WHEN ?2 = 'sent' THEN ?3 ELSE sent_at END, last_error = ?5 "
                            "WHERE id = ?1 AND state = 'pending'");
    q.bind(1, id).bind(2, state).bind(3, now).bind(4, nextAttemptAt);
    if (error)
        q.bind(5, *error);
    else
        q.bind(5, std::nullopt);
    TRY(q.run());
    return m_db->changes() > 0;
}

Result<std::map<std::pair<std::string, int64_t>, EtaMemoryRecord>> SqliteServerStore::etaMemories(std::string_view sku)
{
    std::map<std::pair<std::string, int64_t>, EtaMemoryRecord> out;
    auto& q = m_db->prepare("SELECT n.order_id, n.line, n.told_eta, n.last_day, n.deferred FROM order_lines o "
                            "JOIN notify_lines n ON n.order_id = o.order_id AND n.line = o.line "
                            "WHERE o.sku = ? AND o.cancelled = 0 AND o.picked < o.qty");
    q.bind(1, sku);
    while (q.step())
        out.emplace(std::pair{q.columnText(0), q.columnInt(1)},
                    EtaMemoryRecord{{true, dateOf(q.columnOptionalText(2)), ledger::parseDate(q.columnText(3))}, q.columnInt(4) != 0});
    TRY(fromStatement(q));
    return out;
}

Result<void> SqliteServerStore::saveEtaMemory(std::string_view orderId, int64_t line, const EtaMemoryRecord& record)
{
    const auto& m = record.memory;
    return m_db
        ->prepare("INSERT INTO notify_lines(order_id, line, told_eta, last_day, deferred) VALUES(?1,?2,?3,?4,?5) "
                  "ON CONFLICT(order_id, line) DO UPDATE SET told_eta = ?3, last_day = ?4, deferred = ?5")
        .bind(1, orderId)
        .bind(2, line)
        .bindOptional(3, dateText(m.toldEta))
        .bind(4, m.lastMessageDay ? ledger::formatDate(*m.lastMessageDay) : std::string())
        .bind(5, int64_t{record.deferred})
        .run();
}

Result<std::vector<std::string>> SqliteServerStore::deferredSkus()
{
    auto& q = m_db->prepare("SELECT DISTINCT o.sku FROM notify_lines n JOIN order_lines o ON o.order_id = n.order_id AND o.line = n.line "
                            "WHERE n.deferred = 1 AND o.cancelled = 0 AND o.allocated + o.picked < o.qty ORDER BY o.sku");
    std::vector<std::string> out;
    while (q.step()) out.push_back(q.columnText(0));
    TRY(fromStatement(q));
    return out;
}

Result<bool> SqliteServerStore::addToWaitlist(std::string_view email, std::string_view sku, ledger::Date day)
{
    TRY(m_db->prepare("INSERT INTO waitlist(email, sku, added_day) VALUES(?1,?2,?3) "
                      "ON CONFLICT(email, sku) DO UPDATE SET added_day = ?3, notified_day = NULL WHERE notified_day IS NOT NULL")
            .bind(1, ledger::normalizeEmail(email))
            .bind(2, sku)
            .bind(3, ledger::formatDate(day))
            .run());
    return m_db->changes() > 0;
}

Result<std::vector<std::string>> SqliteServerStore::waitlist(std::string_view sku)
{
    auto& q = m_db->prepare("SELECT email FROM waitlist WHERE sku = ? AND notified_day IS NULL ORDER BY email");
    q.bind(1, sku);
    std::vector<std::string> out;
    while (q.step()) out.push_back(q.columnText(0));
    TRY(fromStatement(q));
    return out;
}

Result<bool> SqliteServerStore::anyWaitlisted()
{
    bool any = false;
    TRY(m_db->prepare("SELECT 1 FROM waitlist WHERE notified_day IS NULL LIMIT 1").first([&](const Statement&) { any = true; }));
    return any;
}

Result<void> SqliteServerStore::markWaitlistNotified(std::string_view email, std::string_view sku, ledger::Date day)
{
    return m_db->prepare("UPDATE waitlist SET notified_day = ?3 WHERE email = ?1 AND sku = ?2")
        .bind(1, email)
        .bind(2, sku)
        .bind(3, ledger::formatDate(day))
        .run();
}

Result<bool> SqliteServerStore::unsubscribe(std::string_view email, ledger::Date day, int64_t& dropped)
{
    const std::string normal = ledger::normalizeEmail(email);
    TRY(m_db->prepare("INSERT INTO unsubscribed(email, day) VALUES(?,?) ON CONFLICT(email) DO NOTHING")
            .bind(1, normal)
            .bind(2, ledger::formatDate(day))
            .run());
    const bool added = m_db->changes() > 0;
    // Addresses are stored as the order lines spell them; compare them normalised.
    TRY(m_db->prepare("UPDATE notifications SET state = 'unsubscribed' WHERE state = 'pending' AND lower(trim(email)) = ?")
            .bind(1, normal)
            .run());
    dropped = m_db->changes();
    return added;
}

Result<std::map<std::string, int64_t>> SqliteServerStore::notificationCounts()
{
    std::map<std::string, int64_t> out;
    auto& q = m_db->prepare("SELECT state, COUNT(*) FROM notifications GROUP BY state");
    while (q.step()) out[q.columnText(0)] = q.columnInt(1);
    TRY(fromStatement(q));
    return out;
}

Result<std::string> SqliteServerStore::notifyInstance()
{
    std::string id;
    TRY(m_db->prepare("SELECT id FROM notify_instance").first([&](const Statement& r) { id = r.columnText(0); }));
    return id;
}

} // namespace backfill::server
