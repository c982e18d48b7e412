#pragma once
// UiSession is the touch UI's application state and the one place that applies the screens'
// intents and the wedge's scans: it calls the same store and workflow code as the CLI
// (store::Users for sign-in, workflow::parseReceiptScan + receiptFromScan +
// TerminalStore::receive for receiving, store::latestActions for the history) and turns the
// outcomes into the screens' views. The screens (terminal/ui) never see the store.
//
// Screens and who moves between them:
//
//    start() --no user / --operator + BACKFILL_PIN accepted--> the --start screen (Home)
//       |
//       +--otherwise--> SignIn --signIn() accepted--> the --start screen (Home)
//                         ^                               |
//                         +------ Home "Sign out" --------+ Home <--tile / "Home"--> Receive,
//                         +------ idle (checkIdle) -------+        Put away, Pick, Count,
//                                                                  Stock, Sync
//
// Idle sign-out: a signed-in user (not the built-in operator of a terminal without users)
// is signed out after idleSignOut() without input (a tap, a key, a scan); checked in frame()
// and in tick(), which the frame loop calls on every wake-up (at least every 2 s).
//
// Sync: with a UiSyncWorker attached (attachSync), every write whose result leaves ops in the
// outbox nudges it, so the action is pushed at once when online; applySync (posted to the main
// thread after each round) updates the Sync screen, the headers and the Home tile.
//
// Writes (writeThen): with a UiWriter attached every commit runs on its worker, in
// submission order, and its result comes back through the MainQueue; the operator is told
// "recorded" only then. While any write is in flight (writing() > 0) the views say
// "Recording ...": Receive takes further scans and queues them behind it (each result shown
// as it comes, in scan order), Put away, Pick and Count refuse a scan with `recording` and act
// on no tap but Home and an acknowledgement, Sync acknowledges no further correction
// (docs/ui.md, Writes off the main thread).
//
// Quitting asks first (QuitConfirm.h): requestClose (the window manager's close, through the
// platform's close callback) opens "Quit Backfill?" over whatever screen is open; its Quit
// sets quitRequested (the frame loop then ends), Stay closes it. Scans still apply to the
// screen below while it is open.
//
// A scan is applied on every screen (onScan): on Receive it is received (read into its receipt
// on the writer); on Put away, Pick, Count and Stock it is read by readScan (UiScan.h, on the
// reader: readScanThen, in scan order, later scans queued behind it) and applied by that
// screen's glue (UiSession<Screen>.cpp); on Home a pallet opens Receive, a product its Stock
// card, a location a Count there; on SignIn it is not taken and the operator is told to sign
// in first.
//
// Sign-in (signIn): with a UiWriter attached the PIN is checked on its worker (Argon2id, then
// the failed-attempt count and the lock written); the sign-in view is `checking` and takes no
// tap until applySignIn has the result (docs/ui.md, Sign-in off the main thread).

#include "app/Cli.h"
#include "app/UiReader.h"
#include "app/UiScan.h"
#include "app/UiSyncWorker.h"
#include "app/UiWriter.h"
#include "ledger/Roles.h"
#include "scan/Wedge.h"
#include "store/TerminalStore.h"
#include "ui/CountScreen.h"
#include "ui/HomeScreen.h"
#include "ui/PickScreen.h"
#include "ui/PutawayScreen.h"
#include "ui/QuitConfirm.h"
#include "ui/ReceiveScreen.h"
#include "ui/ScreenId.h"
#include "ui/SignInScreen.h"
#include "ui/StockScreen.h"
#include "ui/SyncScreen.h"
#include "ui/UiContext.h"

#include <chrono>
#include <functional>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace backfill::app {

class UiSession {
public:
    // start is the screen to open after sign-in (--start; Home by default).
    UiSession(store::TerminalStore& store, GlobalOptions& g, ui::ScreenId start);

