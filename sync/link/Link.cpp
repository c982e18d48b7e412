#include "link/Link.h"

#include "protocol/Codec.h"
#include "transport/Transport.h"

#include <algorithm>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace backfill::link {

namespace {

using ledger::unexpected;

LinkError local(const ledger::Error& e) { return {Failure::Local, e}; }
LinkError protocolError(std::string code, std::string message) { return {Failure::Protocol, {std::move(code), std::move(message)}}; }

// Codes the server records with a Rejected op (docs/server.md, Outcomes): it will never apply
// the op and answers a resend as a duplicate, so the link acknowledges it and reports it.
bool recordedRejection(const std::string& code)
{
    static const std::set<std::string> kRecorded{"bad_payload",     "unknown_sku",    "unknown_location", "unknown_line",
                                                 "unknown_receipt", "already_undone", "undo_blocked",     "enrolled"};
    return kRecorded.contains(code);
}

} // namespace

// Session holds one round's connection and session id. Not in the anonymous namespace:
// ChangeWatcher::Impl (below) holds one, and a class with external linkage may not have a
// member of an internal type (-Wsubobject-linkage, which a unity build reports).
class Session {
public:
    Session(LinkStore& store, Identity identity, const LinkOptions& options)
        : m_store(store), m_identity(std::move(identity)), m_options(options)
    {
    }

    Result<void, LinkError> open()
    {
        if (m_options.exchange) return {};
        transport::ClientOptions o;
        o.url = m_identity.server;
        o.timeout = m_options.timeout;
        o.reconnectMin = std::chrono::milliseconds(100);
        o.reconnectMax = std::chrono::milliseconds(2000);
        if (!m_identity.caFile.empty() || !m_identity.tlsServerName.empty())
            o.tls = transport::TlsFiles{"", "", m_identity.caFile, m_identity.tlsServerName};
        auto client = transport::Client::open(o);
        if (!client) return unexpected(LinkError{Failure::Unreachable, client.error()});
        m_client = std::move(*client);
        return {};
    }

    // exchange sends `request` and returns the reply, resending the same bytes after a timeout
    // or a lost connection; an Error reply becomes a LinkError by its code.
    Result<protocol::Message, LinkError> exchange(const protocol::Message& request, std::optional<std::chrono::milliseconds> timeout = std::nullopt)
    {
        const auto limit = timeout.value_or(m_options.timeout);
        auto bytes = protocol::encodeChecked(request);
        if (!bytes) return unexpected(protocolError(bytes.error().code, "the terminal built a message the protocol refuses: " + bytes.error().message));
        auto pause = m_options.retryPause;
        for (int attempt = 0;; ++attempt) {
            auto reply = m_options.exchange ? m_options.exchange(m_identity.server, *bytes, limit) : m_client->request(*bytes, limit);
            if (!reply) {
                const auto& code = reply.error().code;
                const bool retry = code == "timeout" || code == "unreachable";
                if (!retry) return unexpected(LinkError{code == "too_large" ? Failure::Protocol : Failure::Unreachable, reply.error()});
                if (attempt >= m_options.retries)
                    return unexpected(LinkError{Failure::Unreachable,
                                                {code, "server " + m_identity.server + " unreachable after " + std::to_string(attempt + 1) +
                                                           " attempts: " + reply.error().message +
                                                           "; the ops stay in the outbox: run `backfill sync` again when the network is back"}});
                wait(pause);
                pause = std::min(pause * 2, m_options.retryPauseMax);
                continue;
            }
            auto message = protocol::decode(*reply);
            if (!message) return unexpected(protocolError(message.error().code, "server reply refused: " + message.error().message));
            if (const auto* e = std::get_if<protocol::Error>(&*message)) {
                // A busy server database is transient: try again like a timeout.
                if (e->code.starts_with("db_") && attempt < m_options.retries) {
                    wait(pause);
                    pause = std::min(pause * 2, m_options.retryPauseMax);
                    continue;
                }
                return unexpected(LinkError{failureOfServerCode(e->code), {e->code, "server " + m_identity.server + ": " + e->message}});
            }
            return std::move(*message);
        }
    }

    void wait(std::chrono::milliseconds pause)
    {
        if (m_options.pause)
            m_options.pause(pause);
        else
            std::this_thread::sleep_for(pause);
    }

