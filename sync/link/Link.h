#pragma once
// sync/link: the terminal's end of sync (issue 11 item 4; DESIGN.md 2; docs/sync.md, Terminal
// link). It speaks sync/protocol over sync/transport and keeps its state in a LinkStore that
// the terminal's database implements; it knows nothing of SQLite.
//
// One sync round (Link::sync), with the function that performs each step:
//
//   Idle --signIn()--> SignedIn --pushAll()--> Pushed --pullAll()--> Pulled
//            |                     |   ^                 |    ^
//            | refused (5)         |   | next batch      |    | more == true
//            v                     |   +-----------------+    +-------------
//          Failed <----------------+ timeout/unreachable after the retries (4),
//                                    a reply that is not the protocol's (6)
//
//  - signIn sends Hello with the device's credentials and keeps the session id it gets.
//  - pushAll sends the unacknowledged ops in device_seq order, at most kMaxOpsPerPush at a
//    time, and marks each op acknowledged per its result (Applied, Duplicate, Flagged, and a
//    Rejected op the server recorded: it will never apply it, resending cannot help). An
//    `expected_seq` gap makes the store send again from that seq. Any other Rejected op
//    (unknown_op, seq_reused, wrong_epoch, op_id_conflict) stops the push: the op stays in the
//    outbox, the pull still runs and the round ends `stopped` (exit 6). While one push is
//    applied the next is already on its way (kPushesInFlight): a catch-up does not wait for
//    each reply to travel before the server can go on (docs/sync.md, Pushes in flight).
//  - pullAll sends Pull from the stored cursor until `more` is false; each Changes is handed
//    to LinkStore::applyChanges, which applies its entries together with its next cursor in
//    one local transaction. When nothing is left unsent, LinkStore::settleView makes the
//    terminal's view equal the server's (docs/sync.md, The terminal's view).
// Every request that times out or finds no server is sent again, the same bytes (so the
// same op_ids), after a growing pause (LinkOptions::retries, retryPause..retryPauseMax).
// A session the server no longer knows (unknown_session) gets one new Hello.

#include "ledger/Result.h"
#include "protocol/Messages.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace backfill::link {

using ledger::Result;

// Identity is who the terminal is at which server, as stored at enrolment.
struct Identity {
    std::string server;        // tcp://HOST:PORT or tls+tcp://HOST:PORT
    std::string deviceId;
    int64_t epoch = 0;         // issued by the server at enrolment (>= 1)
    std::string token;         // the device's secret (the enrolment token becomes it)
    std::string caFile;        // tls+tcp://: the CA that signed the server's certificate
    std::string tlsServerName; // tls+tcp://: the DNS name in the server's certificate
};

// sameEnrolment: the same device at the same server (its epoch and token may differ).
inline bool sameEnrolment(const Identity& a, const Identity& b) { return a.server == b.server && a.deviceId == b.deviceId; }

// Applied is what one applyChanges did: entries applied, and the `correction` entries among
// them that touch this device's claims (their JSON payloads, in log order).
struct Applied {
    int64_t entries = 0;
    std::vector<std::string> corrections;
};

// LinkStore is the port the terminal's database implements (terminal/store/
// TerminalStoreSync.cpp). Every function is one local transaction or a read.
class LinkStore {
public:
    virtual ~LinkStore() = default;
    // identity is the stored identity, nullopt before enrolment.
    virtual Result<std::optional<Identity>> identity() = 0;
    // neverSentBlocker is empty when enrolling may proceed, else the message why not (ops
    // written before any enrolment, or unsent ops of another server or device).
    virtual Result<std::optional<std::string>> enrolBlocker(const Identity& next) = 0;
    // saveEnrolment stores the identity with the epoch the server issued. A different server
    // or device than before resets the cursor and replaces local master data and stock with
    // what the next pull brings.
    virtual Result<void> saveEnrolment(const Identity& identity) = 0;
    // unsentOps is up to `limit` unacknowledged ops in device_seq order, as the wire carries
    // them (each op's device_seq counted from 1 within its epoch): the oldest, or those after
    // the op `after` (epoch, device_seq; the last op of the pushes in flight).
    virtual Result<std::vector<protocol::Op>> unsentOps(size_t limit, std::optional<std::pair<int64_t, int64_t>> after) = 0;
    // markAcked marks these ops (by op_id) acknowledged by the server.
    virtual Result<void> markAcked(const std::vector<std::string>& opIds) = 0;
    // resendFrom marks the ops of `epoch` from wire seq `seq` on unacknowledged again (the
    // server answered expected_seq: it lacks them).
    virtual Result<void> resendFrom(int64_t epoch, int64_t seq) = 0;
    // cursor is the last server log seq applied (0 = none).
    virtual Result<int64_t> cursor() = 0;
    // applyChanges applies the entries and stores changes.nextCursor in one transaction; it
    // refuses them (enrolment_changed) when the terminal is no longer enrolled at the server
    // and as the device they were pulled for (enrolled elsewhere while this pull ran).
    virtual Result<Applied> applyChanges(const protocol::Changes& changes, const Identity& pulledFor) = 0;
    // settleView makes the local view the server's state at the cursor when no op is
    // unacknowledged (decided in its own transaction: another process may record one at any
    // time); otherwise it does nothing.
    virtual Result<void> settleView() = 0;
    // recordSync stores when the last round completed (ISO-8601 UTC text).
    virtual Result<void> recordSync(const std::string& at) = 0;
    // checkpointIfDue runs the housekeeping a long catch-up's commits left due (SQLite: the
    // WAL checkpoint, store/Checkpointer.h) between two transactions, not inside the next.
    virtual void checkpointIfDue() = 0;
};