    // start signs in without the screen when it can: the built-in operator on a terminal with
    // no user, or --operator with BACKFILL_PIN (a refusal shows on the sign-in screen, with
    // the operator chosen). It runs before the first frame and reads and signs in at once on
    // the session's store (nothing is on screen yet; docs/ui.md, What stays on the main
    // thread); every later sign-in runs on the writer.
    void start();

    // frame applies `scans`, draws the current screen and applies its intent. Returns true
    // when something changed that the next frame must show.
    bool frame(const std::vector<scan::Scan>& scans, const ui::UiContext& ctx);

    // tick runs between frames (every wake-up of the loop): the idle sign-out. Returns true
    // when the screen changed.
    bool tick();

    // Idle sign-out after `idle` without input (0: never). Without a call, start() reads the
    // setting `idle_signout_s` (whole seconds), else kDefaultIdleSignOut.
    void setIdleSignOut(std::chrono::seconds idle);
    std::chrono::seconds idleSignOut() const { return m_idleSignOut; }
    static constexpr std::chrono::seconds kDefaultIdleSignOut{600};
    // setClock replaces the steady clock idle time is measured with (tests).
    void setClock(std::function<std::chrono::steady_clock::time_point()> clock) { m_clock = std::move(clock); }

    // requestClose opens the quit confirmation (again: it stays open). quitConfirmOpen: it is
    // shown; quitRequested: Quit was tapped (the app ends its loop).
    void requestClose() { m_quitConfirm = true; }
    bool quitConfirmOpen() const { return m_quitConfirm; }
    bool quitRequested() const { return m_quitRequested; }

    // attachSync gives the session the link's worker (nullptr: none, not enrolled).
    void attachSync(UiSyncWorker* worker) { m_sync = worker; }
    // applySync takes a round's outcome (on the main thread).
    void applySync(const UiSyncState& state);
    // attachReader gives the session a worker for its slow reads (nullptr: none, each read
    // runs at once on the session's store, as the headless tests of the views do). The reads
    // on it: Home's tile counts, Receive's expected pallets and recent receipts, the put-away
    // list, the pick list, Count's tasks and approval queue, Sync's status and inbox, and
    // Stock's fast movers, searches and cards (docs/ui.md, Reads off the main thread); what
    // each scan means, the short reasons, the unsent count as a screen opens and the sign-in
    // screen's operators (Small reads off the main thread).
    void attachReader(UiReader* reader) { m_reader = reader; }
    // attachWriter gives the session a worker for its writes (nullptr: none, each write runs at
    // once on the session's store, as the headless tests of the views do). Detach it only with
    // no write in flight, or drain the queue after (each result is applied where it lands).
    void attachWriter(UiWriter* writer) { m_writer = writer; }
    // writing is the number of writes submitted whose results have not come back yet.
    int writing() const { return m_writing; }
    // scansReading is the number of scans whose meaning (readScan) is still being read on the
    // reader; every header says so meanwhile (busyNotice: "reading scan ...", "reading 3
    // scans ..."; empty when none). Scans that come meanwhile queue behind them, in order.
    int scansReading() const { return m_scanReads; }
    std::string busyNotice() const;
    // countBasisPending: the count's basis (the ledger's latest event id) is being read on the
    // writer for the location chosen; Count says "Starting the count at A1 ..." and submits
    // nothing until it comes.
    bool countBasisPending() const { return m_countView.starting; }
    // countBasis is the ledger position the count at the current location began at (tests).
    int64_t countBasis() const { return m_countBasis; }

    // takeCue gives, once, the result class of the latest scan or action that produced a
    // result (the sound the platform plays for it; docs/ui.md, Sound): every scan gives one,
    // a tap only when it changed the screen's result (an acknowledgement does not).
    std::optional<ui::Feedback> takeCue() { return std::exchange(m_cue, std::nullopt); }

    // resultKey is the current screen's last result: its class and its words (the cue's
    // trigger; --probe shows it).
    std::pair<ui::Feedback, std::string> resultKey() const;

