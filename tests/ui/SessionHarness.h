#pragma once
// SessionHarness drives the real UiSession headless on a real SQLite file: the store and
// workflow code the CLI uses, a small warehouse imported through the store's imports, scans
// handed to UiSession::frame as the wedge would, taps through UiHarness. Tests read outcomes
// from the session's views and the store (stock, picklist, counts) afterwards.

#include "store/StoreTestSupport.h"
#include "ui/UiHarness.h"

#include "app/AppStore.h"
#include "app/MainQueue.h"
#include "app/UiReader.h"
#include "app/UiWriter.h"
#include "app/UiSession.h"
#include "ledger/MasterDataCsv.h"
#include "ui/HomeScreen.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace backfill::uitest {

// The warehouse: DOCK receiving; A1, A2 storage (path order A1, A2); OUT1 staging; Q
// quarantine. MUG (GTIN 09501101010079, case 19501101010076 of 6), TEA (09501101010147).
inline constexpr const char* kCatalog = "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\n"
                                        "MUG,Mug white,9501101010079,19501101010076,6,0,5\n"
                                        "TEA,Tea green,9501101010147,,,0,5\n";
inline constexpr const char* kLocations = "code,kind,sequence\n"
                                          "DOCK,receiving,1\n"
                                          "A1,storage,10\n"
                                          "A2,storage,20\n"
                                          "OUT1,staging,30\n"
                                          "Q,quarantine,40\n";
inline constexpr const char* kReasons = "code,kind,description\n"
                                        "NOT_FOUND,short,Not there\n"
                                        "DAMAGED,short,Damaged\n"
                                        "COUNT_ERROR,adjust,Book was wrong\n";
inline constexpr const char* kToday = "2026-12-04";
inline constexpr const char* kMug = "(01)09501101010079";
inline constexpr const char* kTea = "(01)09501101010147";

class SessionHarness {
public:
    SessionHarness(const std::string& name, ui::ScreenId start)
        : m_file("uisession", name)
    {
        auto opened = store::TerminalStore::open(m_file.path.string());
        REQUIRE(opened);
        m_store = std::move(*opened);
        m_g.dbPath = m_file.path.string();
        m_g.todayText = kToday;
        m_g.nowText = "2026-12-04T09:00:00Z";
        const auto actor = app::cliActor(m_g);
        REQUIRE(m_store->importCatalog(ledger::parseCatalogCsv(kCatalog), actor)->errors.empty());
        REQUIRE(m_store->importLocations(ledger::parseLocationsCsv(kLocations), actor)->errors.empty());
        REQUIRE(m_store->importReasons(ledger::parseReasonsCsv(kReasons), actor)->errors.empty());
        m_session = std::make_unique<app::UiSession>(*m_store, m_g, start);
    }

    store::TerminalStore& store() { return *m_store; }
    app::GlobalOptions& options() { return m_g; }
    app::UiSession& session() { return *m_session; }
    UiHarness& ui() { return m_ui; }

    // orders imports backorder lines (rows of order_id,line,customer,email,sku,qty,priority,
    // ordered_at,promised_at); free stock is allocated at once.
    void orders(const std::string& rows)
    {
        const std::string csv = "order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n" + rows;
        auto r = m_store->importBackorders(ledger::parseBackordersCsv(csv), app::cliActor(m_g));
        REQUIRE(r);
        REQUIRE(r->errors.empty());
    }

    // inbound imports inbound lines (rows of inbound_id,supplier,sku,qty,eta,sscc).
    void inbound(const std::string& rows)
    {
        auto r = m_store->importInbound(ledger::parseInboundCsv("inbound_id,supplier,sku,qty,eta,sscc\n" + rows), app::cliActor(m_g));
        REQUIRE(r);
        REQUIRE(r->errors.empty());
    }

    // receive puts `units` of a product (by a (01)+(30) label, with an optional lot) at DOCK
    // through the store, as `backfill receive` does.
    void receive(const std::string& gtin, long long units, const std::string& lot = "", const std::string& expiry = "")
    {
        ledger::ReceiptRequest r;
        r.gtin = gtin;
        r.count = units;
        if (!lot.empty()) r.lot = lot;
        if (!expiry.empty()) r.expiry = ledger::parseDate(expiry);
        r.location = "DOCK";
        r.scan = "seed";
        REQUIRE(m_store->receive(r, app::cliActor(m_g)));
    }
    void move(const std::string& sku, long long qty, const std::string& from, const std::string& to, const std::string& lot = "")
    {
        ledger::MoveRequest m;
        m.sku = sku;
        m.count = qty;
        if (!lot.empty()) m.lot = lot;
        m.from = from;
        m.to = to;
        REQUIRE(m_store->move(m, app::cliActor(m_g)));
    }

