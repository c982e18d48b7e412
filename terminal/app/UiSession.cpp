#include "app/UiSession.h"

#include "app/AppStore.h"
#include "app/Json.h"
#include "scan/Gs1Parser.h"
#include "store/History.h"
#include "store/Users.h"
#include "workflow/ReceiptScan.h"

#include <cstdlib>
#include <map>

namespace backfill::app {

namespace {

ledger::Action actionOf(ui::ScreenId screen)
{
    switch (screen) {
    case ui::ScreenId::Receive: return ledger::Action::Receive;
    case ui::ScreenId::Putaway: return ledger::Action::Move;
    case ui::ScreenId::Pick: return ledger::Action::Pick;
    case ui::ScreenId::Count: return ledger::Action::Count;
    default: return ledger::Action::Move; // Home, Stock, Sync: reading; every role may move
    }
}

} // namespace

UiSession::UiSession(store::TerminalStore& store, GlobalOptions& g, ui::ScreenId start)
    : m_store(store), m_g(g), m_start(start == ui::ScreenId::SignIn ? ui::ScreenId::Home : start)
{
}

void UiSession::start()
{
    m_lastInput = m_clock();
    if (!m_idleFixed)
        if (auto stored = m_store.setting("idle_signout_s"); stored && *stored && !(*stored)->empty() &&
                                                              (*stored)->size() <= 9 &&
                                                              (*stored)->find_first_not_of("0123456789") == std::string::npos)
            m_idleSignOut = std::chrono::seconds(std::stoll(**stored));
    store::Users users(m_store.database());
    auto any = users.any();
    m_hasUsers = !any || *any;
    if (any && !*any) {
        // A fresh terminal works out of the box, as the CLI does (SignIn.h).
        m_g.signedInAs = std::string(ledger::kBuiltInOperator);
        m_role = ledger::Role::Supervisor;
        m_signedIn = true;
        open(m_start);
        return;
    }
    showSignIn();
    m_signInInput.operatorName = m_g.operatorName;
    const char* pin = std::getenv("BACKFILL_PIN");
    // The kiosk sign-in, before the first frame: at once (a scan typed before it would be
    // refused as "sign in first").
    if (!m_g.operatorName.empty() && pin && *pin) applySignIn(m_g.operatorName, users.signIn(m_g.operatorName, pin, m_g.now()));
}

void UiSession::showSignIn()
{
    dropReads();
    // The scans still being read were taken for the operator signed out: dropped.
    ++m_scanGen;
    m_scanReads = 0;
    m_screen = ui::ScreenId::SignIn;
    m_signedIn = false;
    m_signInInput = {};
    // The operators as last read stay in sight until the list comes (on the reader).
    using UserList = store::Result<std::vector<store::UserRow>>;
    readThen<UserList>(
        "signin.operators", [](store::TerminalStore& s) { return store::Users(s.database()).list(); },
        [this](UserList list) {
            m_signInView.operators.clear();
            if (list) {
                for (const auto& u : *list) m_signInView.operators.push_back(u.name);
            } else {
                m_signInView.message = ui::SignInMessage{list.error().code, list.error().message};
            }
        });
}

void UiSession::signIn(const std::string& name, const std::string& pin)
{
    if (m_signInView.checking) return; // one at a time: the screen takes no tap meanwhile
    const ledger::Timestamp now = m_g.now();
    if (!m_writer) {
        applySignIn(name, store::Users(m_store.database()).signIn(name, pin, now));
        return;
    }
    // Argon2id is slow on purpose and a wrong PIN writes the count (and the lock): on the
    // writer, in order with the writes, never in the frame.
    m_signInView.checking = true;
    m_signInView.message.reset();
    using Checked = ledger::Result<ledger::Role>;
    m_writer->submit([this, name, pin, now](store::TerminalStore& s) -> std::function<void()> {
        auto role = std::make_shared<Checked>(store::Users(s.database()).signIn(name, pin, now));
        return [this, name, role] {
            m_signInView.checking = false;
            if (m_screen != ui::ScreenId::SignIn || m_signedIn) return; // nothing waits for it any more
            applySignIn(name, *role);
        };
    });
}

void UiSession::applySignIn(const std::string& name, const ledger::Result<ledger::Role>& role)
{
    if (!role) {
        m_signInView.message = ui::SignInMessage{role.error().code, role.error().message};
        m_screen = ui::ScreenId::SignIn;
        return;
    }
    m_role = *role;
    m_g.signedInAs = name;
    m_signedIn = true;
    m_signInView.message.reset();
    std::string why;
    if (!mayDo(actionOf(m_start), why)) {
        // Signed in, but not for the screen asked for: say so where the operator looks.
        open(ui::ScreenId::Home);
        m_homeView.message = why;
        return;
    }
    open(m_start);
}

bool UiSession::mayDo(ledger::Action action, std::string& why) const
{
    if (ledger::allows(m_role, action)) return true;
    const std::string role(ledger::roleName(m_role));
    why = "forbidden: '" + m_g.signedInAs + "' is a " + role + ": a " + role + " may not " +
          std::string(ledger::actionName(action)) + "; ask a supervisor";
    return false;
}

void UiSession::dropReads()
{
    for (auto& [key, gen] : m_readGen) ++gen;
}

void UiSession::open(ui::ScreenId screen)
{
    dropReads();
    m_screen = screen;
    // A receipt is corrected only right after it, on the screen it was made on.
    m_lastReceipt.reset();
    m_receiveView.correctable = false;
    // The unsent count in the headers: read as a screen opens (on the reader; the last count
    // stays meanwhile), then as each write's result and each round of the link report it.
    readUnsent();
    // A screen opens fresh, but its lists as last read stay in sight until the new ones come
    // (read on the worker when there is one): no flicker to an empty list.
    switch (screen) {
    case ui::ScreenId::Receive: refreshReceive(); break;
    case ui::ScreenId::Putaway: {
        auto items = std::move(m_putawayView.items);
        m_putawayView = {};
        m_putawayView.items = std::move(items);
        m_putawayInput = {};
        refreshPutaway();
        break;
    }
    case ui::ScreenId::Pick: {
        auto tasks = std::move(m_pickView.tasks);
        const auto current = m_pickView.current;
        m_pickView = {};
        m_pickView.tasks = std::move(tasks);
        m_pickView.current = current;
        refreshPick();
        break;
    }
    case ui::ScreenId::Count: {
        ui::CountView kept = std::move(m_countView);
        m_countView = {};
        m_countView.tasks = std::move(kept.tasks);
        m_countView.pending = std::move(kept.pending);
        m_countView.adjustReasons = std::move(kept.adjustReasons);
        m_countInput = {};
        refreshCount();
        break;
    }
    case ui::ScreenId::Stock:
        m_stockView = {};
        m_stockInput = {};
        refreshStock();
        break;
    case ui::ScreenId::Sync:
        m_syncView.chosen.reset();
        m_syncView.last = {};
        refreshSync();
        break;
    default:
        refreshHome();
        m_screen = ui::ScreenId::Home;
        break;
    }
    setUnsent(m_unsent); // the last count on the screen opened (its view may have been reset)
    showWriting();       // a write still in flight keeps its "Recording ..." on the screen opened
}

ui::Outcome UiSession::refusalFor(const ledger::Error& e) { return ui::refusal(e.code, e.message); }

void UiSession::readUnsent()
{
    readThen<long long>("unsent", unsentAfterWrite, [this](long long unsent) {
        if (unsent >= 0) setUnsent(unsent);
    });
}

long long UiSession::unsentAfterWrite(store::TerminalStore& store)
{
    auto n = store.outboxCount();
    return n ? static_cast<long long>(*n) : -1;
}

void UiSession::setUnsent(long long unsent)
{
    m_unsent = unsent;
    for (long long* u : {&m_homeView.unsynced, &m_receiveView.unsynced, &m_putawayView.unsynced, &m_pickView.unsynced,
                         &m_countView.unsynced, &m_stockView.unsynced, &m_syncView.unsynced})
        *u = unsent;
    if (unsent < 0) return;
    for (auto& tile : m_homeView.tiles)
        if (tile.screen == ui::ScreenId::Sync) tile.waiting = unsent;
}

void UiSession::beginWrite()
{
    ++m_writing;
    showWriting();
}

void UiSession::endWrite(long long unsent)
{
    --m_writing;
    showWriting();
    dropRead("unsent"); // this count is read after the write: one read before it is older
    setUnsent(unsent);
    // An action committed (an op waits in the outbox): the link pushes it at once when online
    // (offline, the worker keeps to its back-off).
    if (m_sync && unsent > 0) m_sync->nudge();
}

void UiSession::showWriting()
{
    m_receiveView.recording = m_writing;
    const bool writing = m_writing > 0;
    m_putawayView.recording = writing;
    m_pickView.recording = writing;
    m_countView.recording = writing;
    m_syncView.recording = writing;
}

ui::Outcome UiSession::loadingRefusal(const std::string& list)
{
    return ui::refusal("loading", "the scan was not taken: the " + list + " is still being read; scan again when it shows");
}

bool UiSession::refuseWhileRecording()
{
    if (m_writing == 0) return false;
    ui::Outcome* last = m_screen == ui::ScreenId::Putaway ? &m_putawayView.last
                        : m_screen == ui::ScreenId::Pick  ? &m_pickView.last
                        : m_screen == ui::ScreenId::Count ? &m_countView.last
                                                          : nullptr;
    if (!last) return false;
    *last = recordingRefusal();
    return true;
}

ui::Outcome UiSession::recordingRefusal()
{
    return ui::refusal("recording", "the scan was not taken: the last action is still being recorded; scan again when its result shows");
}

namespace {

// HomeCounts: the waiting work the Home tiles show (nullopt: the read failed, not counted).
struct HomeCounts {
    std::optional<long long> palletsDue, putaway, pickLines, counts;
};

// readHomeCounts reads them (on the reader's worker, or at once): the whole order book and the
// put-away list grow with the warehouse, so they are not read in a frame.
HomeCounts readHomeCounts(store::TerminalStore& store, ledger::Date today)
{
    HomeCounts c;
    // Pallets announced for today or before and not received yet.
    if (auto due = store.palletsDue(today)) c.palletsDue = *due;
    if (auto rows = store.putaway()) c.putaway = static_cast<long long>(rows->size());
    if (auto rows = store.backorders()) {
        long long ready = 0;
        for (const auto& b : *rows)
            if (!b.line.cancelled && b.line.allocated > 0) ++ready;
        c.pickLines = ready;
    }
    if (auto tasks = store.countTasks(false)) c.counts = static_cast<long long>(tasks->size());
    return c;
}

} // namespace

void UiSession::refreshHome()
{
    m_homeView.operatorName = m_g.signedInAs;
    m_homeView.message.reset();
    // The tiles keep their last counts until the new ones come (no flicker to "not counted").
    if (m_homeView.tiles.empty()) m_homeView.tiles = ui::homeTiles();
    for (auto& tile : m_homeView.tiles)
        if (tile.screen == ui::ScreenId::Sync && m_homeView.unsynced >= 0) tile.waiting = m_homeView.unsynced;
    const ledger::Date today = m_g.today();
    readThen<HomeCounts>(
        "home.counts", [today](store::TerminalStore& s) { return readHomeCounts(s, today); },
        [this](HomeCounts c) {
            for (auto& tile : m_homeView.tiles) {
                switch (tile.screen) {
                case ui::ScreenId::Receive: tile.waiting = c.palletsDue; break;
                case ui::ScreenId::Putaway: tile.waiting = c.putaway; break;
                case ui::ScreenId::Pick: tile.waiting = c.pickLines; break;
                case ui::ScreenId::Count: tile.waiting = c.counts; break;
                default: break;
                }
            }
        });
}

void UiSession::onScan(const scan::Scan& scan)
{
    if (!m_signedIn) {
        m_signInView.message = ui::SignInMessage{"not_signed_in", "the scan was not taken: sign in first, then scan again"};
        return;
    }
    if (scan.doubleRead) {
        if (m_screen == ui::ScreenId::Receive) {
            ui::ReceiveResult r;
            r.feedback = ui::Feedback::Attention;
            r.scan = scan.text;
            r.code = "double_read";
            r.message = "the same code again at once: the scanner read it twice; it was taken once";
            m_receiveView.last = r;
        }
        return;
    }
    // A scan whose meaning must be read waits for it on the reader; every scan after it queues
    // behind it (Receive's too), so scans apply in the order they came.
    if (m_scanReads == 0) {
        if (m_screen == ui::ScreenId::Receive) {
            receive(scan.text); // queued behind the writes in flight: receipts land in scan order
            return;
        }
        // Refused at once, whatever it means (the feedback within 100 ms): the next scan on
        // these screens depends on the last write's result or on the list being read.
        if (refuseWhileRecording()) return;
        if (m_screen == ui::ScreenId::Pick && m_pickView.loading) {
            m_pickView.last = loadingRefusal("pick list");
            return;
        }
        if (m_screen == ui::ScreenId::Putaway && m_putawayView.loading && !m_putawayView.freeMove) {
            m_putawayView.last = loadingRefusal("put-away list");
            return;
        }
    }
    readScanThen(scan.text);
}

void UiSession::readScanThen(const std::string& text)
{
    if (!m_reader) {
        applyScan(text, readScan(m_store, m_g, text));
        return;
    }
    ++m_scanReads;
    const long gen = m_scanGen;
    const GlobalOptions g = m_g; // the worker's own copy (today, --gs)
    // A key of its own: no scan replaces another still waiting, and the one worker reads them
    // in scan order.
    m_reader->submit("scan." + std::to_string(++m_scanSeq), [this, gen, g, text](store::TerminalStore& s) -> std::function<void()> {
        auto meaning = std::make_shared<ScanMeaning>(readScan(s, g, text));
        // Runs on the main thread.
        return [this, gen, text, meaning] {
            if (gen != m_scanGen) return; // signed out meanwhile
            --m_scanReads;
            applyScan(text, *meaning);
            // Every scan gives its cue (a receipt queued on the writer gives it with its result).
            if (const auto key = resultKey(); key.first != ui::Feedback::None) m_cue = key.first;
        };
    });
}

void UiSession::applyScan(const std::string& text, const ScanMeaning& meaning)
{
    if (m_screen == ui::ScreenId::Receive) {
        receive(text);
        return;
    }
    if (refuseWhileRecording()) return;
    if (m_screen == ui::ScreenId::Putaway) {
        putawayScan(meaning);
        return;
    }
    if (m_screen == ui::ScreenId::Pick) {
        pickScan(meaning);
        return;
    }
    if (m_screen == ui::ScreenId::Count) {
        countScan(meaning);
        return;
    }
    if (m_screen == ui::ScreenId::Stock) {
        stockScan(meaning);
        return;
    }
    // Home (and Sync) route a scan to where it belongs: a pallet to Receive, a product to its
    // stock card, a location to a count there. What cannot go anywhere is told where the
    // operator looks.
    std::string why;
    const bool onSync = m_screen == ui::ScreenId::Sync;
    switch (meaning.kind) {
    case ScanMeaning::Kind::Pallet:
        if (!mayDo(ledger::Action::Receive, why)) {
            if (onSync) m_syncView.last = refusalFor({"forbidden", why.substr(std::string("forbidden: ").size())});
            else m_homeView.message = why;
            return;
        }
        open(ui::ScreenId::Receive);
        receive(text);
        return;
    case ScanMeaning::Kind::Product:
        open(ui::ScreenId::Stock);
        openStockCard(meaning.sku);
        return;
    case ScanMeaning::Kind::Location:
        if (!mayDo(ledger::Action::Count, why)) {
            if (onSync) m_syncView.last = refusalFor({"forbidden", why.substr(std::string("forbidden: ").size())});
            else m_homeView.message = why;
            return;
        }
        open(ui::ScreenId::Count);
        countAt(meaning.location);
        return;
    case ScanMeaning::Kind::Refused: break;
    }
    if (onSync) m_syncView.last = refusalFor({meaning.code, "scan " + text + ": " + meaning.message});
    else m_homeView.message = "scan " + text + ": " + meaning.code + ": " + meaning.message;
}

std::string UiSession::busyNotice() const
{
    if (m_scanReads <= 0) return "";
    if (m_scanReads == 1) return "reading scan ...";
    return "reading " + std::to_string(m_scanReads) + " scans ...";
}

std::pair<ui::Feedback, std::string> UiSession::resultKey() const
{
    auto of = [](const ui::Outcome& o) {
        std::string words = o.title + '\n' + o.code;
        for (const auto& l : o.lines) words += '\n' + l;
        return std::make_pair(o.feedback, words);
    };
    switch (m_screen) {
    case ui::ScreenId::Receive:
        if (!m_receiveView.last) return {ui::Feedback::None, ""};
        return {m_receiveView.last->feedback, m_receiveView.last->scan + '\n' + m_receiveView.last->code + '\n' + m_receiveView.last->message};
    case ui::ScreenId::Putaway: return of(m_putawayView.last);
    case ui::ScreenId::Pick: return of(m_pickView.last);
    case ui::ScreenId::Count: return of(m_countView.last);
    case ui::ScreenId::Stock: return of(m_stockView.last);
    case ui::ScreenId::Sync: return of(m_syncView.last);
    case ui::ScreenId::Home:
        if (m_homeView.message) return {ui::Feedback::Refused, *m_homeView.message};
        return {ui::Feedback::None, ""};
    default: return {ui::Feedback::None, ""};
    }
}

bool UiSession::frame(const std::vector<scan::Scan>& scans, const ui::UiContext& baseCtx)
{
    const ui::ScreenId before = m_screen;
    bool changed = checkIdle();
    if (!scans.empty() || ui::operatorInput()) m_lastInput = m_clock();
    // Every header shows the link's state once the terminal is enrolled.
    ui::UiContext ctx = baseCtx;
    if (m_syncState && m_syncState->link != ui::LinkState::NotEnrolled) ctx.link = ui::linkWord(m_syncState->link);
    for (const auto& s : scans) onScan(s);
    // Scans whose meaning is still being read: every header says so (after this frame's scans).
    const std::string busy = busyNotice();
    if (!busy.empty()) ctx.busy = busy.c_str();
    changed = changed || !scans.empty();
    const auto afterScans = resultKey();
    if (!scans.empty() && afterScans.first != ui::Feedback::None) m_cue = afterScans.first;
    switch (m_screen) {
    case ui::ScreenId::SignIn: {
        auto intent = ui::drawSignInScreen(m_signInView, m_signInInput, ctx);
        if (intent.kind == ui::SignInIntent::Kind::SignIn) {
            signIn(intent.operatorName, intent.pin);
            changed = true;
        }
        break;
    }
    case ui::ScreenId::Putaway: {
        auto intent = ui::drawPutawayScreen(m_putawayView, m_putawayInput, ctx);
        applyPutaway(intent);
        changed = changed || intent.kind != ui::PutawayIntent::Kind::None;
        break;
    }
    case ui::ScreenId::Pick: {
        auto intent = ui::drawPickScreen(m_pickView, m_pickInput, ctx);
        applyPick(intent);
        changed = changed || intent.kind != ui::PickIntent::Kind::None;
        break;
    }
    case ui::ScreenId::Count: {
        auto intent = ui::drawCountScreen(m_countView, m_countInput, ctx);
        applyCount(intent);
        changed = changed || intent.kind != ui::CountIntent::Kind::None;
        break;
    }
    case ui::ScreenId::Stock: {
        auto intent = ui::drawStockScreen(m_stockView, m_stockInput, ctx);
        applyStock(intent);
        changed = changed || intent.kind != ui::StockIntent::Kind::None;
        break;
    }
    case ui::ScreenId::Sync: {
        auto intent = ui::drawSyncScreen(m_syncView, m_syncInput, ctx);
        applySyncIntent(intent);
        changed = changed || intent.kind != ui::SyncIntent::Kind::None;
        break;
    }
    case ui::ScreenId::Receive: {
        auto intent = ui::drawReceiveScreen(m_receiveView, m_receiveInput, ctx);
        if (intent.kind == ui::ReceiveIntent::Kind::Acknowledge) acknowledgeReceipt();
        if (intent.kind == ui::ReceiveIntent::Kind::Home) open(ui::ScreenId::Home);
        if (intent.kind == ui::ReceiveIntent::Kind::Undo) undoLastReceipt();
        if (intent.kind == ui::ReceiveIntent::Kind::Correct) correctLastReceipt(intent.qty);
        changed = changed || intent.kind != ui::ReceiveIntent::Kind::None;
        break;
    }
    default: {
        auto intent = ui::drawHomeScreen(m_homeView, m_homeInput, ctx);
        if (intent.kind == ui::HomeIntent::Kind::Open) {
            std::string why;
            if (mayDo(actionOf(intent.screen), why)) open(intent.screen);
            else m_homeView.message = why;
        } else if (intent.kind == ui::HomeIntent::Kind::SignOut) {
            if (m_hasUsers) { // without users there is nobody to sign out (read by start())
                m_g.signedInAs = std::string(ledger::kBuiltInOperator);
                m_signInView.message.reset();
                showSignIn();
            }
        }
        changed = changed || intent.kind != ui::HomeIntent::Kind::None;
        break;
    }
    }
    // The quit question is drawn over the screen, which gets no tap while it is open.
    if (m_quitConfirm) {
        const auto intent = ui::drawQuitConfirm(ctx);
        if (intent.kind == ui::QuitConfirmIntent::Kind::Stay) m_quitConfirm = false;
        if (intent.kind == ui::QuitConfirmIntent::Kind::Quit) {
            m_quitConfirm = false;
            m_quitRequested = true;
        }
        changed = changed || intent.kind != ui::QuitConfirmIntent::Kind::None;
    }
    if (const auto now = resultKey(); now != afterScans && now.first != ui::Feedback::None) m_cue = now.first;
    return changed || m_screen != before;
}

} // namespace backfill::app