    // hello signs in (epoch >= 1) or enrols (epoch 0) and keeps the session id.
    Result<protocol::HelloAck, LinkError> hello(int64_t epoch)
    {
        protocol::Hello h;
        h.deviceId = m_identity.deviceId;
        h.epoch = epoch;
        h.token = m_identity.token;
        auto reply = exchange(h);
        if (!reply) return unexpected(reply.error());
        const auto* ack = std::get_if<protocol::HelloAck>(&*reply);
        if (!ack) return unexpected(protocolError("unexpected_message", std::string("the server answered hello with ") + protocol::messageName(*reply)));
        m_session = ack->sessionId;
        return *ack;
    }

    // request sends a Push or Pull under the session, signing in again once when the server
    // forgot the session.
    template <class Reply, class Request>
    Result<Reply, LinkError> request(Request r, std::optional<std::chrono::milliseconds> timeout = std::nullopt)
    {
        for (int attempt = 0;; ++attempt) {
            if (m_session.empty()) // the first request of a ChangeWatcher: sign in first
                if (auto h = hello(m_identity.epoch); !h) return unexpected(h.error());
            r.auth = protocol::Session{m_session};
            auto reply = exchange(r, timeout);
            if (!reply) {
                if (reply.error().error.code == "unknown_session" && attempt == 0) {
                    if (auto h = hello(m_identity.epoch); !h) return unexpected(h.error());
                    continue;
                }
                return unexpected(reply.error());
            }
            auto* typed = std::get_if<Reply>(&*reply);
            if (!typed) return unexpected(protocolError("unexpected_message", std::string("the server answered ") + protocol::messageName(protocol::Message(r)) + " with " +
                                                                                  protocol::messageName(*reply)));
            return std::move(*typed);
        }
    }

    // nextPush is the next Push of unsent ops: the oldest, or those after the op `after`
    // (epoch, device_seq) when pushes are in flight; as many as fit (at least one: an op
    // alone always fits). nullopt: nothing to send.
    Result<std::optional<protocol::Push>, LinkError> nextPush(std::optional<std::pair<int64_t, int64_t>> after)
    {
        auto ops = m_store.unsentOps(protocol::kMaxOpsPerPush, after);
        if (!ops) return unexpected(local(ops.error()));
        if (ops->empty()) return std::optional<protocol::Push>{};
        size_t bytes = 0, fit = 0;
        for (; fit < ops->size(); ++fit) {
            bytes += (*ops)[fit].payload.size() + (*ops)[fit].opId.size() + (*ops)[fit].kind.size() + 64;
            if (fit > 0 && bytes > protocol::kMaxEntryBytes) break;
        }
        ops->resize(fit);
        protocol::Push push;
        push.ops = std::move(*ops);
        return std::optional<protocol::Push>{std::move(push)};
    }

    // A push sent ahead: its reply comes on a thread of its own while the pushes before it
    // are answered.
    struct InFlight {
        protocol::Push push;
        std::future<Result<protocol::Message, LinkError>> reply;
        bool ahead = false; // sent while the push before it was in flight
    };

