#include "server/Apply.h"

#include "server/Notify.h"

#include "protocol/Codec.h"
#include "server/ServerSchema.h"
#include "server/Tokens.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <exception>

namespace backfill::server {

using ledger::unexpected;
using protocol::OpStatus;

namespace {

protocol::Error errorOf(const ledger::Error& e) { return {e.code, e.message}; }

int64_t systemNow()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool validDeviceId(std::string_view id)
{
    if (id.empty() || id.size() > protocol::kMaxDeviceIdBytes) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
}

} // namespace

Applier::Applier(ServerStore& store, ApplierOptions options) : m_store(store), m_options(std::move(options))
{
    if (!m_options.now) m_options.now = systemNow;
}

namespace {

ledger::Result<std::string> enrol(ServerStore& store, std::string_view deviceId, bool mustBeNew)
{
    if (!validDeviceId(deviceId))
        return ledger::fail("bad_device_id", "device id '" + std::string(deviceId) +
                                                 "': use 1 to 64 of A-Z a-z 0-9 . _ - (the terminal's --device)");
    std::string token = newToken();
    bool exists = false;
    auto done = store.transact("enrolling a device", [&]() -> ledger::Result<void> {
        auto d = store.device(deviceId);
        if (!d) return unexpected(d.error());
        if (*d && mustBeNew) {
            exists = true;
            return {};
        }
        // A revoked device stays revoked until it uses the token (Hello), so its old secret
        // and sessions do not come back to life in between.
        DeviceRecord record = d->value_or(DeviceRecord{std::string(deviceId), 0, "", "", false, std::nullopt});
        record.enrolHash = tokenHash(token);
        return store.saveDevice(record);
    });
    if (!done) return unexpected(done.error());
    if (exists)
        return ledger::fail("device_exists", "device '" + std::string(deviceId) +
                                                 "' already exists: `backfilld enrol " + std::string(deviceId) +
                                                 "` gives it a new enrolment token");
    return token;
}

} // namespace

ledger::Result<std::string> enrolDevice(ServerStore& store, std::string_view deviceId) { return enrol(store, deviceId, false); }

ledger::Result<std::string> addDevice(ServerStore& store, std::string_view deviceId) { return enrol(store, deviceId, true); }

ledger::Result<void> revokeDevice(ServerStore& store, std::string_view deviceId)
{
    bool known = true;
    auto done = store.transact("revoking a device", [&]() -> ledger::Result<void> {
        auto d = store.device(deviceId);
        if (!d) return unexpected(d.error());
        if (!*d) {
            known = false;
            return {};
        }
        DeviceRecord record = **d;
        record.revoked = true;
        record.enrolHash.clear();
        return store.saveDevice(record);
    });
    if (!done) return done;
    if (!known) return ledger::fail("unknown_device", "device '" + std::string(deviceId) + "' is not known: `backfilld device list` shows them");
    return {};
}

ledger::Result<void> resolveException(ServerStore& store, int64_t id, std::string_view note)
{
    if (note.empty()) return ledger::fail("empty_note", "say what was done: --note TEXT");
    std::optional<ledger::Error> refused;
    auto done = store.transact("resolving an exception", [&]() -> ledger::Result<void> {
        auto all = store.exceptions();
        if (!all) return unexpected(all.error());
        const auto it = std::find_if(all->begin(), all->end(), [&](const ExceptionRecord& e) { return e.id == id; });
        if (it == all->end()) {
            refused = ledger::Error{"unknown_exception", "exception " + std::to_string(id) + " does not exist: `backfilld exceptions` lists them"};
            return {};
        }
        if (it->resolvedNote) {
            refused = ledger::Error{"already_resolved", "exception " + std::to_string(id) + " was resolved: " + *it->resolvedNote};
            return {};
        }
        auto changed = store.resolveException(id, note);
        if (!changed) return unexpected(changed.error());
        const std::string entry = nlohmann::ordered_json{{"id", id}, {"code", it->code}, {"note", std::string(note)}}.dump();
        auto seq = store.appendLog("exception_resolved", entry);
        if (!seq) return unexpected(seq.error());
        return {};
    });
    if (!done) return done;
    if (refused) return ledger::unexpected(*refused);
    return {};
}

protocol::Message Applier::hello(const protocol::Hello& h)
{
    if (h.protocolVersion < protocol::kMinProtocolVersion)
        return protocol::Error{"unsupported_version", "the device speaks protocol " + std::to_string(h.protocolVersion) +
                                                          ", this server " + std::to_string(protocol::kMinProtocolVersion) +
                                                          ".." + std::to_string(protocol::kProtocolVersion) + ": upgrade the terminal"};
    protocol::HelloAck ack;
    ack.protocolVersion = std::min(h.protocolVersion, protocol::kProtocolVersion);
    std::optional<protocol::Error> refused;
    auto done = write("signing a device in", [&](ServerStore& store) -> ledger::Result<bool> {
        auto d = store.device(h.deviceId);
        if (!d) return unexpected(d.error());
        if (!*d) {
            refused = protocol::Error{"not_enrolled", "device '" + h.deviceId +
                                                          "' is not known to this server: run `backfilld enrol " + h.deviceId + "`"};
            return false;
        }
        DeviceRecord record = **d;
        if (record.revoked && h.epoch != 0) {
            refused = protocol::Error{"revoked", "device '" + h.deviceId + "' was revoked: enrol it again"};
            return false;
        }
        const std::string hash = tokenHash(h.token);
        if (h.epoch == 0) {
            if (record.enrolHash.empty() || !sameHash(hash, record.enrolHash)) {
                refused = protocol::Error{"bad_credentials", "device '" + h.deviceId +
                                                                 "': the enrolment token is wrong or was used: ask for a new one "
                                                                 "(`backfilld enrol " + h.deviceId + "`)"};
                return false;
            }
            record.epoch += 1;
            record.tokenHash = record.enrolHash;
            record.enrolHash.clear();
            record.revoked = false;
        } else if (h.epoch != record.epoch) {
            refused = protocol::Error{"stale_epoch", "device '" + h.deviceId + "' signed in with epoch " + std::to_string(h.epoch) +
                                                         ", the server issued epoch " + std::to_string(record.epoch) +
                                                         ": this terminal was enrolled again elsewhere; enrol it again"};
            return false;
        } else if (record.tokenHash.empty() || !sameHash(hash, record.tokenHash)) {
            refused = protocol::Error{"bad_credentials", "device '" + h.deviceId + "': wrong token"};
            return false;
        }
        record.lastSeen = m_options.now();
        if (auto r = store.saveDevice(record); !r) return unexpected(r.error());
        const std::string session = newToken();
        if (auto r = store.addSession(tokenHash(session), {record.deviceId, record.epoch, *record.lastSeen}); !r)
            return unexpected(r.error());
        auto head = store.headSeq();
        if (!head) return unexpected(head.error());
        ack.sessionId = session;
        ack.epoch = record.epoch;
        ack.headCursor = *head;
        return false;
    });
    if (!done) return errorOf(done.error());
    if (refused) return *refused;
    return ack;
}

namespace {

// deviceRefusal is why a request of `deviceId` under `epoch` is refused, given the server's
// record of the device (nullopt: not enrolled), if it is.
std::optional<ledger::Error> deviceRefusal(const std::optional<DeviceRecord>& d, const std::string& deviceId, int64_t epoch)
{
    if (!d) return ledger::Error{"not_enrolled", "device '" + deviceId + "' is not known to this server"};
    if (d->revoked) return ledger::Error{"revoked", "device '" + deviceId + "' was revoked: enrol it again"};
    if (d->epoch != epoch)
        return ledger::Error{"stale_epoch", "device '" + deviceId + "' is at epoch " + std::to_string(d->epoch) + ", not " +
                                                std::to_string(epoch) + ": enrol it again"};
    return std::nullopt;
}

} // namespace

ledger::Result<SessionRecord> Applier::authenticate(const protocol::Auth& auth)
{
    std::string deviceId;
    int64_t epoch = 0;
    if (const auto* s = std::get_if<protocol::Session>(&auth)) {
        auto found = m_store.session(tokenHash(s->id));
        if (!found) return unexpected(found.error());
        if (!*found) return ledger::fail("unknown_session", "the session id is not known to this server: send Hello again");
        // Expired: the same code, so the link signs in again as for a forgotten session.
        if (m_options.now() - (*found)->issuedAt > kSessionSeconds)
            return ledger::fail("unknown_session", "the session expired (a session lasts " + std::to_string(kSessionSeconds / 3600) +
                                                       " hours): send Hello again");
        deviceId = (*found)->deviceId;
        epoch = (*found)->epoch;
    } else {
        const auto& c = std::get<protocol::Credentials>(auth);
        deviceId = c.deviceId;
        epoch = c.epoch;
    }
    auto d = m_store.device(deviceId);
    if (!d) return unexpected(d.error());
    if (auto refused = deviceRefusal(*d, deviceId, epoch)) return unexpected(*refused);
    if (const auto* c = std::get_if<protocol::Credentials>(&auth))
        if ((*d)->tokenHash.empty() || !sameHash(tokenHash(c->token), (*d)->tokenHash))
            return ledger::fail("bad_credentials", "device '" + deviceId + "': wrong token");
    if (m_options.counters) m_options.counters->seen(deviceId, m_options.now());
    return SessionRecord{deviceId, epoch};
}

ledger::Result<void> Applier::write(const char* what, const WriteQueue::Step& step, WriteQueue::Turn turn,
                                    const std::function<void()>& committed)
{
    if (m_options.writes) return m_options.writes->run(step, turn, committed);
    for (bool more = true; more;) {
        auto done = m_store.transact(what, [&]() -> ledger::Result<void> {
            auto r = step(m_store);
            if (!r) return unexpected(r.error());
            more = *r;
            return {};
        });
        if (!done) return done;
    }
    return {};
}

namespace {

// PushProgress is where a push's application stands between its slices.
struct PushProgress {
    size_t next = 0;   // the next op to handle
    bool stop = false; // the push stops before `next`
    protocol::PushAck ack;
    // The (epoch, device_seq) this slice recorded last: the next op's sequence check needs no
    // read. Reset at each slice: between two transactions a resent push may have applied more.
    std::optional<std::pair<int64_t, int64_t>> recorded;
    // The (epoch, device_seq) the push recorded last, in any slice (CommittedSeqs).
    std::optional<std::pair<int64_t, int64_t>> lastRecorded;
    // What the slice's ops learnt of locations and the waitlist (server/Ops.h):
    // reset with it.
    MasterMemo memo;
    // Why the device is refused, found at the start of a slice (revoked or enrolled again
    // since the push was authenticated): the push is answered with it.
    std::optional<ledger::Error> refused;
    // early: the push's first op comes after a gap, so nothing of it was handled; it may
    // wait for the push before it (mayWait), sent just before it on another context.
    bool mayWait = false;
    bool early = false;
};

// unsaved runs `apply` (an op of a kind that refusesBeforeWriting) with no savepoint: a
// savepoint copies every page the op writes first, about a tenth of a receipt's cost
// (bench/README.md, Sync). Should such an op be refused after writing all the same, that is
// a server bug: the error rolls back the whole transaction rather than keep half an op.
ledger::Result<bool> unsaved(ServerStore& store, const protocol::Op& op, const std::function<ledger::Result<bool>()>& apply)
{
    const int64_t before = store.writesSoFar();
    auto kept = apply();
    if (kept && !*kept && store.writesSoFar() != before)
        return ledger::fail("refused_after_writing", "the server refused op " + op.opId + " (" + op.kind +
                                                         ") after writing part of it: nothing of this push slice is kept; "
                                                         "report this server bug");
    return kept;
}

// handleOp handles one op of a push inside the open transaction: dedupe, epoch, device_seq,
// then applyOp as a unit (a rejected op leaves no writes: it wrote none, or its savepoint is
// rolled back; the other ops of the transaction stay) and the record of its outcome. An
// error is a store failure: the caller's transaction rolls back.
ledger::Result<void> handleOp(ServerStore& store, const SessionRecord& who, const protocol::Op& op, const nlohmann::ordered_json& payload,
                              const ReadAhead& ahead, PushProgress& p, const std::function<int64_t()>& now)
{
    protocol::OpResult r;
    r.opId = op.opId;
    r.deviceSeq = op.deviceSeq;
    auto finish = [&] {
        p.ack.results.push_back(std::move(r));
        return ledger::Result<void>{};
    };
    auto seen = store.appliedOp(op.opId);
    if (!seen) return unexpected(seen.error());
    if (*seen) {
        const AppliedOp& a = **seen;
        if (a.deviceId != who.deviceId) {
            r.status = OpStatus::Rejected;
            r.code = "op_id_conflict";
            r.message = "op_id " + op.opId + " was applied for another device";
            p.stop = true;
            return finish();
        }
        r.status = OpStatus::Duplicate;
        r.code = a.code;
        r.message = a.message;
        r.globalSeq = a.globalSeq;
        r.result = a.result;
        return finish();
    }
    if (op.epoch > who.epoch) {
        r.status = OpStatus::Rejected;
        r.code = "wrong_epoch";
        r.message = "op written under epoch " + std::to_string(op.epoch) + ", the device signed in with epoch " +
                    std::to_string(who.epoch);
        p.stop = true;
        return finish();
    }
    auto last = p.recorded && p.recorded->first == op.epoch ? Result<int64_t>(p.recorded->second)
                                                            : store.lastDeviceSeq(who.deviceId, op.epoch);
    if (!last) return unexpected(last.error());
    if (p.mayWait && p.ack.results.empty() && op.deviceSeq > *last + 1) {
        p.early = true;
        p.stop = true;
        return {};
    }
    if (op.deviceSeq != *last + 1) {
        r.status = OpStatus::Rejected;
        p.stop = true;
        if (op.deviceSeq > *last + 1) {
            r.code = "expected_seq";
            r.message = "expected device_seq " + std::to_string(*last + 1) + ", got " + std::to_string(op.deviceSeq) +
                        ": send the missing ops first";
            p.ack.expectedSeq = *last + 1;
        } else {
            r.code = "seq_reused";
            r.message = "device_seq " + std::to_string(op.deviceSeq) + " of epoch " + std::to_string(op.epoch) +
                        " was already used by another op: this database was restored or cloned; enrol it again";
        }
        return finish();
    }
    // The op's entries carry when the device did it (reports by day, exports); the server's
    // clock when the device sent no time.
    const auto pinned = store.logTime();
    store.setLogTime(op.createdAt > 0 ? op.createdAt : now());
    ledger::Result<OpOutcome> outcome = OpOutcome{};
    auto apply = [&]() -> ledger::Result<bool> {
        outcome = applyOp(store, {who.deviceId, op.opId, op.deviceSeq, op.epoch, &p.memo}, op.kind, payload, ahead);
        if (!outcome) return unexpected(outcome.error());
        if (outcome->status == OpStatus::Rejected) return false; // a refused op leaves nothing behind
        // Customer notifications the op causes are queued with it (server/Notify.h), dated by
        // the server's day (--today when pinned), not the device's.
        const int64_t at = now();
        if (auto n = notifyAfterOp(store, op.kind, *outcome, {ledger::dateOf(pinned ? *pinned : at), at}, &p.memo); !n)
            return unexpected(n.error());
        return true;
    };
    auto kept = refusesBeforeWriting(op.kind) ? unsaved(store, op, apply) : store.savepoint(apply);
    store.setLogTime(pinned);
    if (!kept) return unexpected(kept.error());
    r.status = outcome->status;
    r.code = std::move(outcome->code);
    r.message = std::move(outcome->message);
    r.globalSeq = outcome->globalSeq;
    r.result = std::move(outcome->result);
    if (!outcome->record) {
        p.stop = true;
        return finish();
    }
    if (auto recorded = store.recordOp({op.opId, who.deviceId, op.epoch, op.deviceSeq, op.kind, r.status, r.code, r.message,
                                        r.globalSeq, r.result});
        !recorded)
        return recorded;
    p.recorded = p.lastRecorded = std::pair{op.epoch, op.deviceSeq};
    return finish();
}

} // namespace

protocol::Message Applier::push(const protocol::Push& push)
{
    auto who = authenticate(push.auth);
    if (!who) return errorOf(who.error());
    // Slices of at most kOpsPerCommit ops, each slice one transaction (grouped with other
    // requests' writes by the WriteQueue when serving). The reply goes out after the last
    // slice committed; a failure leaves the slices before it applied (their retry is a
    // duplicate) and nothing of its own.
    // The payloads are read here, on the request's thread, not by the writer: while it
    // applies one push, the next one's are read (a terminal keeps several in flight, sync/link).
    // So are a receipt's fields (readAhead): the writer finds them read and checked.
    std::vector<nlohmann::ordered_json> payloads;
    std::vector<ReadAhead> aheads;
    payloads.reserve(push.ops.size());
    aheads.reserve(push.ops.size());
    for (const auto& op : push.ops) {
        payloads.push_back(parsePayload(op.payload));
        aheads.push_back(readAhead(op.kind, payloads.back()));
    }
    PushProgress progress;
    progress.ack.results.reserve(push.ops.size());
    // A terminal catching up keeps more pushes in flight while the first is applied
    // (sync/link): they are in this server at once, and a later one may reach the writer
    // first. Its first op then comes after a gap; serving, it waits for the one before it
    // (docs/server.md, Pushes in flight) rather than answer expected_seq at once. A gap that
    // is still there after kEarlyPushWait is answered as before.
    progress.mayWait = m_options.writes != nullptr;
    const auto waitUntil = std::chrono::steady_clock::now() + kEarlyPushWait;
    auto attempt = [&](ServerStore& store) -> ledger::Result<bool> {
        progress.recorded.reset();
        progress.memo = {};
        // Authentication read the device before this push waited for the writer; a `device
        // revoke` (another process) may have committed since. Read again in this transaction,
        // so nothing is applied for a device that is refused by the time it would be.
        auto d = store.device(who->deviceId);
        if (!d) return unexpected(d.error());
        if ((progress.refused = deviceRefusal(*d, who->deviceId, who->epoch))) return false;
        for (size_t n = 0; n < kOpsPerCommit && progress.next < push.ops.size() && !progress.stop; ++n, ++progress.next)
            if (auto r = handleOp(store, *who, push.ops[progress.next], payloads[progress.next], aheads[progress.next], progress,
                                  m_options.now);
                !r)
                return unexpected(r.error());
        if (progress.early) return false;
        if (progress.next < push.ops.size() && !progress.stop) return true;
        // The last slice reads the log's head itself, in its own transaction: the reply's
        // cursor then counts every entry this push wrote. Read after the commit on another
        // connection, it cost that connection a fresh start on a changed database (~1 us per
        // op of a 100-op push; bench/README.md, Sync).
        auto head = store.headSeq();
        if (!head) return unexpected(head.error());
        progress.ack.headCursor = *head;
        return false;
    };
    // Of two pushes of the device waiting for the writer, the one with the lower device_seq
    // goes first (WriteQueue::Turn): a push sent ahead that came first does not take a round
    // for nothing while its predecessor waits behind it.
    const WriteQueue::Turn turn{who->deviceId, push.ops.empty() ? 0 : push.ops.front().deviceSeq};
    // Each slice, once committed, tells how far the device got (CommittedSeqs), from the
    // writer's thread: a push of the device that came early is woken without another hop.
    const std::function<void()> committed = [&] {
        if (progress.lastRecorded)
            m_options.writes->committedSeqs().committed(who->deviceId, progress.lastRecorded->first, progress.lastRecorded->second);
    };
    auto done = write("applying a push", attempt, turn, committed);
    while (done && progress.early) {
        // The push before it has not reached the writer yet: try again once its last op is
        // committed (the op just before this push's first), or answer the gap after
        // kEarlyPushWait.
        const protocol::Op& first = push.ops.front();
        if (!m_options.writes->committedSeqs().waitFor(who->deviceId, first.epoch, first.deviceSeq - 1, waitUntil))
            progress.mayWait = false; // answered as a gap now
        progress.early = progress.stop = false;
        progress.next = 0; // the loop counted the op it left
        done = write("applying a push", attempt, turn, committed);
    }
    if (!done) return errorOf(done.error());
    if (progress.refused) return errorOf(*progress.refused);
    return std::move(progress.ack);
}

protocol::Message Applier::pull(const protocol::Pull& pull)
{
    auto who = authenticate(pull.auth);
    if (!who) return errorOf(who.error());
    const size_t max = std::clamp<size_t>(pull.maxEntries, 1, protocol::kMaxEntriesPerChanges);
    // One more than asked tells whether more wait.
    auto entries = m_store.entriesAfter(pull.cursor, max + 1);
    if (!entries) return errorOf(entries.error());
    if (entries->empty() && pull.waitMs > 0 && m_options.waitForChange && (!m_options.pollSlots || m_options.pollSlots->take())) {
        // Long poll: re-read whenever the log may have grown; slices bound how late an entry
        // written by another process (an import) is seen. The slot is given back at the end.
        struct Slot {
            PollSlots* slots;
            ~Slot()
            {
                if (slots) slots->give();
            }
        } slot{m_options.pollSlots};
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(pull.waitMs);
        while (entries->empty()) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !m_options.waitForChange(std::min(left, std::chrono::milliseconds(250)))) break;
            entries = m_store.entriesAfter(pull.cursor, max + 1);
            if (!entries) return errorOf(entries.error());
        }
    }
    protocol::Changes changes;
    changes.nextCursor = pull.cursor;
    // Fill below the message limit, with room for the envelope and the other fields.
    const size_t budget = protocol::kMaxMessageBytes - 64 * 1024;
    size_t bytes = 0;
    for (auto& e : *entries) {
        const size_t size = e.payload.size() + e.kind.size() + 32;
        if (changes.entries.size() == max || (!changes.entries.empty() && bytes + size > budget)) {
            changes.more = true;
            break;
        }
        bytes += size;
        changes.nextCursor = e.seq;
        changes.entries.push_back(std::move(e));
    }
    return changes;
}

