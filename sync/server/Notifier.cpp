#include "server/Notifier.h"

#include "server/Notify.h"
#include "server/SqliteServerStore.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace backfill::server {

using ledger::unexpected;

namespace {

int64_t systemNow() { return static_cast<int64_t>(std::time(nullptr)); }

// rfc5322Date writes `Sat, 05 Dec 2026 12:40:39 +0000` (RFC 5322 3.3), in UTC and without
// the locale (strftime's %a would follow it).
std::string rfc5322Date(int64_t now)
{
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const time_t t = static_cast<time_t>(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon],
                  tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string base64(std::string_view in)
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], kAlphabet[v & 63]};
    }
    if (i + 1 == in.size()) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
    }
    return out;
}

// headerText keeps a header value on one line and encodes it (RFC 2047, B) when it is not
// printable ASCII.
std::string headerText(std::string_view value)
{
    std::string flat;
    bool plain = true;
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\r' || c == '\n' || c == '\t') {
            flat += ' ';
            continue;
        }
        if (u >= 0x80 || u < 0x20) plain = false;
        flat += c;
    }
    if (plain) return flat;
    return "=?UTF-8?B?" + base64(flat) + "?=";
}

// crlfBody turns LF line ends into CRLF and breaks lines beyond 998 bytes.
std::string crlfBody(std::string_view body)
{
    std::string out;
    size_t column = 0;
    for (const char c : body) {
        if (c == '\r') continue;
        if (c == '\n') {
            out += "\r\n";
            column = 0;
            continue;
        }
        if (column == 998) {
            out += "\r\n";
            column = 0;
        }
        out += c;
        ++column;
    }
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
    return out;
}

} // namespace

std::string messageId(int64_t id, std::string_view instance) { return "<n" + std::to_string(id) + "." + std::string(instance) + "@backfilld>"; }

std::string composeMessage(const NotificationRecord& r, std::string_view from, std::string_view id, int64_t now)
{
    std::string m;
    m += "Date: " + rfc5322Date(now) + "\r\n";
    m += "From: <" + std::string(from) + ">\r\n";
    m += "To: <" + r.notice.email + ">\r\n";
    m += "Subject: " + headerText(r.text.subject) + "\r\n";
    m += "Message-ID: " + std::string(id) + "\r\n";
    m += "MIME-Version: 1.0\r\n";
    m += "Content-Type: text/plain; charset=UTF-8\r\n";
    m += "Content-Transfer-Encoding: 8bit\r\n";
    m += "Auto-Submitted: auto-generated\r\n";
    m += "List-Unsubscribe: <mailto:" + std::string(from) + "?subject=unsubscribe>\r\n";
    m += "X-Backfill-Notice: " + std::string(ledger::noticeKindName(r.notice.kind)) + "\r\n";
    m += "\r\n";
    m += crlfBody(r.text.body);
    return m;
}

Result<DeliverReport> deliverDue(ServerStore& store, SmtpClient& smtp, const DeliverOptions& options)
{
    const auto now = options.now ? options.now : std::function<int64_t()>(&systemNow);
    DeliverReport report;
    auto instance = store.notifyInstance();
    if (!instance) return unexpected(instance.error());
    // Due messages are read in pages by id; a message that failed again is not due in this
    // run (its next attempt is later), and `after` never revisits it anyway.
    int64_t after = 0;
    int64_t attempts = 0;
    const int64_t startedAt = now();
    while (true) {
        auto due = store.dueNotifications(startedAt, options.ignoreBackoff, after, 100);
        if (!due) return unexpected(due.error());
        if (due->empty()) return report;
        for (const auto& r : *due) {
            if ((options.stop && options.stop->load()) || (options.max >= 0 && attempts >= options.max)) return report;
            after = r.id;
            ++attempts;
            const int64_t sendTime = now();
            const auto sent = smtp.send(r.notice.email, composeMessage(r, smtp.options().from, messageId(r.id, *instance), sendTime));
            const int64_t done = now();
            std::string state = "sent";
            int64_t next = 0;
            std::optional<std::string_view> error;
            if (!sent.ok) {
                error = sent.error;
                state = sent.permanent ? "failed" : "pending";
                if (!sent.permanent) next = done + ledger::retryDelaySeconds(r.attempts + 1);
            }
            auto marked = store.transact("recording a sent notification", [&]() -> Result<void> {
                auto m = store.markNotification(r.id, state, done, next, error);
                if (!m) return unexpected(m.error());
                return {};
            });
            if (!marked) return unexpected(marked.error());
            if (state == "sent")
                ++report.sent;
            else if (state == "failed")
                ++report.failed;
            else
                ++report.retry;
        }
    }
}

Result<std::unique_ptr<SenderLock>> SenderLock::acquire(const std::string& dbPath)
{
    const std::string path = dbPath + "-notify.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ledger::fail("notify_lock", path + ": cannot open the sender's lock file: " + std::strerror(errno));
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        const int e = errno;
        ::close(fd);
        return ledger::fail("notify_lock", path + ": cannot lock: " + std::strerror(e));
    }
    return std::unique_ptr<SenderLock>(new SenderLock(fd));
}

SenderLock::~SenderLock()
{
    if (m_fd >= 0) ::close(m_fd);
}

BackgroundSender::BackgroundSender(Options options) : m_options(std::move(options)), m_thread([this] { run(); }) {}

BackgroundSender::~BackgroundSender()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
}

void BackgroundSender::wake()
{
    {
        std::lock_guard lock(m_mutex);
        m_woken = true;
    }
    m_cv.notify_all();
}

void BackgroundSender::run()
{
    auto report = [](const ledger::Error& e) {
        const std::string line = nlohmann::ordered_json{{"code", e.code}, {"error", "notifications: " + e.message}}.dump(
            -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        std::fprintf(stderr, "%s\n", line.c_str());
    };
    SmtpClient smtp(m_options.smtp);
    std::unique_ptr<SqliteServerStore> store;
    while (!m_stop) {
        [&] {
            if (!store) {
                auto opened = SqliteServerStore::open(m_options.dbPath);
                if (!opened) return report(opened.error());
                store = std::move(*opened);
            }
            auto lock = SenderLock::acquire(m_options.dbPath);
            if (!lock) return report(lock.error());
            const int64_t now = systemNow();
            const NotifyClock clock{m_options.today.value_or(ledger::dateOf(now)), now};
            if (auto d = notifyDeferred(*store, clock); !d) return report(d.error());
            DeliverOptions options;
            options.stop = &m_stop;
            if (auto d = deliverDue(*store, smtp, options); !d) return report(d.error());
        }();
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, m_options.interval, [&] { return m_stop.load() || m_woken; });
        m_woken = false;
    }
}

} // namespace backfill::server
