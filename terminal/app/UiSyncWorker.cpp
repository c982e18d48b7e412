#include "app/UiSyncWorker.h"

#include "app/StoreWorker.h"
#include "link/Link.h"

#include <algorithm>
#include <ctime>

namespace backfill::app {

namespace {
using Clock = std::chrono::steady_clock;
}

ledger::Result<std::unique_ptr<UiSyncWorker>> UiSyncWorker::start(const UiSyncOptions& options, MainQueue& queue, Report report)
{
    auto store = openWorkerStore(options.dbPath, options.busyTimeout);
    if (!store) return ledger::unexpected(store.error());
    std::unique_ptr<store::TerminalStore> watchStore;
    if (options.watch.count() > 0) {
        auto w = openWorkerStore(options.dbPath, options.busyTimeout);
        if (!w) return ledger::unexpected(w.error());
        watchStore = std::move(*w);
    }
    return std::unique_ptr<UiSyncWorker>(new UiSyncWorker(options, queue, std::move(report), std::move(*store), std::move(watchStore)));
}

UiSyncWorker::UiSyncWorker(const UiSyncOptions& options, MainQueue& queue, Report report, std::unique_ptr<store::TerminalStore> store,
                           std::unique_ptr<store::TerminalStore> watchStore)
    : m_options(options), m_queue(queue), m_report(std::move(report)), m_store(std::move(store)), m_watchStore(std::move(watchStore))
{
    if (!m_options.now) m_options.now = [] { return static_cast<ledger::Timestamp>(std::time(nullptr)); };
    m_thread = std::thread([this] { run(); });
    if (m_watchStore) m_watcher = std::thread([this] { watch(); });
}

UiSyncWorker::~UiSyncWorker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        if (m_watching) m_watching->cancel();
    }
    m_wake.notify_all();
    m_thread.join();
    if (m_watcher.joinable()) m_watcher.join();
}

void UiSyncWorker::nudge()
{
    {
        std::lock_guard lock(m_mutex);
        m_nudged = true;
    }
    m_wake.notify_all();
}

void UiSyncWorker::syncNow()
{
    {
        std::lock_guard lock(m_mutex);
        m_now = true;
    }
    m_wake.notify_all();
}

void UiSyncWorker::run()
{
    auto next = Clock::now();
    auto backoff = m_options.backoffMin;
    for (long n = 1;; ++n) {
        {
            std::unique_lock lock(m_mutex);
            // A nudge goes at once only while online: offline it waits for the back-off, so a
            // burst of scans with no network does not become a burst of timeouts.
            m_wake.wait_until(lock, next, [&] { return m_stop || m_now || (m_nudged && m_link == ui::LinkState::Online); });
            if (m_stop) return;
            m_now = false;
            m_nudged = false;
        }
        UiSyncState state = round(n);
        {
            std::lock_guard lock(m_mutex);
            m_link = state.link;
            m_rounds = n;
        }
        m_wake.notify_all(); // the watcher waits for rounds
        if (state.link == ui::LinkState::Offline) {
            next = Clock::now() + backoff;
            backoff = std::min(backoff * 2, m_options.backoffMax);
        } else {
            next = Clock::now() + m_options.poll;
            backoff = m_options.backoffMin;
        }
        m_queue.post([report = m_report, state] { report(state); });
    }
}

void UiSyncWorker::watch()
{
    auto port = m_watchStore->linkStore(m_options.now());
    link::LinkOptions o;
    o.timeout = m_options.timeout;
    o.retries = 0;
    std::unique_ptr<link::ChangeWatcher> watcher;
    long after = 0; // watch once more than this many rounds have ended, while online
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || (m_link == ui::LinkState::Online && m_rounds > after); });
            if (m_stop) {
                m_watching = nullptr;
                return;
            }
            if (!watcher) {
                watcher = std::make_unique<link::ChangeWatcher>(*port, o);
                m_watching = watcher.get();
            }
        }
        const auto asked = Clock::now();
        auto changed = watcher->wait(m_options.watch);
        std::lock_guard lock(m_mutex);
        if (m_stop) {
            m_watching = nullptr;
            return;
        }
        if (changed && !*changed) {
            // Nothing new. A server that held the Pull: watch again at once. One that answered
            // at once does not hold Pulls (an older backfilld, or one stopping): the next
            // round first, so the watcher never spins.
            if (Clock::now() - asked < m_options.watch / 2) after = m_rounds;
            continue;
        }
        after = m_rounds;
        if (changed) {
            m_nudged = true; // a round pulls what arrived
            m_wake.notify_all();
        } else {
            // No reply, refused, or the session lost: a new watcher after the next round
            // that finds the server.
            m_watching = nullptr;
            watcher.reset();
        }
    }
}

UiSyncState UiSyncWorker::round(long n)
{
    UiSyncState state;
    state.round = n;
    state.link = ui::LinkState::Offline;
    auto identity = m_store->syncIdentity();
    if (!identity) {
        state.error = identity.error();
        return state;
    }
    if (!*identity) {
        state.link = ui::LinkState::NotEnrolled;
    } else {
        const ledger::Timestamp at = m_options.now();
        link::LinkOptions o;
        o.timeout = m_options.timeout;
        o.retries = 0; // the worker's own back-off is the retry
        o.now = ledger::formatTimestamp(at);
        auto port = m_store->linkStore(at);
        auto done = link::sync(*port, o);
        if (done) {
            state.link = ui::LinkState::Online;
            state.pushed = done->pushed;
            state.pulled = done->pulled;
            state.corrections = done->corrections.size();
        } else {
            state.error = done.error().error;
        }
    }
    if (auto status = m_store->syncStatus()) {
        state.server = status->server;
        state.device = status->device;
        state.unsent = status->unsent;
        state.lastSync = status->lastSync;
    } else if (!state.error) {
        state.error = status.error();
    }
    return state;
}

} // namespace backfill::app