    ui::ScreenId screen() const { return m_screen; }
    // The views as last built (headless session tests read them).
    const ui::HomeView& homeView() const { return m_homeView; }
    const ui::ReceiveView& receiveView() const { return m_receiveView; }
    const ui::PutawayView& putawayView() const { return m_putawayView; }
    const ui::PickView& pickView() const { return m_pickView; }
    const ui::CountView& countView() const { return m_countView; }
    const ui::StockView& stockView() const { return m_stockView; }
    const ui::SyncView& syncView() const { return m_syncView; }
    const ui::SignInView& signInView() const { return m_signInView; }

private:
    // signIn checks the PIN (store::Users::signIn: Argon2id, then the failed-attempt count
    // and the lock are written) on the writer when one is attached, else at once; the sign-in
    // view says "Checking ..." and takes no tap until applySignIn has its result.
    void signIn(const std::string& name, const std::string& pin);
    void applySignIn(const std::string& name, const ledger::Result<ledger::Role>& role);
    void showSignIn();
    void open(ui::ScreenId screen);
    void onScan(const scan::Scan& scan);
    // readScanThen reads what a scan means (readScan) on the reader when one is attached,
    // queued behind the scans still being read, and applies it with applyScan on the main
    // thread in scan order; without a reader, at once. A sign-out drops the scans still coming.
    void readScanThen(const std::string& text);
    // applyScan applies a scan to whatever screen is open when its meaning is known (as the
    // scans of one frame each apply to the screen the one before left open).
    void applyScan(const std::string& text, const ScanMeaning& meaning);
    // readUnsent reads the outbox count for the headers (on the reader, or at once); a write's
    // result, which brings the count read after it, makes a read still coming stale.
    void readUnsent();
    void receive(const std::string& text);
    // receiveRequest records one receipt and gives its result; remembers loose units of one
    // product as correctable (UiSessionReceive.cpp).
    // ReceiptRecorded: a receipt written (on the writer's worker, or at once): the result to
    // show, and the receipt when its quantity may be corrected (loose units of one product).
    struct LastReceipt;
    struct ReceiptRecorded;
    static ReceiptRecorded recordReceipt(store::TerminalStore& store, const ledger::ReceiptRequest& request, const store::Actor& actor);
    // showReceipt applies a receipt's result to the Receive view (and makes it correctable
    // when it is the last write and Receive is open).
    void showReceipt(const std::string& text, ReceiptRecorded recorded);
    // acknowledgeReceipt is the tap on a refusal: the next refusal held behind it, else the
    // last result that came behind it (the others are in the latest receipts), else the
    // refusal stays, acknowledged.
    void acknowledgeReceipt();
    void loadReceiveLists();
    void undoLastReceipt();
    // correctLastReceipt makes the last loose receipt `units` units: its undo, then a receipt
    // of the corrected count (refused: nothing_to_correct, not_whole_items, undo_blocked, ...).
    void correctLastReceipt(long long units);
    void refreshHome();
    void refreshReceive();
    bool mayDo(ledger::Action action, std::string& why) const;
    // refusalFor turns a store or sign-in error into a red outcome.
    static ui::Outcome refusalFor(const ledger::Error& e);

    // Put away / move (UiSessionPutaway.cpp).
    void refreshPutaway();
    void putawayScan(const ScanMeaning& scan);
    void applyPutaway(const ui::PutawayIntent& intent);
    // moveUnits records one move (a release out of quarantine needs ledger::Action::Release)
    // and shows its outcome when it comes; a free move starts anew once it was recorded.
    void moveUnits(const ledger::MoveRequest& request, bool freeMove);
    void loadPutaway();

    // Pick (UiSessionPick.cpp).
    void refreshPick();
    void pickScan(const ScanMeaning& scan);
    void applyPick(const ui::PickIntent& intent);
    void pickUnits(long long qty);
    void shortUnits(long long found, const std::string& reason);
    void loadPick();

