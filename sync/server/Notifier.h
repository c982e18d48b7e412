#pragma once
// Sending the queued customer messages (issue 13 item 3; docs/backoffice.md, Notifications):
// `backfilld notify` runs deliverDue once; `backfilld serve --smtp URL` runs it in the
// background (BackgroundSender).
//
// Delivery is at least once, never twice for a completed send:
//   pending --relay accepted--> sent          (recorded right after the relay's 250)
//   pending --4xx, no relay--> pending        (attempts + 1, next try after the back-off,
//                                              ledger::retryDelaySeconds)
//   pending --5xx--> failed                   (refused for good; last_error says why)
//   pending --`unsubscribe EMAIL`--> unsubscribed
// A sender that dies between the relay's acceptance and its record sends that one message
// again on its next run, with the same Message-ID (stable per queued event: the outbox id
// and this database's random instance id), so the receiving side can tell it is the same.
// One sender at a time per database (SenderLock), so two never send the same message.

#include "server/ServerStore.h"
#include "server/SmtpClient.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace backfill::server {

// messageId is the Message-ID of outbox entry `id`: `<n{id}.{instance}@backfilld>`.
std::string messageId(int64_t id, std::string_view instance);

// composeMessage writes the RFC 5322 message (CRLF line ends): Date (`now`), From, To,
// Subject (RFC 2047 encoded when not ASCII), Message-ID, MIME headers for UTF-8 plain text,
// Auto-Submitted, List-Unsubscribe (mailto: the From address, subject "unsubscribe"), then
// the body. Lines longer than 998 bytes are broken (RFC 5322 2.1.1).
std::string composeMessage(const NotificationRecord& record, std::string_view from, std::string_view messageId, int64_t now);

struct DeliverOptions {
    std::function<int64_t()> now;    // seconds since 1970; default the system clock
    bool ignoreBackoff = false;      // send every pending message now (the relay is back)
    int64_t max = -1;                // at most this many attempts (-1: all that are due)
    const std::atomic<bool>* stop = nullptr; // checked between messages
};

// DeliverReport counts one run's attempts by outcome.
struct DeliverReport {
    int64_t sent = 0;
    int64_t retry = 0;  // left pending for a later attempt
    int64_t failed = 0; // refused for good
};

// deliverDue sends every pending message that is due, oldest first, each recorded in its own
// transaction after the relay answered. Fails only when the store fails (what was sent
// before stays recorded).
Result<DeliverReport> deliverDue(ServerStore& store, SmtpClient& smtp, const DeliverOptions& options = {});

// SenderLock holds an exclusive lock (flock) on `DB-notify.lock` beside the database while a
// sender runs; released when it is destroyed or the process dies.
class SenderLock {
public:
    // acquire waits for the lock; fails with notify_lock (the file cannot be opened).
    static Result<std::unique_ptr<SenderLock>> acquire(const std::string& dbPath);
    ~SenderLock();

private:
    explicit SenderLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

// BackgroundSender runs, every `interval` until stopped: take the SenderLock, queue the ETA
// messages held back by the daily limit (server/Notify.h notifyDeferred), deliverDue.
// Failures are written to stderr as {"code","error"} lines and tried again next round.
class BackgroundSender {
public:
    struct Options {
        std::string dbPath;
        SmtpOptions smtp;
        std::chrono::milliseconds interval{5000};
        std::optional<ledger::Date> today; // --today, else the clock's date
    };
    explicit BackgroundSender(Options options);
    ~BackgroundSender(); // stops and joins
    // wake starts a round now (a push or an import may have queued something).
    void wake();

private:
    void run();
    Options m_options;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_woken = false;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace backfill::server
