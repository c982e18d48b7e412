#pragma once
// Applier: the server's side of the three exchanges (docs/sync.md; docs/server.md).
//
//   Hello -> HelloAck | Error   enrol (epoch 0, one-time enrolment token) or sign in (the
//                               device's epoch and secret); issues a session id bound to the
//                               device and its epoch
//   Push  -> PushAck  | Error   ops in device_seq order, each applied whole or not at all with
//                               its log entries (server/Ops.h), at most kOpsPerCommit per
//                               transaction; the reply only after they all committed
//   Pull  -> Changes  | Error   log entries after the cursor; with wait_ms, held until an
//                               entry arrives or wait_ms passes (ApplierOptions::waitForChange)
//
// A request whose auth is refused gets an Error and nothing it carries is applied.
// Error codes: bad_message, too_large, unsupported_version, unknown_message, bad_field (from
// protocol::decode, same message); unexpected_message (a reply sent as a request);
// not_enrolled (no such device), bad_credentials (wrong token, or no enrolment token waits),
// revoked, stale_epoch (the device was enrolled again since), unknown_session; db_* when the
// store fails (the request may be sent again: nothing half-applied stays).
//
// Device secrets: HelloAck has no field for a new secret, so the one-time enrolment token
// becomes the device's secret for the epoch it opened (it can never enrol again).

#include "server/Metrics.h"
#include "server/Ops.h"
#include "server/ServerStore.h"
#include "server/WriteQueue.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace backfill::server {

// PollSlots bounds how many long-poll Pulls are held at once. Each held Pull keeps one of
// the server's workers, and a server whose every worker waits in a poll answers no push,
// no Hello and no other pull until one ends (up to kMaxWaitMs): 64 touch terminals watching
// were enough. A Pull that finds no slot free is answered at once, as by a server that does
// not hold Pulls; the terminal's watcher then waits for its next round (never spins).
class PollSlots {
public:
    explicit PollSlots(int most) : m_most(most) {}
    // take holds a slot if one is free.
    bool take()
    {
        int n = m_held.load();
        while (n < m_most)
            if (m_held.compare_exchange_weak(n, n + 1)) return true;
        return false;
    }
    void give() { m_held.fetch_sub(1); }
    int held() const { return m_held.load(); }

private:
    const int m_most;
    std::atomic<int> m_held{0};
};

struct ApplierOptions {
    std::function<int64_t()> now; // seconds since 1970; default: the system clock
    // waitForChange is how a long-poll Pull (wait_ms > 0, nothing after its cursor) waits:
    // it blocks until the log may have grown or `most` has passed, and returns false when the
    // server is stopping (the Pull is then answered at once). Unset: Pull never waits.
    std::function<bool(std::chrono::milliseconds most)> waitForChange;
    // pollSlots, when set, bounds the long-poll Pulls held at once (`backfilld serve`).
    PollSlots* pollSlots = nullptr;
    // counters, when set, count requests, op results and corrections, and note which
    // device was served when (`backfilld serve --http`: /metrics; server/Metrics.h).
    ServerCounters* counters = nullptr;
    // writes, when set, runs every write (a Push's ops, a Hello's sign-in) on its writer
    // thread, grouped with other requests' writes into one commit (`backfilld serve`;
    // server/WriteQueue.h). Unset: the Applier writes on its own store, one transaction per
    // slice of at most kOpsPerCommit ops.
    WriteQueue* writes = nullptr;
};

// kOpsPerCommit bounds the ops of one push applied in one transaction: a push of 500 ops
// commits in slices, so others' pushes go between them and a server killed half-way keeps
// the slices it committed (docs/server.md, Applying a push).
inline constexpr size_t kOpsPerCommit = 128;

// A push whose first op comes after a gap, served while the push before it may still be on
// its way to the writer (a terminal keeps several in flight, sync/link), waits for it: it tries
// again once its predecessor's last op is committed (CommittedSeqs), or after kEarlyPushWait
// is answered expected_seq.
inline constexpr std::chrono::milliseconds kEarlyPushWait{250};

class Applier {
public:
    explicit Applier(ServerStore& store, ApplierOptions options = {});

    protocol::Message hello(const protocol::Hello& hello);
    protocol::Message push(const protocol::Push& push);
    protocol::Message pull(const protocol::Pull& pull);

    // handle decodes one request, answers it and encodes the reply (what the transport's
    // handler returns). Never throws; a reply that would not encode becomes an Error.
    std::string handle(std::string_view request);

private:
    ledger::Result<SessionRecord> authenticate(const protocol::Auth& auth);
    // write runs `step` in the WriteQueue when serving (one step of each owner a round;
    // `committed` after each of its rounds commits, on the writer's thread), else in
    // transactions of its own.
    ledger::Result<void> write(const char* what, const WriteQueue::Step& step, WriteQueue::Turn turn = {},
                               const std::function<void()>& committed = {});
    void count(const protocol::Message& reply);
    ServerStore& m_store;
    ApplierOptions m_options;
};

// enrolDevice registers `deviceId` (or lets a known one enrol again) and returns a one-time
// enrolment token; only its hash is stored. A revoked device stays revoked (its old secret and
// sessions refused) until its Hello uses the token. Fails with bad_device_id (not 1..64 of A-Z a-z 0-9 . _ -) or db_*.
ledger::Result<std::string> enrolDevice(ServerStore& store, std::string_view deviceId);

// addDevice is enrolDevice for a name the server does not know yet; a known name fails with
// device_exists (`backfilld device add`).
ledger::Result<std::string> addDevice(ServerStore& store, std::string_view deviceId);

// revokeDevice refuses the device from now on (its Hello, pushes and pulls get `revoked`; a
// pending enrolment token is dropped) until it is enrolled again. Fails with unknown_device.
ledger::Result<void> revokeDevice(ServerStore& store, std::string_view deviceId);

// resolveException records how a person resolved exception `id` and writes an
// `exception_resolved` log entry {"id","code","note"}. Fails with unknown_exception,
// already_resolved, or empty_note (a resolution says what was done).
ledger::Result<void> resolveException(ServerStore& store, int64_t id, std::string_view note);

} // namespace backfill::server
