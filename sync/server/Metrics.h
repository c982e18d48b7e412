#pragma once
// Metrics: what `backfilld serve --http URL` reports on /metrics in Prometheus' text format
// (version 0.0.4) and on /health (docs/deployment.md). Counters count since the process
// started (Prometheus handles restarts); gauges are read from the database at each scrape,
// so they include what other processes (imports, `backfilld exceptions resolve`) changed.

#include "server/ServerStore.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace backfill::server {

// ServerCounters are bumped by the Applier (ApplierOptions::counters) on its worker threads.
struct ServerCounters {
    std::atomic<uint64_t> hellos{0};
    std::atomic<uint64_t> pushes{0};
    std::atomic<uint64_t> pulls{0};
    std::atomic<uint64_t> refused{0};     // requests answered with an Error
    std::atomic<uint64_t> opsApplied{0};
    std::atomic<uint64_t> opsFlagged{0};
    std::atomic<uint64_t> opsDuplicate{0};
    std::atomic<uint64_t> opsRejected{0};
    std::atomic<uint64_t> corrections{0}; // claims the server cut, told to the terminal

    // seen notes a request from `deviceId` that passed authentication at `now`.
    void seen(const std::string& deviceId, int64_t now);
    // lastRequest is when this process last served `deviceId` (nullopt: not since it started).
    std::optional<int64_t> lastRequest(const std::string& deviceId) const;

private:
    mutable std::mutex m_mutex;
    std::map<std::string, int64_t, std::less<>> m_lastRequest;
};

// MetricsSnapshot is one scrape's figures.
struct MetricsSnapshot {
    uint64_t hellos = 0, pushes = 0, pulls = 0, refused = 0;
    uint64_t opsApplied = 0, opsFlagged = 0, opsDuplicate = 0, opsRejected = 0, corrections = 0;
    int64_t devices = 0;            // enrolled and not revoked
    int64_t connectedTerminals = 0; // of those, seen within kConnectedWindowSeconds
    int64_t openExceptions = 0;     // not yet resolved by a person
    int64_t logHead = 0;            // the server log's last seq
    std::map<std::string, int64_t> notifications; // customer messages by state (pending, sent, failed, unsubscribed)
};

// A terminal counts as connected when its last Hello (stored) or its last request to this
// process was this recent.
inline constexpr int64_t kConnectedWindowSeconds = 300;

// collectMetrics reads the counters and the database's gauges at `now` (seconds since 1970).
ledger::Result<MetricsSnapshot> collectMetrics(ServerStore& store, const ServerCounters& counters, int64_t now);

// renderPrometheus writes the snapshot in Prometheus' text exposition format.
std::string renderPrometheus(const MetricsSnapshot& m);

} // namespace backfill::server