    // pushAll: see Link.h. Returns the code and message of a Rejected op that stopped it.
    // A catch-up keeps up to kPushesInFlight pushes in flight: the server applies the next
    // while this one's reply travels and is folded in (it takes them in device_seq order,
    // docs/server.md, Pushes in flight). Replies are handled in the order sent; anything but
    // a plain acknowledgement drops the pushes sent after it (their ops stay unacknowledged
    // and go again: what the server applied of them comes back as duplicates).
    Result<std::optional<ledger::Error>, LinkError> pushAll(SyncReport& report)
    {
        const size_t window = std::max<size_t>(1, m_options.pushesInFlight);
        std::deque<InFlight> flight;
        auto drop = [&] {
            for (auto& f : flight) f.reply.wait();
            flight.clear();
        };
        int gapResends = 0;
        bool drained = false; // no unsent op after the pushes in flight
        for (;;) {
            if (flight.empty()) drained = false; // look again: another process may have recorded ops
            while (!drained && flight.size() < window) {
                std::optional<std::pair<int64_t, int64_t>> after;
                if (!flight.empty()) after = {flight.back().push.ops.back().epoch, flight.back().push.ops.back().deviceSeq};
                auto next = nextPush(after);
                if (!next) {
                    drop();
                    return unexpected(next.error());
                }
                if (!*next) {
                    drained = true;
                    break;
                }
                InFlight f{std::move(**next), {}, !flight.empty()};
                f.push.auth = protocol::Session{m_session};
                f.reply = std::async(std::launch::async, [this, request = protocol::Message(f.push)] { return exchange(request); });
                flight.push_back(std::move(f));
            }
            if (flight.empty()) return std::optional<ledger::Error>{};
            InFlight front = std::move(flight.front());
            flight.pop_front();
            auto reply = front.reply.get();
            const auto* sent = reply ? std::get_if<protocol::PushAck>(&*reply) : nullptr;
            std::optional<protocol::PushAck> ack;
            if (sent) {
                ack = *sent;
            } else {
                drop();
                if (reply) // a reply of another type
                    return unexpected(protocolError("unexpected_message", std::string("the server answered ") +
                                                                              protocol::messageName(protocol::Message(front.push)) + " with " +
                                                                              protocol::messageName(*reply)));
                if (reply.error().error.code != "unknown_session") return unexpected(reply.error());
                // The server forgot the session: this push goes again on its own, signed in again.
                auto again = request<protocol::PushAck>(front.push);
                if (!again) return unexpected(again.error());
                ack = std::move(*again);
            }
            std::vector<std::string> acked;
            std::optional<ledger::Error> stop;
            for (const auto& r : ack->results) {
                if (r.status == protocol::OpStatus::Rejected && !recordedRejection(r.code)) {
                    if (r.code != "expected_seq") stop = ledger::Error{r.code, "op " + r.opId + " (device_seq " + std::to_string(r.deviceSeq) + "): " + r.message};
                    break;
                }
                if (r.status == protocol::OpStatus::Rejected) report.rejected.push_back(r);
                acked.push_back(r.opId);
            }
            const bool plain = !stop && ack->expectedSeq == 0 && acked.size() == front.push.ops.size();
            if (!plain) {
                drop();
                drained = false;
            }
            if (front.ahead && ack->expectedSeq > 0 && acked.empty()) {
                // Sent ahead, it reached the server before the push before it had been applied
                // and waited longer than the server lets a push wait (a slow or busy server):
                // no gap of the outbox's, its ops simply go again.
                continue;
            }
            if (auto m = m_store.markAcked(acked); !m) {
                drop();
                return unexpected(local(m.error()));
            }
            report.pushed += static_cast<int64_t>(acked.size());
            if (stop) return stop;
            if (ack->expectedSeq > 0) {
                // The server lacks ops the terminal believed sent (a restored server): send
                // again from there, a bounded number of times.
                if (++gapResends > 3)
                    return unexpected(protocolError("expected_seq", "the server keeps expecting device_seq " + std::to_string(ack->expectedSeq) +
                                                                        ": the outbox and the server disagree; call support"));
                const int64_t epoch = front.push.ops.front().epoch;
                if (auto r = m_store.resendFrom(epoch, ack->expectedSeq); !r) return unexpected(local(r.error()));
                continue;
            }
            if (acked.empty())
                return unexpected(protocolError("empty_push_ack", "the server acknowledged none of " + std::to_string(front.push.ops.size()) + " ops"));
            if (m_options.progress) m_options.progress("pushed " + std::to_string(report.pushed) + " ops");
        }
    }

    Result<void, LinkError> pullAll(SyncReport& report)
    {
        for (;;) {
            auto cursor = m_store.cursor();
            if (!cursor) return unexpected(local(cursor.error()));
            protocol::Pull pull;
            pull.cursor = *cursor;
            pull.maxEntries = m_options.pullBatch;
            auto changes = request<protocol::Changes>(pull);
            if (!changes) return unexpected(changes.error());
            if (changes->nextCursor < *cursor)
                return unexpected(protocolError("bad_cursor", "the server moved the cursor back from " + std::to_string(*cursor) + " to " +
                                                                  std::to_string(changes->nextCursor)));
            auto applied = m_store.applyChanges(*changes, m_identity);
            if (!applied) return unexpected(local(applied.error()));
            m_store.checkpointIfDue();
            report.pulled += applied->entries;
            for (auto& c : applied->corrections) report.corrections.push_back(std::move(c));
            if (m_options.progress && changes->more) m_options.progress("pulled " + std::to_string(report.pulled) + " entries");
            if (!changes->more) return {};
        }
    }

    Result<void, LinkError> finish()
    {
        // settleView decides itself, under its write lock, whether an op waits.
        if (auto s = m_store.settleView(); !s) return unexpected(local(s.error()));
        if (!m_options.now.empty())
            if (auto r = m_store.recordSync(m_options.now); !r) return unexpected(local(r.error()));
        return {};
    }

    Identity& identity() { return m_identity; }