    void start() { m_session->start(); frame(); }

    // frame draws one frame with no scan; scan draws one with `text` as a wedge scan.
    void frame() { m_ui.frame([&] { m_session->frame({}, m_ui.ctx()); }); }
    void scan(const std::string& text, bool doubleRead = false)
    {
        scan::Scan s;
        s.text = text;
        s.doubleRead = doubleRead;
        m_ui.frame([&] { m_session->frame({s}, m_ui.ctx()); });
        if (m_afterScan) m_afterScan();
        frame();
    }
    // setAfterScan: what scan() does after the scan's frame (SessionReader: wait for the
    // scan's meaning, read on the reader, unless the test holds the reader).
    void setAfterScan(std::function<void()> after) { m_afterScan = std::move(after); }
    // tap presses and releases the target labelled `label` (found in the last frame).
    void tap(const std::string& label)
    {
        m_ui.tap<bool>(label, [&] { return m_session->frame({}, m_ui.ctx()); });
        frame();
    }
    bool has(const std::string& label) const { return m_ui.has(label); }
    // tapTile draws a frame and taps the Home tile of `screen` by its label (its count, if read).
    void tapTile(ui::ScreenId screen)
    {
        frame();
        for (const auto& tile : m_session->homeView().tiles)
            if (tile.screen == screen) {
                tap(ui::tileLabel(tile));
                return;
            }
        FAIL("no Home tile for the screen");
    }

    // stockAt: units of sku at location (all lots), from the store.
    long long stockAt(const std::string& sku, const std::string& location)
    {
        auto rows = m_store->stock(sku, *ledger::parseDate(kToday));
        REQUIRE(rows);
        REQUIRE(rows->size() == 1);
        long long n = 0;
        for (const auto& l : rows->front().locations)
            if (l.location == location) n += l.qty;
        return n;
    }

private:
    test::TempDb m_file;
    std::unique_ptr<store::TerminalStore> m_store;
    app::GlobalOptions m_g;
    UiHarness m_ui;
    std::unique_ptr<app::UiSession> m_session;
    std::function<void()> m_afterScan;
};

// SessionReader attaches a real UiReader to a harness's session: its own connection to the
// harness's SQLite file and a real worker thread. Declare it after the harness (it goes first).
class SessionReader {
public:
    // A scan's meaning is read on the reader (docs/ui.md, Small reads off the main thread):
    // the harness's scan() waits for it, as a wedge scan is applied once its meaning comes,
    // unless the test holds the reader (hold) to see the pending state.
    explicit SessionReader(SessionHarness& s) : m_harness(s), m_session(s.session())
    {
        auto started = app::UiReader::start(s.options().dbPath, std::chrono::milliseconds(60000), m_queue);
        REQUIRE(started);
        m_reader = std::move(*started);
        m_session.attachReader(m_reader.get());
        m_harness.setAfterScan([this] { settleScans(); });
    }
    ~SessionReader()
    {
        m_harness.setAfterScan({});
        m_session.attachReader(nullptr);
        m_reader.reset();
    }
    SessionReader(const SessionReader&) = delete;
    SessionReader& operator=(const SessionReader&) = delete;

    app::UiReader& reader() { return *m_reader; }
    app::MainQueue& queue() { return m_queue; }

