#include "server/Metrics.h"

#include <sstream>

namespace backfill::server {

void ServerCounters::seen(const std::string& deviceId, int64_t now)
{
    std::lock_guard lock(m_mutex);
    m_lastRequest[deviceId] = now;
}

std::optional<int64_t> ServerCounters::lastRequest(const std::string& deviceId) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_lastRequest.find(deviceId);
    if (it == m_lastRequest.end()) return std::nullopt;
    return it->second;
}

ledger::Result<MetricsSnapshot> collectMetrics(ServerStore& store, const ServerCounters& c, int64_t now)
{
    MetricsSnapshot m;
    m.hellos = c.hellos.load();
    m.pushes = c.pushes.load();
    m.pulls = c.pulls.load();
    m.refused = c.refused.load();
    m.opsApplied = c.opsApplied.load();
    m.opsFlagged = c.opsFlagged.load();
    m.opsDuplicate = c.opsDuplicate.load();
    m.opsRejected = c.opsRejected.load();
    m.corrections = c.corrections.load();
    auto read = store.snapshot("reading metrics", [&]() -> ledger::Result<void> {
        auto devices = store.devices();
        if (!devices) return ledger::unexpected(devices.error());
        for (const auto& d : *devices) {
            if (d.revoked) continue;
            ++m.devices;
            auto last = c.lastRequest(d.deviceId);
            if (d.lastSeen && (!last || *d.lastSeen > *last)) last = d.lastSeen;
            if (last && now - *last <= kConnectedWindowSeconds) ++m.connectedTerminals;
        }
        auto exceptions = store.exceptions();
        if (!exceptions) return ledger::unexpected(exceptions.error());
        for (const auto& e : *exceptions)
            if (!e.resolvedNote) ++m.openExceptions;
        auto head = store.headSeq();
        if (!head) return ledger::unexpected(head.error());
        m.logHead = *head;
        auto queue = store.notificationCounts();
        if (!queue) return ledger::unexpected(queue.error());
        m.notifications = *queue;
        return {};
    });
    if (!read) return ledger::unexpected(read.error());
    return m;
}

std::string renderPrometheus(const MetricsSnapshot& m)
{
    std::ostringstream out;
    auto family = [&](const char* name, const char* type, const char* help) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    };
    family("backfilld_requests_total", "counter", "Requests answered since the server started, by kind.");
    out << "backfilld_requests_total{kind=\"hello\"} " << m.hellos << '\n';
    out << "backfilld_requests_total{kind=\"push\"} " << m.pushes << '\n';
    out << "backfilld_requests_total{kind=\"pull\"} " << m.pulls << '\n';
    family("backfilld_requests_refused_total", "counter", "Requests answered with an Error (bad message, credentials, database).");
    out << "backfilld_requests_refused_total " << m.refused << '\n';
    family("backfilld_ops_total", "counter", "Pushed ops handled since the server started, by result.");
    out << "backfilld_ops_total{result=\"applied\"} " << m.opsApplied << '\n';
    out << "backfilld_ops_total{result=\"flagged\"} " << m.opsFlagged << '\n';
    out << "backfilld_ops_total{result=\"duplicate\"} " << m.opsDuplicate << '\n';
    out << "backfilld_ops_total{result=\"rejected\"} " << m.opsRejected << '\n';
    family("backfilld_corrections_total", "counter", "Claims of terminals the server cut (corrections sent back).");
    out << "backfilld_corrections_total " << m.corrections << '\n';
    family("backfilld_devices", "gauge", "Enrolled terminals that are not revoked.");
    out << "backfilld_devices " << m.devices << '\n';
    family("backfilld_connected_terminals", "gauge", "Terminals seen in the last 5 minutes.");
    out << "backfilld_connected_terminals " << m.connectedTerminals << '\n';
    family("backfilld_open_exceptions", "gauge", "Exceptions waiting for a person (backfilld exceptions).");
    out << "backfilld_open_exceptions " << m.openExceptions << '\n';
    family("backfilld_log_head", "gauge", "The server log's last sequence number.");
    out << "backfilld_log_head " << m.logHead << '\n';
    family("backfilld_notifications", "gauge", "Customer messages in the outbox, by state (backfilld notifications).");
    for (const char* state : {"pending", "sent", "failed", "unsubscribed"}) {
        const auto it = m.notifications.find(state);
        out << "backfilld_notifications{state=\"" << state << "\"} " << (it == m.notifications.end() ? 0 : it->second) << '\n';
    }
    return out.str();
}

} // namespace backfill::server
