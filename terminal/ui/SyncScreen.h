#pragma once
// Sync (issue 12 item 8): the link to backfilld as the operator needs it: online or offline,
// the actions not yet sent, the last completed sync, and the corrections inbox: each
// correction the server made to this terminal's allocations, said as what to do ("SO-1 line 1:
// take 4 x MUG from OUT1 back to stock"), acknowledged by a tap of an operator who may act on
// it. The link itself runs on a worker (app/UiSyncWorker.h); this screen only draws what it
// last reported.

#include "ui/ScreenParts.h"

#include <optional>
#include <string>
#include <vector>

namespace backfill::ui {

// LinkState is the link as the worker last found it.
enum class LinkState { NotEnrolled, Connecting, Online, Offline };

// linkWord: "not enrolled", "connecting", "online", "offline" (also in every screen's header).
const char* linkWord(LinkState state);

struct SyncCorrectionRow {
    int64_t seq = 0;      // the server log entry (acknowledged by it)
    std::string summary;  // one list row: "SO-1 line 1  4 x MUG back to stock"
    std::string action;   // what to do: "SO-1 line 1: take 4 x MUG from OUT1 back to stock"
    std::string reason;   // the server's words
};

struct SyncView {
    std::string operatorName;
    long long unsynced = -1;
    LinkState state = LinkState::NotEnrolled;
    std::string server;                   // tcp://HOST:PORT ("" before enrolment)
    std::string device;
    std::optional<std::string> lastSync;  // ISO-8601 UTC of the last completed round
    std::string lastError;                // "timeout: ..." of the last failed round ("" none)
    std::vector<SyncCorrectionRow> inbox; // corrections not acknowledged yet, log order
    std::optional<size_t> chosen;         // the correction shown in full
    bool mayAct = true;                   // the operator's role may move stock
    std::string whyNot;                   // when !mayAct: who may
    bool recording = false;               // an acknowledgement is in flight: "Recording ...",
                                          // Acknowledge disabled
    Outcome last;
};

struct SyncInput {};

struct SyncIntent {
    enum class Kind { None, Home, SyncNow, Choose, Acknowledge, AcknowledgeOutcome } kind = Kind::None;
    size_t index = 0; // Choose, Acknowledge: the inbox row
};

// syncStatusLines: "Unsent actions: 3", "Last sync: 2026-12-04T09:00:00Z" (or "never"),
// "Server: tcp://... as HH-01" (or how to enrol), then the last error when there is one.
std::vector<std::string> syncStatusLines(const SyncView& view);

// drawSyncScreen: a row chooses a correction (Choose); "Acknowledge" acknowledges the chosen
// one (disabled, with the reason, when the operator may not act on it); "Sync now" asks the
// worker for a round at once, offline or not; Home.
SyncIntent drawSyncScreen(const SyncView& view, SyncInput& input, const UiContext& ctx);

} // namespace backfill::ui
