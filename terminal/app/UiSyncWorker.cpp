#include "app/UiSyncWorker.h"

#include "link/Link.h"

#include <algorithm>
#include <ctime>

namespace backfill::app {

namespace {
using Clock = std::chrono::steady_clock;
}

ledger::Result<std::unique_ptr<UiSyncWorker>> UiSyncWorker::start(const UiSyncOptions& options, MainQueue& queue, Report report)
{
    store::StoreOpenOptions open;
    open.create = false;
    open.busyTimeout = options.busyTimeout;
    auto store = store::TerminalStore::open(options.dbPath, open);
    if (!store) return ledger::unexpected(store.error());
    return std::unique_ptr<UiSyncWorker>(new UiSyncWorker(options, queue, std::move(report), std::move(*store)));
}

UiSyncWorker::UiSyncWorker(const UiSyncOptions& options, MainQueue& queue, Report report, std::unique_ptr<store::TerminalStore> store)
    : m_options(options), m_queue(queue), m_report(std::move(report)), m_store(std::move(store))
{
    if (!m_options.now) m_options.now = [] { return static_cast<ledger::Timestamp>(std::time(nullptr)); };
    m_thread = std::thread([this] { run(); });
}

UiSyncWorker::~UiSyncWorker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
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
        }
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