    // settle submits a marker read behind every read submitted so far (one worker, in order)
    // and drains the queue on this thread until the marker ran: each earlier read's result has
    // been applied or dropped by then. False after 20 s without it.
    bool settle()
    {
        auto done = std::make_shared<bool>(false);
        m_reader->submit("test.settle", [done](store::TerminalStore&) -> std::function<void()> { return [done] { *done = true; }; });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!*done && std::chrono::steady_clock::now() < deadline)
            if (m_queue.waitPosted(std::chrono::milliseconds(100))) m_queue.drain();
        return *done;
    }

    // Hold keeps the reader's worker busy (a read of the test's own that waits) until release
    // or its destructor: every read submitted meanwhile waits behind it, so a test sees the
    // frame return and the screen's pending state before the read runs. It gives up after 30 s
    // (a failed test must not hang the reader's destructor).
    class Hold {
    public:
        struct State {
            std::mutex mutex;
            std::condition_variable changed;
            bool held = false;
            bool open = false;
        };
        explicit Hold(std::shared_ptr<State> state) : m_state(std::move(state)) {}
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;
        ~Hold() { release(); }
        void release()
        {
            {
                std::lock_guard lock(m_state->mutex);
                m_state->open = true;
            }
            m_state->changed.notify_all();
        }

    private:
        std::shared_ptr<State> m_state;
    };
    // hold returns once the worker is held.
    std::unique_ptr<Hold> hold()
    {
        auto state = std::make_shared<Hold::State>();
        m_holds.push_back(state);
        m_reader->submit("test.hold", [state](store::TerminalStore&) -> std::function<void()> {
            std::unique_lock lock(state->mutex);
            state->held = true;
            state->changed.notify_all();
            state->changed.wait_for(lock, std::chrono::seconds(30), [&] { return state->open; });
            return {};
        });
        std::unique_lock lock(state->mutex);
        REQUIRE(state->changed.wait_for(lock, std::chrono::seconds(20), [&] { return state->held; }));
        return std::make_unique<Hold>(state);
    }

    // settleScans drains the queue until no scan's meaning is still being read (at once while
    // the reader is held). False after 20 s.
    bool settleScans()
    {
        if (held()) return true;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (m_session.scansReading() > 0 && std::chrono::steady_clock::now() < deadline)
            if (m_queue.waitPosted(std::chrono::milliseconds(100))) m_queue.drain();
        return m_session.scansReading() == 0;
    }

private:
    bool held()
    {
        for (const auto& weak : m_holds)
            if (auto state = weak.lock()) {
                std::lock_guard lock(state->mutex);
                if (state->held && !state->open) return true;
            }
        return false;
    }

    SessionHarness& m_harness;
    app::UiSession& m_session;
    app::MainQueue m_queue;
    std::unique_ptr<app::UiReader> m_reader;
    std::vector<std::weak_ptr<Hold::State>> m_holds;
};

// SessionWriter attaches a real UiWriter to a harness's session: its own connection to the
// harness's SQLite file and a real worker thread, posting to the reader's queue when given
// one (as the app does: one MainQueue), else to its own. Declare it after the harness and the
// reader (it goes first: it detaches, runs the writes still waiting, and drains their results).
class SessionWriter {
public:
    explicit SessionWriter(SessionHarness& s, SessionReader* reader = nullptr)
        : m_session(s.session()), m_reader(reader), m_queue(reader ? reader->queue() : m_ownQueue)
    {
        auto started = app::UiWriter::start(s.options().dbPath, std::chrono::milliseconds(60000), m_queue);
        REQUIRE(started);
        m_writer = std::move(*started);
        m_session.attachWriter(m_writer.get());
    }
    ~SessionWriter()
    {
        m_writer.reset(); // every write waiting runs first
        m_queue.drain();  // their results land on the session, which outlives this
        m_session.attachWriter(nullptr);
    }
    SessionWriter(const SessionWriter&) = delete;
    SessionWriter& operator=(const SessionWriter&) = delete;

    app::UiWriter& writer() { return *m_writer; }
    app::MainQueue& queue() { return m_queue; }

    // settle submits a marker write behind every write submitted so far (in order) and drains
    // the queue on this thread until it ran: each earlier write's result has been applied by
    // then; then the reader (if any) settles the reads those results asked for. False after
    // 20 s without it.
    bool settle()
    {
        auto done = std::make_shared<bool>(false);
        m_writer->submit([done](store::TerminalStore&) -> std::function<void()> { return [done] { *done = true; }; });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!*done && std::chrono::steady_clock::now() < deadline)
            if (m_queue.waitPosted(std::chrono::milliseconds(100))) m_queue.drain();
        return *done && (!m_reader || m_reader->settle());
    }

    // drainFor drains the queue for `most` (a write held by a lock must not come meanwhile):
    // how many tasks ran.
    size_t drainFor(std::chrono::milliseconds most)
    {
        size_t ran = 0;
        const auto deadline = std::chrono::steady_clock::now() + most;
        while (std::chrono::steady_clock::now() < deadline)
            if (m_queue.waitPosted(std::chrono::milliseconds(10))) ran += m_queue.drain();
        return ran;
    }

private:
    app::UiSession& m_session;
    SessionReader* m_reader;
    app::MainQueue m_ownQueue;
    app::MainQueue& m_queue;
    std::unique_ptr<app::UiWriter> m_writer;
};

} // namespace backfill::uitest
