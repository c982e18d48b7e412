#pragma once
// UiSyncWorker runs the touch UI's link to backfilld on a thread of its own (issue 12 item 8;
// docs/ui.md, Sync), so no frame ever waits on the network: it runs sync/link's rounds
// (link::sync: push, then pull, then settle) on its own connection to the terminal's
// database and reports each round's outcome back to the main thread through a MainQueue.
//
// When a round runs (the thread's loop, run()):
//
//        start --> round at once
//                    |
//        +-----------+----------------+---------------------------+
//        | ok                         | no reply (Unreachable),   | not enrolled
//        v                            | refused, protocol, local  v
//     Online --nudge()---> round      v                        NotEnrolled --poll / syncNow()--> round
//        |  --syncNow()--> round    Offline --back-off passed--> round
//        |  --poll passed--> round     |    --syncNow()-------> round
//        +<----------------------------+ (a nudge while offline waits for the back-off;
//                                        the back-off doubles from backoffMin to backoffMax)
//
//  - nudge(): the UI committed an action (an outbox op): online, it is pushed at once.
//  - syncNow(): the operator asked (Sync screen): a round now, online or not.
//  - each round ends with report(): the state is posted to the main thread.
//
// While online, a second thread (watch()) holds a long-poll Pull open at the server
// (link::ChangeWatcher, UiSyncOptions::watch at a time): when another terminal's receipt, an
// import or a correction lands in the server's log, the server answers at once and the
// watcher nudges a round, so the screens show it within a second rather than at the next
// poll. After a nudge it waits for a round to end before it watches again (that round's pull
// moves the cursor); after a failure it waits for the next round to say the link is online.
// Stopping cancels the held request, so the app never waits out a long-poll to quit.

#include "app/MainQueue.h"
#include "link/Link.h"
#include "ledger/Date.h"
#include "ledger/Result.h"
#include "store/TerminalStore.h"
#include "ui/SyncScreen.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace backfill::app {

// UiSyncState is what one round found, as the Sync screen and the headers show it.
struct UiSyncState {
    ui::LinkState link = ui::LinkState::Connecting;
    std::optional<std::string> server;
    std::optional<std::string> device;
    int64_t unsent = 0;                    // ops still waiting for the server
    std::optional<std::string> lastSync;   // when the last round completed (ISO-8601 UTC)
    std::optional<ledger::Error> error;    // why this round failed (nullopt: it did not)
    int64_t pushed = 0;                    // ops this round sent and the server acknowledged
    int64_t pulled = 0;                    // log entries this round applied
    size_t corrections = 0;                // of them, corrections of this terminal's claims
    long round = 0;                        // rounds run since start (1 = the first)
};

// UiSyncOptions: how the worker reaches the database and the server (STYLE.md 5).
struct UiSyncOptions {
    std::string dbPath;                              // the terminal's database (opened again here)
    std::chrono::milliseconds busyTimeout{60000};
    std::chrono::milliseconds timeout{3000};         // per request; no resends within a round
    std::chrono::milliseconds poll{30000};           // a round this often while idle (others' changes)
    std::chrono::milliseconds watch{25000};          // online: a long-poll Pull held this long (0: none)
    std::chrono::milliseconds backoffMin{1000};      // offline: the first wait before trying again
    std::chrono::milliseconds backoffMax{30000};
    std::function<ledger::Timestamp()> now;          // stamps last_sync and settle events (unset: the clock)
};

class UiSyncWorker {
public:
    // Report runs on the main thread (posted through the queue) after every round.
    using Report = std::function<void(const UiSyncState&)>;

    // start opens the database again for the worker (db_* codes, no_database) and starts the
    // thread, whose first round runs at once.
    static ledger::Result<std::unique_ptr<UiSyncWorker>> start(const UiSyncOptions& options, MainQueue& queue, Report report);
    // The destructor stops the thread; a round in flight ends within its timeout first.
    ~UiSyncWorker();
    UiSyncWorker(const UiSyncWorker&) = delete;
    UiSyncWorker& operator=(const UiSyncWorker&) = delete;

    void nudge();
    void syncNow();

private:
    UiSyncWorker(const UiSyncOptions& options, MainQueue& queue, Report report, std::unique_ptr<store::TerminalStore> store,
                 std::unique_ptr<store::TerminalStore> watchStore);
    void run();
    void watch();
    UiSyncState round(long n);

    UiSyncOptions m_options;
    MainQueue& m_queue;
    Report m_report;
    std::unique_ptr<store::TerminalStore> m_store;      // used by the worker thread only
    std::unique_ptr<store::TerminalStore> m_watchStore; // used by the watcher thread only

    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    bool m_nudged = false;
    bool m_now = false;
    ui::LinkState m_link = ui::LinkState::Connecting; // as the last round left it
    long m_rounds = 0;                                 // rounds ended
    link::ChangeWatcher* m_watching = nullptr;         // the watcher's, while it exists (for cancel)
    std::thread m_thread;
    std::thread m_watcher;
};

} // namespace backfill::app