// Exchange sends one encoded request to `url` and returns the reply's bytes, or an error whose
// code is sync/transport's (`timeout` and `unreachable` are retried with the same bytes;
// others end the round). The link's seam for tests: a deterministic simulation passes its
// own (an in-process server behind a faulty network) instead of nng.
using Exchange = std::function<Result<std::string>(const std::string& url, const std::string& request,
                                                   std::chrono::milliseconds timeout)>;

// kPushesInFlight: how many pushes a catch-up keeps in flight. Three: the server applies the
// next while a reply travels and is folded in, and a third waits ready for the server's
// writer, so a slow reply (a busy two-core machine: 0.6-2 ms from commit to the terminal)
// leaves the writer nothing to wait for. The server commits one push of a device at a time
// (server/WriteQueue.h), each answered as soon as its own commit is done.
inline constexpr size_t kPushesInFlight = 3;

// LinkOptions: how hard to try (STYLE.md 5).
struct LinkOptions {
    std::chrono::milliseconds timeout{5000};        // per request
    int retries = 2;                                // resends after a timeout or no server
    std::chrono::milliseconds retryPause{200};      // first pause, doubled per retry
    std::chrono::milliseconds retryPauseMax{2000};
    uint32_t pullBatch = protocol::kMaxEntriesPerChanges;
    std::string now;                                // recorded as last_sync ("" = not recorded)
    std::function<void(const std::string&)> progress; // a line per batch (nullptr = quiet)
    Exchange exchange;                              // unset: sync/transport over nng to the identity's server
    size_t pushesInFlight = kPushesInFlight;        // 1: each push waits for its reply before the next
    std::function<void(std::chrono::milliseconds)> pause; // waits between retries (unset: sleep)
};

// Failure says how a round failed, for the exit status (docs/sync.md, Terminal link).
enum class Failure {
    Unreachable, // no reply after the retries: exit 4
    Refused,     // credentials refused (not_enrolled, bad_credentials, stale_epoch, revoked): exit 5
    Protocol,    // a reply that is not the protocol's, an Error the link cannot act on, a push stopped by a Rejected op: exit 6
    Local,       // the terminal's own database failed: exit 3
};

struct LinkError {
    Failure failure = Failure::Protocol;
    ledger::Error error;
};

// SyncReport is what a round did.
struct SyncReport {
    int64_t pushed = 0;                      // ops acknowledged in this round
    int64_t pulled = 0;                      // log entries applied
    std::vector<std::string> corrections;    // correction payloads touching this device
    std::vector<protocol::OpResult> rejected; // recorded rejections (acknowledged, never applied)
    int64_t epoch = 0;
};

// enrol signs up with a one-time enrolment token (Hello with epoch 0), stores the identity
// with the epoch the server issues, then pulls. Refused before connecting with
// `unsynced_ops` when LinkStore::enrolBlocker says so.
Result<SyncReport, LinkError> enrol(LinkStore& store, Identity identity, const LinkOptions& options = {});

// sync runs one round (push, then pull until nothing is waiting). Before enrolment:
// Failure::Local with `not_enrolled`.
Result<SyncReport, LinkError> sync(LinkStore& store, const LinkOptions& options = {});

// ChangeWatcher learns as soon as the server's log has entries past the terminal's cursor
// (another terminal's receipt, an import, a correction) without polling: a long-poll Pull of
// one entry with wait_ms, which the server holds until an entry exists or the wait passes.
// It applies nothing: its owner then runs a round (sync). It signs in on its first wait, with
// a session of its own, and again when the server forgot the session. Meant for a thread of
// its own beside the rounds (terminal/app/UiSyncWorker); the store it is given is its own.
class ChangeWatcher {
public:
    ChangeWatcher(LinkStore& store, const LinkOptions& options);
    ~ChangeWatcher();
    ChangeWatcher(const ChangeWatcher&) = delete;
    ChangeWatcher& operator=(const ChangeWatcher&) = delete;

    // wait returns true once the log has entries after the stored cursor, false when `wait`
    // (at most protocol::kMaxWaitMs) passed without any. Before enrolment: Failure::Local with
    // not_enrolled; after cancel(): Failure::Unreachable with `closed`.
    Result<bool, LinkError> wait(std::chrono::milliseconds wait);
    // cancel ends a wait in flight at once (from any thread), and every later wait.
    void cancel();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// failureOfServerCode classifies a server's Error code.
Failure failureOfServerCode(const std::string& code);

} // namespace backfill::link