    // Count (UiSessionCount.cpp).
    void refreshCount();
    void countScan(const ScanMeaning& scan);
    void applyCount(const ui::CountIntent& intent);
    void countAt(const std::string& location);
    void submitCount(long long qty);
    void decidePending(const ui::CountIntent& intent);

    // dropReads makes every read still coming stale (open() and the sign-in screen call it:
    // what was read for the screen left is not applied to it).
    void dropReads();

    // Sync (UiSessionSync.cpp).
    void refreshSync();
    void loadInbox();
    void applySyncIntent(const ui::SyncIntent& intent);
    // checkIdle signs an idle operator out; true when it did.
    bool checkIdle();

    // readThen runs `read` on the reader's worker when one is attached, and `apply` with its
    // result on the main thread (from the MainQueue); without a reader, both at once. Each read
    // is stamped with its key's generation, and a result whose generation is no longer current
    // is dropped, not applied: a newer read of the same key was asked for, or the read was
    // dropped (dropRead, dropReads: the screen was left, Back was tapped).
    template <class R>
    void readThen(const std::string& key, std::function<R(store::TerminalStore&)> read, std::function<void(R)> apply)
    {
        const long gen = ++m_readGen[key];
        if (!m_reader) {
            apply(read(m_store));
            return;
        }
        m_reader->submit(key, [this, key, gen, read = std::move(read), apply = std::move(apply)](store::TerminalStore& s) -> std::function<void()> {
            auto result = std::make_shared<R>(read(s));
            // Runs on the main thread, where m_readGen lives.
            return [this, key, gen, apply, result] {
                if (m_readGen[key] != gen) return;
                apply(std::move(*result));
            };
        });
    }
    // dropRead makes the read of `key` still coming stale.
    void dropRead(const std::string& key) { ++m_readGen[key]; }

    // writeThen runs `write` on the writer's worker when one is attached, and `apply` with its
    // result on the main thread when it comes (from the MainQueue); without a writer, both at
    // once. Every write runs, in submission order, and every result is applied (to its
    // screen's view, whatever screen is open by then: the caller reads lists again only while
    // that screen is open). The outbox count is read after the write on the same connection
    // and comes back with it: the headers' unsent count, and a nudge to the link when ops
    // wait. `screen` is where the write was asked for: its result's cue is given only there
    // (without a writer, frame() gives it as for any result in the frame).
    template <class R>
    void writeThen(ui::ScreenId screen, std::function<R(store::TerminalStore&)> write, std::function<void(R)> apply)
    {
        beginWrite();
        if (!m_writer) {
            R result = write(m_store);
            endWrite(unsentAfterWrite(m_store));
            apply(std::move(result));
            return;
        }
        m_writer->submit([this, screen, write = std::move(write), apply = std::move(apply)](store::TerminalStore& s) -> std::function<void()> {
            // On the worker: its store only; `this` is used in the task, on the main thread.
            auto result = std::make_shared<R>(write(s));
            const long long unsent = unsentAfterWrite(s);
            return [this, screen, apply, result, unsent] {
                endWrite(unsent);
                apply(std::move(*result));
                if (m_screen == screen)
                    if (const auto key = resultKey(); key.first != ui::Feedback::None) m_cue = key.first;
            };
        });
    }
    // unsentAfterWrite reads the outbox count (-1: it could not be read).
    static long long unsentAfterWrite(store::TerminalStore& store);
    // beginWrite / endWrite count the writes in flight and show it on the views; endWrite
    // takes the outbox count read after the write.
    void beginWrite();
    void endWrite(long long unsent);
    // showWriting puts the writes in flight on the views ("Recording ...").
    void showWriting();
    // recordingRefusal: a scan refused while a write is in flight (Put away, Pick, Count).
    static ui::Outcome recordingRefusal();
    // refuseWhileRecording refuses the scan on Put away, Pick or Count while a write is in
    // flight (the next scan there depends on its result: the list it leaves, a recount), and
    // says whether it did.
    bool refuseWhileRecording();
    // loadingRefusal: a scan refused while `list` ("pick list", "put-away list") is read.
    static ui::Outcome loadingRefusal(const std::string& list);
    // setUnsent puts the outbox count on every header and the Home tile (< 0: not shown).
    void setUnsent(long long unsent);