// count adds one answered request to the counters (server/Metrics.h), by its reply.
void Applier::count(const protocol::Message& reply)
{
    ServerCounters& c = *m_options.counters;
    if (std::holds_alternative<protocol::Error>(reply)) {
        ++c.refused;
    } else if (std::holds_alternative<protocol::HelloAck>(reply)) {
        ++c.hellos;
    } else if (std::holds_alternative<protocol::Changes>(reply)) {
        ++c.pulls;
    } else if (const auto* ack = std::get_if<protocol::PushAck>(&reply)) {
        ++c.pushes;
        for (const auto& r : ack->results) {
            switch (r.status) {
            case OpStatus::Applied: ++c.opsApplied; break;
            case OpStatus::Flagged: ++c.opsFlagged; break;
            case OpStatus::Duplicate: ++c.opsDuplicate; continue; // its corrections were counted once
            case OpStatus::Rejected: ++c.opsRejected; continue;
            }
            // Most results have none: parse only those that name one.
            if (r.result.find(R"("corrections":[{)") == std::string::npos) continue;
            const auto result = nlohmann::json::parse(r.result, nullptr, false);
            if (result.is_object() && result.contains("corrections") && result["corrections"].is_array())
                c.corrections += result["corrections"].size();
        }
    }
}

std::string Applier::handle(std::string_view request)
{
    protocol::Message reply;
    try {
        auto message = protocol::decode(request);
        if (!message) {
            reply = errorOf(message.error());
        } else if (const auto* h = std::get_if<protocol::Hello>(&*message)) {
            reply = hello(*h);
        } else if (const auto* p = std::get_if<protocol::Push>(&*message)) {
            reply = push(*p);
        } else if (const auto* q = std::get_if<protocol::Pull>(&*message)) {
            reply = pull(*q);
        } else {
            reply = protocol::Error{"unexpected_message", std::string("a ") + protocol::messageName(*message) +
                                                              " is a reply, not a request: send hello, push or pull"};
        }
    } catch (const std::exception& e) {
        reply = protocol::Error{"server_error", std::string("the server failed: ") + e.what()};
    }
    if (m_options.counters) count(reply);
    auto bytes = protocol::encodeChecked(reply);
    if (bytes) return *bytes;
    return protocol::encode(protocol::Error{bytes.error().code, "the server could not encode its reply: " + bytes.error().message});
}

} // namespace backfill::server
