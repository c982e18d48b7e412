// UiSession: the Sync screen's glue (the link's state as the worker reported it, the
// corrections inbox and its acknowledgements) and the idle sign-out. The status (before the
// link's first round) and the inbox are read on the UiReader's worker when one is attached
// (readThen), the last ones in sight until the new ones come; an acknowledgement is written on
// the UiWriter's worker when one is attached (writeThen), and no other is taken until its
// result comes ("Recording ...", Acknowledge disabled).

#include "app/AppStore.h"
#include "app/UiSession.h"
#include "store/Users.h"
#include "ui/Widgets.h"

namespace backfill::app {

namespace {

// correctionRow says a correction as what to do: the units the server did not grant go back
// from where this terminal carried them, and who filled the line when the server named the
// device ("SO-1 line 1 was filled by HH-03: take 4 x MUG from OUT1 back to stock"; "partly
// filled" when the server still granted some of the claim).
ui::SyncCorrectionRow correctionRow(const store::TerminalStore::Correction& c)
{
    const std::string line = c.orderId + " line " + std::to_string(c.line);
    if (c.release) {
        // The op's releases differed from the server's: nothing to carry, the pick lists
        // follow the server's allocations; the server's words say what the line holds.
        ui::SyncCorrectionRow row;
        row.seq = c.seq;
        const auto n = c.oldQty > c.newQty ? c.oldQty - c.newQty : c.newQty - c.oldQty;
        row.summary = line + "  released " + std::to_string(c.newQty) + " x " + c.sku + " at the server, " + std::to_string(c.oldQty) + " here";
        row.action = line + ": the server released " + std::to_string(n) + " x " + c.sku + (c.oldQty > c.newQty ? " fewer" : " more") +
                     " than this terminal: nothing to move, the pick lists follow the server";
        row.reason = c.message;
        return row;
    }
    const std::string units = std::to_string(c.oldQty - c.newQty) + " x " + c.sku;
    const std::string who = c.filledBy ? (c.newQty > 0 ? " was partly filled by " : " was filled by ") + *c.filledBy : "";
    ui::SyncCorrectionRow row;
    row.seq = c.seq;
    row.summary = line + "  " + units + " back to stock";
    row.action = line + who + ": take " + units + (c.stagedAt ? " from " + *c.stagedAt : "") + " back to stock";
    row.reason = c.message;
    return row;
}

} // namespace

void UiSession::setIdleSignOut(std::chrono::seconds idle)
{
    m_idleSignOut = idle;
    m_idleFixed = true;
}

bool UiSession::tick() { return checkIdle(); }

bool UiSession::checkIdle()
{
    if (!m_signedIn || m_idleSignOut.count() <= 0 || m_g.signedInAs == ledger::kBuiltInOperator) return false;
    if (m_clock() - m_lastInput < m_idleSignOut) return false;
    const std::string who = m_g.signedInAs;
    const long long minutes = m_idleSignOut.count() / 60;
    const std::string after = minutes > 0 && m_idleSignOut.count() % 60 == 0 ? std::to_string(minutes) + " min"
                                                                               : std::to_string(m_idleSignOut.count()) + " s";
    m_g.signedInAs = std::string(ledger::kBuiltInOperator);
    showSignIn();
    m_signInInput.operatorName = who;
    m_signInView.message = ui::SignInMessage{"signed_out_idle", who + " was signed out after " + after + " without input: sign in again"};
    m_lastInput = m_clock();
    return true;
}

void UiSession::applySync(const UiSyncState& state)
{
    const bool first = !m_syncState;
    m_syncState = state;
    m_syncView.state = state.link;
    m_syncView.server = state.server.value_or("");
    m_syncView.device = state.device.value_or("");
    m_syncView.lastSync = state.lastSync;
    m_syncView.lastError = state.error ? state.error->code + ": " + state.error->message : "";
    // The headers' unsent counts follow the outbox.
    setUnsent(state.unsent);
    if (first || state.pulled > 0) loadInbox();
}

void UiSession::refreshSync()
{
    m_syncView.operatorName = m_g.signedInAs;
    std::string why;
    m_syncView.mayAct = mayDo(ledger::Action::Move, why);
    m_syncView.whyNot = m_syncView.mayAct ? "" : why;
    if (!m_syncState) {
        // No round reported yet (or no worker): what the database says.
        using Status = ledger::Result<store::TerminalStore::SyncStatus>;
        readThen<Status>(
            "sync.status", [](store::TerminalStore& s) { return s.syncStatus(); },
            [this](Status status) {
                // A round reported while it was read: the worker's state is the newer.
                if (m_syncState) return;
                if (!status) {
                    m_syncView.last = refusalFor(status.error());
                    if (m_reader) m_cue = ui::Feedback::Refused; // after the frame that asked: its cue is here
                    return;
                }
                m_syncView.state = status->server ? (m_sync ? ui::LinkState::Connecting : ui::LinkState::Offline) : ui::LinkState::NotEnrolled;
                m_syncView.server = status->server.value_or("");
                m_syncView.device = status->device.value_or("");
                m_syncView.lastSync = status->lastSync;
            });
    }
    loadInbox();
}

void UiSession::loadInbox()
{
    using Rows = ledger::Result<std::vector<ui::SyncCorrectionRow>>;
    readThen<Rows>(
        "sync.inbox",
        [](store::TerminalStore& s) -> Rows {
            auto open = s.corrections(true);
            if (!open) return ledger::unexpected(open.error());
            std::vector<ui::SyncCorrectionRow> rows;
            for (const auto& c : *open) rows.push_back(correctionRow(c));
            return rows;
        },
        [this](Rows rows) {
            if (!rows) {
                m_syncView.last = refusalFor(rows.error());
                if (m_reader) m_cue = ui::Feedback::Refused; // after the frame that asked: its cue is here
                return;
            }
            // The correction chosen stays chosen while it is still open.
            std::optional<int64_t> chosen;
            if (m_syncView.chosen && *m_syncView.chosen < m_syncView.inbox.size()) chosen = m_syncView.inbox[*m_syncView.chosen].seq;
            m_syncView.inbox = std::move(*rows);
            m_syncView.chosen.reset();
            for (size_t i = 0; chosen && i < m_syncView.inbox.size(); ++i)
                if (m_syncView.inbox[i].seq == *chosen) m_syncView.chosen = i;
        });
}

void UiSession::applySyncIntent(const ui::SyncIntent& intent)
{
    switch (intent.kind) {
    case ui::SyncIntent::Kind::None: return;
    case ui::SyncIntent::Kind::Home: open(ui::ScreenId::Home); return;
    case ui::SyncIntent::Kind::SyncNow:
        if (m_sync) {
            m_sync->syncNow();
            m_syncView.last = {ui::Feedback::Attention, "Syncing", {"a round with the server was asked for; this screen shows its outcome"}, "", false};
        } else {
            m_syncView.last = refusalFor({"no_link", "the link is not running: restart the terminal once it is enrolled"});
        }
        return;
    case ui::SyncIntent::Kind::Choose:
        if (intent.index < m_syncView.inbox.size()) m_syncView.chosen = intent.index;
        return;
    case ui::SyncIntent::Kind::AcknowledgeOutcome: m_syncView.last.acknowledged = true; return;
    case ui::SyncIntent::Kind::Acknowledge: break;
    }
    if (intent.index >= m_syncView.inbox.size() || m_writing > 0) return;
    std::string why;
    if (!mayDo(ledger::Action::Move, why)) {
        m_syncView.last = refusalFor({"forbidden", why.substr(std::string("forbidden: ").size())});
        return;
    }
    const ui::SyncCorrectionRow row = m_syncView.inbox[intent.index];
    using Acked = ledger::Result<store::TerminalStore::Correction>;
    const auto actor = cliActor(m_g);
    writeThen<Acked>(
        ui::ScreenId::Sync, [seq = row.seq, actor](store::TerminalStore& s) { return s.acknowledgeCorrection(seq, actor); },
        [this, row, who = actor.operatorName](Acked done) {
            if (!done) {
                m_syncView.last = refusalFor(done.error());
            } else {
                // The row acknowledged leaves the inbox: it is chosen no more.
                if (m_syncView.chosen && *m_syncView.chosen < m_syncView.inbox.size() && m_syncView.inbox[*m_syncView.chosen].seq == row.seq)
                    m_syncView.chosen.reset();
                m_syncView.last = {ui::Feedback::Accepted, "Acknowledged by " + who, {row.action}, "", false};
            }
            if (m_screen == ui::ScreenId::Sync) loadInbox();
        });
}

} // namespace backfill::app
