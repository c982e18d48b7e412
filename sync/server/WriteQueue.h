#pragma once
// WriteQueue: group commit for `backfilld serve` (docs/server.md, Serving).
//
// Every write of a request (a Push's ops, a Hello's sign-in) runs on one writer thread with
// the one connection that writes. Requests hand it their work as steps and wait; each round
// the writer opens one transaction, runs the next step of every waiting request in arrival
// order, commits once, and only then wakes them. Fifty terminals pushing at once cost one
// commit (one WAL fsync) instead of fifty, and nobody waits in SQLite's busy handler, which
// sleeps in steps of up to 100 ms while another connection of the same process writes.
//
// A step writes a bounded amount (Applier: at most kOpsPerCommit ops) and says whether its
// request has more; a request with more goes on in the next round. So a long push commits in
// slices (others' short pushes are not held up behind it, and what was committed stays if
// the server dies half-way: the retry gets it as duplicates), and its reply is sent only
// after its last slice committed.
//
// One step per owner a round (Applier: the device): a terminal keeps several pushes in
// flight (sync/link), and the writer may find two of them waiting at once. The one first in
// the owner's order (Applier: the lower device_seq) goes into the round, whichever came
// first; the other waits for the next round, so each push commits on its own and its reply
// goes out as soon as its own commit is done, not after the device's next push is applied
// too: the link's window moves on sooner (docs/server.md, Pushes in flight). Steps without
// an owner (sign-ins) are never held back.
//
// Failure: a step that fails (a store error) or a commit that fails rolls back the whole
// round: every request of the round gets that error (the requests may be sent again: what
// earlier rounds committed comes back as duplicates, nothing of the failed round stays).

#include "server/CommittedSeqs.h"
#include "server/ServerStore.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

namespace backfill::server {

// WriteTurn is whose a step is and its place among its owner's steps (WriteQueue::Turn).
struct WriteTurn {
    std::string_view owner; // empty: never held back
    int64_t order = 0;      // of two steps of one owner waiting, the lower goes first
};

class WriteQueue {
public:
    // A Step runs inside the round's transaction on the writer's store; it returns true when
    // its request has more to write (it runs again next round), false when done.
    using Step = std::function<Result<bool>(ServerStore&)>;

    // WriteQueue starts the writer thread on `writer` (a connection of its own).
    explicit WriteQueue(std::unique_ptr<ServerStore> writer);
    ~WriteQueue(); // finishes the round in progress, fails the requests still waiting, joins
    WriteQueue(const WriteQueue&) = delete;
    WriteQueue& operator=(const WriteQueue&) = delete;

    using Turn = WriteTurn;

    // run runs `step` round after round until it is done, and returns once the transaction of
    // its last step committed; else the first error (its own, the round's commit's, or
    // `stopping` when the queue stopped first). A round runs at most one step of each
    // non-empty owner. `committed`, when given, runs on the writer's thread right after each
    // round of the step commits, before anyone is woken (Applier: CommittedSeqs, so a push
    // waiting for this one is woken by the writer itself). Thread-safe; blocks the caller.
    Result<void> run(const Step& step, Turn turn = {}, const std::function<void()>& committed = {});

    // committedSeqs: what each device's pushes committed through this writer (Applier::push
    // tells it; a push that came before its predecessor waits on it). Stopped with the queue.
    CommittedSeqs& committedSeqs() { return m_committed; }

    // rounds and steps count the transactions committed and the steps they carried.
    uint64_t rounds() const;
    uint64_t steps() const;
    // waiting counts the requests queued for the next round (tests).
    size_t waiting() const;

private:
    struct Job;
    void loop();

    std::unique_ptr<ServerStore> m_store;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job*> m_waiting;
    bool m_stopping = false;
    uint64_t m_rounds = 0;
    uint64_t m_steps = 0;
    CommittedSeqs m_committed;
    std::thread m_thread;
};

} // namespace backfill::server