    // Stock (UiSessionStock.cpp).
    void refreshStock();
    void searchStock(const std::string& query);
    void openStockCard(const std::string& sku);
    void stockScan(const ScanMeaning& scan);
    void applyStock(const ui::StockIntent& intent);

    store::TerminalStore& m_store;
    GlobalOptions& m_g;
    std::optional<ui::Feedback> m_cue;
    ui::ScreenId m_start;
    ui::ScreenId m_screen = ui::ScreenId::SignIn;
    ledger::Role m_role = ledger::Role::Supervisor;
    bool m_signedIn = false;

    ui::SignInView m_signInView;
    ui::SignInInput m_signInInput;
    ui::HomeView m_homeView;
    ui::HomeInput m_homeInput;
    bool m_hasUsers = true; // read once by start(): without users nobody signs out
    int m_scanReads = 0;    // scans whose meaning is still being read (readScanThen)
    long m_scanGen = 0;     // a sign-out makes the scans still being read stale
    long m_scanSeq = 0;     // each scan read's own key: none replaces another
    ui::ReceiveView m_receiveView;
    ui::ReceiveInput m_receiveInput;
    // LastReceipt: the last receipt of loose units, while it may be corrected.
    struct LastReceipt {
        ledger::ReceiptRequest request;
        long long unitsPerItem = 1; // what one item of its GTIN holds (a case: case_qty)
        long long units = 0;
        std::string sku;
    };
    struct ReceiptRecorded {
        ledger::Result<ui::ReceiveResult> shown;
        std::optional<LastReceipt> correctable;
    };
    std::optional<LastReceipt> m_lastReceipt;
    // A refusal shown from the writer is held until its tap (UI.md: it needs a tap, so it is
    // not missed), though the scans queued behind it land meanwhile: their results wait here
    // in scan order (acknowledgeReceipt shows the next refusal among them, else the last).
    std::deque<ui::ReceiveResult> m_behind;
    ui::PutawayView m_putawayView;
    ui::PutawayInput m_putawayInput;
    ui::PickView m_pickView;
    ui::PickInput m_pickInput;
    ui::CountView m_countView;
    ui::CountInput m_countInput;
    ui::StockView m_stockView;
    ui::StockInput m_stockInput;
    std::map<std::string, ledger::VelocityRow> m_fastMovers; // the 20 fastest by sku (read as Stock opens)
    UiReader* m_reader = nullptr;
    UiWriter* m_writer = nullptr;
    int m_writing = 0; // writes submitted whose results have not come back
    long long m_unsent = -1; // the outbox count last shown (< 0: none)
    // Generations of the stock reads: a result is applied only while its own is current.
    std::map<std::string, long> m_readGen; // each read key's generation (readThen)
    int64_t m_countBasis = 0; // the ledger position the count at the current location began at
    long m_countBasisGen = 0; // each location chosen: an older basis still coming is dropped

    ui::SyncView m_syncView;
    ui::SyncInput m_syncInput;
    std::vector<int64_t> m_inboxSeqs;              // the inbox rows' correction seqs
    UiSyncWorker* m_sync = nullptr;
    std::optional<UiSyncState> m_syncState;        // the worker's last round
    std::chrono::seconds m_idleSignOut = kDefaultIdleSignOut;
    bool m_idleFixed = false;                       // set by setIdleSignOut: the setting is not read
    std::function<std::chrono::steady_clock::time_point()> m_clock = [] { return std::chrono::steady_clock::now(); };
    std::chrono::steady_clock::time_point m_lastInput{};
    bool m_quitConfirm = false;   // "Quit Backfill?" is open
    bool m_quitRequested = false; // its Quit was tapped
};

} // namespace backfill::app