    // cancel ends a request in flight on the nng client (any thread).
    void cancel()
    {
        if (m_client) m_client->cancel();
    }

private:
    LinkStore& m_store;
    Identity m_identity;
    LinkOptions m_options;
    std::unique_ptr<transport::Client> m_client;
    std::string m_session;
};

namespace {

Result<SyncReport, LinkError> round(Session& session, LinkStore& store)
{
    (void)store;
    SyncReport report;
    report.epoch = session.identity().epoch;
    auto stopped = session.pushAll(report);
    if (!stopped) return unexpected(stopped.error());
    if (auto p = session.pullAll(report); !p) return unexpected(p.error());
    if (auto f = session.finish(); !f) return unexpected(f.error());
    if (*stopped) return unexpected(LinkError{Failure::Protocol, **stopped});
    return report;
}

} // namespace

Failure failureOfServerCode(const std::string& code)
{
    static const std::set<std::string> kRefused{"not_enrolled", "bad_credentials", "stale_epoch", "revoked", "unknown_session"};
    if (kRefused.contains(code)) return Failure::Refused;
    if (code.starts_with("db_")) return Failure::Unreachable;
    return Failure::Protocol;
}

Result<SyncReport, LinkError> enrol(LinkStore& store, Identity identity, const LinkOptions& options)
{
    auto blocker = store.enrolBlocker(identity);
    if (!blocker) return unexpected(local(blocker.error()));
    if (*blocker) return unexpected(LinkError{Failure::Local, {"unsynced_ops", **blocker}});
    Session session(store, identity, options);
    if (auto o = session.open(); !o) return unexpected(o.error());
    auto ack = session.hello(0);
    if (!ack) return unexpected(ack.error());
    identity.epoch = ack->epoch;
    session.identity().epoch = ack->epoch;
    if (auto s = store.saveEnrolment(identity); !s) return unexpected(local(s.error()));
    return round(session, store);
}

Result<SyncReport, LinkError> sync(LinkStore& store, const LinkOptions& options)
{
    auto identity = store.identity();
    if (!identity) return unexpected(local(identity.error()));
    if (!*identity)
        return unexpected(LinkError{Failure::Local, {"not_enrolled", "this terminal is not enrolled: run `backfill enroll --server URL --device NAME --token T` first"}});
    Session session(store, **identity, options);
    if (auto o = session.open(); !o) return unexpected(o.error());
    if (auto h = session.hello((*identity)->epoch); !h) return unexpected(h.error());
    return round(session, store);
}

struct ChangeWatcher::Impl {
    Impl(LinkStore& s, const LinkOptions& o) : store(s), options(o) {}
    LinkStore& store;
    LinkOptions options;
    std::mutex mutex; // guards session's creation against cancel()
    std::unique_ptr<Session> session;
    bool cancelled = false;
};

ChangeWatcher::ChangeWatcher(LinkStore& store, const LinkOptions& options) : m_impl(std::make_unique<Impl>(store, options)) {}
ChangeWatcher::~ChangeWatcher() = default;

Result<bool, LinkError> ChangeWatcher::wait(std::chrono::milliseconds wait)
{
    Impl& m = *m_impl;
    Session* session = nullptr;
    {
        std::lock_guard lock(m.mutex);
        if (m.cancelled) return unexpected(LinkError{Failure::Unreachable, {"closed", "the change watcher was cancelled"}});
        if (!m.session) {
            auto identity = m.store.identity();
            if (!identity) return unexpected(local(identity.error()));
            if (!*identity) return unexpected(LinkError{Failure::Local, {"not_enrolled", "this terminal is not enrolled"}});
            auto made = std::make_unique<Session>(m.store, **identity, m.options);
            if (auto o = made->open(); !o) return unexpected(o.error());
            m.session = std::move(made);
        }
        session = m.session.get();
    }
    auto cursor = m.store.cursor();
    if (!cursor) return unexpected(local(cursor.error()));
    protocol::Pull pull;
    pull.cursor = *cursor;
    pull.maxEntries = 1;
    pull.waitMs = static_cast<uint32_t>(std::clamp<int64_t>(wait.count(), 0, protocol::kMaxWaitMs));
    // The server may hold the request for waitMs: the reply's own time comes on top.
    auto changes = session->request<protocol::Changes>(pull, std::chrono::milliseconds(pull.waitMs) + m.options.timeout);
    if (!changes) return unexpected(changes.error());
    return !changes->entries.empty();
}

void ChangeWatcher::cancel()
{
    std::lock_guard lock(m_impl->mutex);
    m_impl->cancelled = true;
    if (m_impl->session) m_impl->session->cancel();
}

} // namespace backfill::link
