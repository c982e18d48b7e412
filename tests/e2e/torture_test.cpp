// Multi-process torture test (issue 14, "Must show"): real `backfill` processes on one
// database file, as on a terminal where the scanner app, an import and a report run at once.
//
// Per seed, on a fresh database:
//  1. three processes make the very first open at once (two `import locations`, one
//     `import catalog`): each must create/migrate or wait, never fail;
//  2. then the storm, everything started together: group-commit receivers (`receive -` fed
//     from a pipe), `receive --sync-each -` receivers, one-shot `receive SCAN...` processes,
//     a large backorders import refused at its LAST row (unknown sku: exit 2, nothing kept),
//     a small backorders import that succeeds, and `stock` / `backorders` readers in a loop;
//     random writers are SIGKILLed at random moments and restarted, as a terminal would be.
//     Every scan carries a unique lot (AI 10), so each printed line names one receipt;
//  3. afterwards a plain SQLite connection (no store code) checks: PRAGMA integrity_check is
//     ok; every printed receipt is in the ledger (outbox row by its scan, its `received` and
//     `allocated` events by the op_id, with the printed sku, qty, lot, location and
//     allocations); each receiver's recorded scans are a prefix of what it was sent, at most
//     one transaction beyond what it printed (all of them when it was not killed); nothing
//     recorded that nobody sent; outbox device_seq is 1..N; ledgerProblems() is empty; the
//     refused import left no order or line; the good import is all or nothing; every process
//     that was not killed exited with its documented status (0, 1 for a refused scan, 2 for
//     the refused import), and no process ever printed a db_* error (db_busy, db_corrupt...).
//     Readers must always see a consistent snapshot (no line of the refused import, the good
//     import whole or not at all).
// The WAL-index header (-shm) is sampled during the storm to report how far the WAL grew and
// how often it restarted (checkpoints ran); these are printed, not asserted.
//
// Scale from the environment (defaults: a CI run of ~1 minute under ASan on 2 cores):
//   BACKFILL_TORTURE_SEEDS=N   seeds to run (default 2)
//   BACKFILL_TORTURE_SEED=S    first seed (default 1); seeds S, S+1, ... S+N-1
//   BACKFILL_TORTURE_LINES=N   lines of the refused import (default 100000)
//   BACKFILL_KEEP_TMP=1        keep each seed's folder (database, CSV files, stderr of each process)
// Long run (the figure: 300,000 lines, many seeds), from the build folder:
//   BACKFILL_TORTURE_SEEDS=20 BACKFILL_TORTURE_LINES=300000 ctest -R e2e/torture_test --timeout 3600 -V
// Replay one failing seed (the failure messages name it):
//   BACKFILL_TORTURE_SEED=7 BACKFILL_TORTURE_SEEDS=1 ctest -R e2e/torture_test -V

#include "e2e/CliHarness.h"
#include "e2e/TortureChecks.h"
#include "e2e/crash_child.h"
#include "e2e/crash_ledger.h"
#include "ledger/CheckDigit.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;
using backfill::test::CrashChild;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

using namespace torture;

// ---------------------------------------------------------------------------------------
// Input files

std::string orderLineCsv(const std::string& orderId, int line, int product, int qty, int priority, int day)
{
    char row[160];
    std::snprintf(row, sizeof row, "%s,%d,Customer %d,c%d@example.com,%s,%d,%d,2026-10-%02d,\n", orderId.c_str(), line,
                  day % 17, day % 17, skuOf(product).c_str(), qty, priority, day);
    return row;
}
const char* kBackordersHeader = "order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n";

// writeInputs writes the master data, the two storm imports and returns nothing: the files
// are named after their role in `dir`.
void writeInputs(const fs::path& dir, std::mt19937& rng, int refusedLines)
{
    std::string catalog = "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\n";
    for (int p = 0; p < kProducts; ++p)
        catalog += skuOf(p) + ",Torture item " + std::to_string(p) + "," + knownGtin(p) + ",,,0,7\n";
    writeFile(dir / "catalog.csv", catalog);
    // Two location files, imported at once by the first opens.
    writeFile(dir / "locations-a.csv", "code,kind,sequence\nDOCK-1,receiving,1\nA-01,storage,10\nA-02,storage,11\n");
    writeFile(dir / "locations-b.csv", "code,kind,sequence\nOUT-1,staging,100\nOUT-2,staging,101\nOUT-3,staging,102\n");

    std::uniform_int_distribution<int> waiting(0, kBackorderedProducts - 1), any(0, kProducts - 1), qty(1, 6),
        priority(0, 3), day(1, 28), lines(1, 4);
    std::string backorders = kBackordersHeader;
    for (int order = 0; order < 120; ++order) {
        const int n = lines(rng);
        for (int line = 1; line <= n; ++line)
            backorders += orderLineCsv("SO-" + std::to_string(10000 + order), line, waiting(rng), qty(rng), priority(rng), day(rng));
    }
    writeFile(dir / "backorders.csv", backorders);
    std::string inbound = "inbound_id,supplier,sku,qty,eta,sscc\n";
    for (int p = 40; p < 120; ++p)
        inbound += "PO-" + std::to_string(500 + p % 7) + ",Supplier " + std::to_string(p % 3) + "," + skuOf(p) + "," +
                   std::to_string(1 + p % 8) + ",2026-12-" + std::to_string(10 + p % 9) + ",\n";
    writeFile(dir / "inbound.csv", inbound);

    // The good import: new orders over every product (it allocates free stock as it lands).
    std::string good = kBackordersHeader;
    for (int i = 0; i < kGoodImportLines; ++i)
        good += orderLineCsv("OKI-" + std::to_string(10000 + i / 4), i % 4 + 1, any(rng), qty(rng), priority(rng), day(rng));
    writeFile(dir / "good.csv", good);
    // The refused import: every row is fine but the last, whose sku the catalog lacks. The
    // parser accepts it; the store finds it after writing all the others, so the whole
    // transaction has to roll back. It is sized to dirty a little more than the 32 MB page
    // cache (Database.cpp), so it spills ~2 MB of frames into the WAL just before it rolls
    // back: few enough that a VFS buffering WAL writes may still hold all of them when
    // another process starts writing at the same offsets. Measured with SQLite 3.40 (WAL size
    // after the refusal): a line that is an order of its own with a long customer name and
    // e-mail costs ~300 bytes more than a short line of a 4-line order (~95 bytes), and
    // `fat` such lines first, then short ones, spill ~2 MB (100,000 lines: 72,000 fat ones;
    // 300,000: 9,000; past ~330,000 all are short and the spill grows with the line count).
    const int fat = std::clamp(static_cast<int>((31'200'000 - int64_t{95} * refusedLines) / 300), 0, refusedLines - 1);
    const std::string longName = "Long Trading Name Wholesale and Retail Distribution GmbH & Co. KG - Purchasing Department - "
                                 "Goods Receipt Hall 7 - Gate 12 - Attention of the Backorder Desk - Account";
    std::string refused = kBackordersHeader;
    refused.reserve(static_cast<size_t>(fat) * 380 + static_cast<size_t>(refusedLines) * 72);
    for (int i = 0; i < fat; ++i) {
        const std::string id = std::to_string(1000000 + i);
        char tail[64];
        std::snprintf(tail, sizeof tail, ",%s,%d,%d,2026-10-%02d,\n", skuOf(any(rng)).c_str(), qty(rng), priority(rng), day(rng));
        refused += "BIG-F" + id + ",1," + longName + " " + id + ",purchasing.backorder.desk.account." + id +
                   ".goods-receipt-hall-seven@wholesale.example.com" + tail;
    }
    for (int i = 0; fat + i + 1 < refusedLines; ++i)
        refused += orderLineCsv("BIG-T" + std::to_string(1000000 + i / 4), i % 4 + 1, any(rng), qty(rng), priority(rng), day(rng));
    refused += "BIG-9999999,1,Customer 0,c0@example.com,NOPE-0000,1,0,2026-10-01,\n";
    writeFile(dir / "refused.csv", refused);
}

struct WalStats {
    uint32_t maxFrames = 0;
    uint32_t maxBackfill = 0;
    int restarts = 0;
    uintmax_t maxWalBytes = 0;
    std::optional<uint32_t> salt;

    void sample(const std::string& db)
    {
        const int fd = ::open((db + "-shm").c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            unsigned char head[136];
            if (::pread(fd, head, sizeof head, 0) == static_cast<ssize_t>(sizeof head)) {
                uint32_t mxFrame, salt1, nBackfill;
                std::memcpy(&mxFrame, head + 16, 4);
                std::memcpy(&salt1, head + 32, 4);
                std::memcpy(&nBackfill, head + 96, 4);
                maxFrames = std::max(maxFrames, mxFrame);
                maxBackfill = std::max(maxBackfill, nBackfill);
                if (salt && *salt != salt1) ++restarts;
                salt = salt1;
            }
            ::close(fd);
        }
        std::error_code ec;
        const auto size = fs::file_size(db + "-wal", ec);
        if (!ec) maxWalBytes = std::max(maxWalBytes, size);
    }
};

class Storm;

// Slot runs one process after another of one role until its budget is spent: a terminal app
// restarted after each kill, or a report run again and again.
struct Slot {
    Role role;
    // Receivers: scans (one-shot: processes) to send at least; they go on while an import
    // runs. Imports: 1. Readers: run until every writer is done.
    int budget = 0;
    Clock::time_point nextStart{};  // readers pace themselves a little
    Clock::time_point nextBurst{};  // receivers fed in bursts wait a little between them
    std::unique_ptr<CrashChild> child;
    size_t run = 0;                 // index in Storm::runs of the current process
    // The current process's plan.
    bool flood = false;
    size_t sent = 0;
    std::optional<size_t> killAfterLines;
    std::chrono::microseconds killDelay{};
    std::optional<Clock::time_point> killAt;
    bool finished = false;
    // A refused import whose stderr is a full FIFO (see Storm::holdAfterRollback).
    int fifo = -1;
    std::string fifoText;
    Clock::time_point startedAt{};
    std::optional<Clock::time_point> stalledAt;
    bool released = false;
};

class Storm {
public:
    Storm(std::string bin, fs::path dir, std::mt19937& rng) : m_bin(std::move(bin)), m_dir(std::move(dir)), m_rng(rng)
    {
        m_db = (m_dir / "terminal.db").string();
    }

    // holdAfterRollback makes the refused import's stderr a FIFO filled to the brim, so the
    // process blocks writing its refusal, after its ROLLBACK and before it closes the
    // database, like a process descheduled or writing to a slow log. The receivers go on
    // committing meanwhile; 1.5 s later the FIFO is drained and the import closes. A VFS that
    // still holds bytes of the rolled-back (spilled) transaction writes them at close over
    // the frames the others committed since.
    bool holdAfterRollback = false;
    // stormLimit: the storm has not ended by then, the harness gives up (a hang).
    std::chrono::milliseconds stormLimit{240'000};
    bool heldAfterRollback = false; // it was seen blocked on its stderr and held

    const std::string& db() const { return m_db; }
    std::vector<Run> runs;
    WalStats wal;

    std::vector<std::string> command(const std::vector<std::string>& args) const
    {
        std::vector<std::string> argv{m_bin, "--db", m_db, "--today", kToday};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }

    // start starts a process for `run` (added to runs); its stdin stays open for `feed`.
    std::string errPathFor(size_t id) const { return (m_dir / ("stderr-" + std::to_string(id) + ".txt")).string(); }
    std::unique_ptr<CrashChild> start(Run run, size_t& index)
    {
        run.id = static_cast<int>(runs.size());
        run.errPath = errPathFor(runs.size());
        auto child = std::make_unique<CrashChild>(command(run.args), run.errPath);
        index = runs.size();
        runs.push_back(std::move(run));
        return child;
    }
    // collect records how the process of runs[index] ended.
    void collect(size_t index, CrashChild& child, int status, const std::string* errText = nullptr)
    {
        Run& r = runs[index];
        r.status = status;
        r.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        r.lines = child.lines();
        r.err = errText ? *errText : backfill::test::readFile(r.errPath);
    }
    // runAlone runs one process to its end.
    Run& runAlone(Role role, const std::vector<std::string>& args)
    {
        size_t index = 0;
        auto child = start(Run{role, 0, args, {}, {}, 0, false, {}, {}}, index);
        const int status = child->finish();
        collect(index, *child, status);
        return runs[index];
    }

    // firstOpens starts the three first opens of a fresh file together and waits for them.
    void firstOpens()
    {
        std::vector<std::pair<size_t, std::unique_ptr<CrashChild>>> children;
        for (const auto& [kind, file] : std::vector<std::pair<std::string, std::string>>{
                 {"locations", "locations-a.csv"}, {"catalog", "catalog.csv"}, {"locations", "locations-b.csv"}}) {
            size_t index = 0;
            auto child = start(Run{Role::FirstOpen, 0, {"import", kind, (m_dir / file).string()}, {}, {}, 0, false, {}, {}}, index);
            children.emplace_back(index, std::move(child));
        }
        for (auto& [index, child] : children) collect(index, *child, child->finish());
    }

    void addSlot(Role role, int budget)
    {
        Slot s;
        s.role = role;
        s.budget = budget;
        m_slots.push_back(std::move(s));
    }

    // runStorm runs every slot to its end (readers stop once every writer has). False when the
    // harness gave up (no end within kStormLimit).
    bool runStorm()
    {
        const auto started = Clock::now();
        auto lastSample = started;
        while (true) {
            const auto now = Clock::now();
            if (now - started > stormLimit) return false;
            const bool writersDone = std::all_of(m_slots.begin(), m_slots.end(), [](const Slot& s) {
                return s.finished || s.role == Role::StockReader || s.role == Role::BackordersReader;
            });
            bool anyActive = false;
            for (auto& slot : m_slots) {
                if (slot.finished) continue;
                if ((slot.role == Role::StockReader || slot.role == Role::BackordersReader) && writersDone && !slot.child) {
                    slot.finished = true;
                    continue;
                }
                anyActive = true;
                step(slot, now);
            }
            if (!anyActive) return true;
            if (now - lastSample >= milliseconds(20)) {
                wal.sample(m_db);
                lastSample = now;
            }
            std::vector<pollfd> fds;
            for (const auto& slot : m_slots)
                if (slot.child) slot.child->addPollFds(fds);
            ::poll(fds.data(), fds.size(), 2);
        }
    }

private:
    std::vector<Scan> drawScans(size_t count, int runId)
    {
        std::vector<Scan> scans;
        std::uniform_int_distribution<int> percent(0, 99), waiting(0, kBackorderedProducts - 1), any(0, kProducts - 1),
            unknown(0, 999);
        for (size_t i = 0; i < count; ++i) {
            // A unique lot per scan: each printed line names exactly one receipt.
            char lot[24];
            std::snprintf(lot, sizeof lot, "R%dN%zu", runId, i);
            const int roll = percent(m_rng);
            const int product = roll < 3 ? -1 : roll < 70 ? waiting(m_rng) : any(m_rng);
            const std::string gtin = product < 0 ? unknownGtin(unknown(m_rng)) : knownGtin(product);
            scans.push_back({"010" + gtin + "10" + lot, product});
        }
        return scans;
    }

    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }

    void startNext(Slot& slot, Clock::time_point now)
    {
        Run run;
        run.role = slot.role;
        slot.sent = 0;
        slot.killAfterLines.reset();
        slot.killAt.reset();
        slot.flood = false;
        const int nextId = static_cast<int>(runs.size());
        switch (slot.role) {
        case Role::GroupReceiver:
        case Role::SyncReceiver: {
            const int n = slot.role == Role::GroupReceiver ? uniform(50, 400) : uniform(10, 60);
            slot.budget -= n;
            run.scans = drawScans(static_cast<size_t>(n), nextId);
            run.args = slot.role == Role::GroupReceiver ? std::vector<std::string>{"receive", "-"}
                                                        : std::vector<std::string>{"receive", "--sync-each", "-"};
            slot.flood = uniform(0, 1) == 0;
            if (uniform(0, 99) < 40) { // killed: after some printed lines, or during start-up
                if (uniform(0, 5) == 0) {
                    slot.killAfterLines = 0;
                    slot.killDelay = std::chrono::microseconds(uniform(0, 40000));
                } else {
                    slot.killAfterLines = static_cast<size_t>(uniform(0, n - 1));
                    slot.killDelay = std::chrono::microseconds(uniform(0, 3000));
                }
            }
            break;
        }
        case Role::OneShotReceiver: {
            --slot.budget;
            run.scans = drawScans(static_cast<size_t>(uniform(1, 3)), nextId);
            run.args = {"receive"};
            for (const auto& s : run.scans) run.args.push_back(s.text);
            if (uniform(0, 99) < 25) slot.killAt = now + milliseconds(uniform(0, 150));
            break;
        }
        case Role::RefusedImport:
        case Role::GoodImport:
            --slot.budget;
            run.args = {"import", "backorders", (m_dir / (slot.role == Role::GoodImport ? "good.csv" : "refused.csv")).string()};
            if (slot.role == Role::RefusedImport && holdAfterRollback) {
                openFullFifo(slot, errPathFor(runs.size()));
                slot.startedAt = now;
            } else if (uniform(0, 99) < (slot.role == Role::GoodImport ? 30 : 25)) {
                slot.killAt = now + milliseconds(uniform(50, 4000));
            }
            break;
        case Role::StockReader: run.args = {"stock"}; break;
        case Role::BackordersReader: run.args = {"backorders"}; break;
        default: FAIL("no storm slot for " << roleName(slot.role));
        }
        slot.nextBurst = {};
        slot.child = start(std::move(run), slot.run);
        if (!isReceiver(slot.role) || slot.role == Role::OneShotReceiver) slot.child->closeStdin();
        else feed(slot, now);
    }

    // feed sends a receiver its scans: all at once, or a burst 0-20 ms after the previous
    // one is answered (an operator scanning a few cases, then the next few).
    void feed(Slot& slot, Clock::time_point now)
    {
        const auto& scans = runs[slot.run].scans;
        if (slot.sent < scans.size() && !slot.flood && slot.sent > 0 && slot.child->lines().size() >= slot.sent &&
            slot.nextBurst == Clock::time_point{})
            slot.nextBurst = now + milliseconds(uniform(0, 20));
        const bool due = slot.flood || slot.sent == 0 || (slot.nextBurst != Clock::time_point{} && now >= slot.nextBurst);
        if (slot.sent < scans.size() && due) {
            const size_t n = slot.flood ? scans.size() : std::min(scans.size() - slot.sent, static_cast<size_t>(uniform(1, 40)));
            for (size_t i = slot.sent; i < slot.sent + n; ++i) slot.child->send(scans[i].text + "\n");
            slot.sent += n;
            slot.nextBurst = {};
        }
        if (slot.sent == scans.size() && slot.child->pendingInput() == 0) slot.child->closeStdin();
    }

    void step(Slot& slot, Clock::time_point now)
    {
        if (!slot.child) {
            const bool reader = slot.role == Role::StockReader || slot.role == Role::BackordersReader;
            if (slot.budget <= 0 && !reader && !(isReceiver(slot.role) && importRunning())) {
                slot.finished = true;
                return;
            }
            if (now < slot.nextStart) return;
            startNext(slot, now);
        }
        CrashChild& child = *slot.child;
        if (slot.fifo >= 0) holdOrDrain(slot, now);
        const bool open = child.pump(milliseconds(0));
        if (open && slot.killAfterLines && !slot.killAt && child.lines().size() >= *slot.killAfterLines)
            slot.killAt = now + slot.killDelay;
        if (open && slot.killAt && now >= *slot.killAt) {
            collect(slot.run, child, child.killNow());
            slot.child.reset();
            return;
        }
        if (!open) {
            const int status = child.finish();
            if (slot.fifo >= 0) {
                drainFifo(slot);
                ::close(slot.fifo);
                slot.fifo = -1;
                slot.fifoText.erase(0, slot.fifoText.find_first_not_of('\n')); // the filler
                collect(slot.run, child, status, &slot.fifoText);
            } else {
                collect(slot.run, child, status);
            }
            slot.child.reset();
            if (slot.role == Role::StockReader || slot.role == Role::BackordersReader) slot.nextStart = now + milliseconds(uniform(0, 30));
            return;
        }
        if (slot.role == Role::GroupReceiver || slot.role == Role::SyncReceiver) feed(slot, now);
    }

    void openFullFifo(Slot& slot, const std::string& path)
    {
        REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
        slot.fifo = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC); // the child's open needs a reader
        REQUIRE(slot.fifo >= 0);
        const int w = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        REQUIRE(w >= 0);
        const std::string filler(4096, '\n'); // blank lines: no error line
        while (::write(w, filler.data(), filler.size()) > 0) {
        }
        ::close(w);
        slot.stalledAt.reset();
        slot.released = false;
        slot.fifoText.clear();
    }
    // holdOrDrain: the import is held while blocked on its stderr for 1.5 s, then drained.
    void holdOrDrain(Slot& slot, Clock::time_point now)
    {
        if (!slot.released) {
            if (!slot.stalledAt) {
                const std::string wchan = backfill::test::readFile("/proc/" + std::to_string(slot.child->pid()) + "/wchan");
                if (wchan.find("pipe_write") != std::string::npos || wchan.find("pipe_wait") != std::string::npos) {
                    slot.stalledAt = now;
                    heldAfterRollback = true;
                }
            }
            // Without a stall seen (another kernel's wait channel name), it is let go anyway.
            slot.released = (slot.stalledAt && now - *slot.stalledAt >= milliseconds(1500)) || now - slot.startedAt > stormLimit / 2;
        }
        if (slot.released) drainFifo(slot);
    }
    void drainFifo(Slot& slot)
    {
        char chunk[8192];
        ssize_t n;
        while ((n = ::read(slot.fifo, chunk, sizeof chunk)) > 0) slot.fifoText.append(chunk, static_cast<size_t>(n));
    }

    bool importRunning() const
    {
        return std::any_of(m_slots.begin(), m_slots.end(), [](const Slot& s) {
            return !s.finished && (s.role == Role::RefusedImport || s.role == Role::GoodImport);
        });
    }

    std::string m_bin;
    fs::path m_dir;
    std::mt19937& m_rng;
    std::string m_db;
    std::vector<Slot> m_slots;
};

struct SeedResult {
    Findings findings;
    std::string summary;
};

SeedResult runSeed(unsigned seed, int refusedLines, const std::string& bin, const fs::path& base)
{
    SeedResult result;
    Findings& f = result.findings;
    std::mt19937 rng(seed);
    std::string pattern = (base / ("torture-" + std::to_string(seed) + "-XXXXXX")).string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    const fs::path dir = pattern;
    writeInputs(dir, rng, refusedLines);
    Storm storm(bin, dir, rng);

    // 1. Three first opens of a missing file at once. A failed one is reported, then run
    //    again alone so the seed can go on.
    storm.firstOpens();
    for (size_t i = 0; i < storm.runs.size(); ++i) {
        const Run r = storm.runs[i];
        if (r.killed || !WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
            const auto& again = storm.runAlone(Role::Setup, r.args);
            const bool ok = WIFEXITED(again.status) && WEXITSTATUS(again.status) == 0;
            REQUIRE_MESSAGE(ok, "seed " << seed << ": " << again.args[1] << " fails even alone: " << again.err);
        }
    }
    for (const char* kind : {"backorders", "inbound"}) {
        const auto& r = storm.runAlone(Role::Setup, {"import", kind, (dir / (std::string(kind) + ".csv")).string()});
        const bool ok = WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
        REQUIRE_MESSAGE(ok, "seed " << seed << ": import " << kind << ": " << r.err);
    }

    // 2. The storm.
    storm.holdAfterRollback = seed % 2 == 1; // odd seeds
    storm.stormLimit = milliseconds(120'000 + refusedLines); // 1 ms a line: ASan on a loaded machine
    storm.addSlot(Role::RefusedImport, 1);
    storm.addSlot(Role::GoodImport, 1);
    storm.addSlot(Role::GroupReceiver, 900);
    storm.addSlot(Role::GroupReceiver, 900);
    storm.addSlot(Role::SyncReceiver, 120);
    storm.addSlot(Role::OneShotReceiver, 25);
    storm.addSlot(Role::StockReader, 0);
    storm.addSlot(Role::BackordersReader, 0);
    const auto started = Clock::now();
    const bool ended = storm.runStorm();
    const auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (!ended) f.add("the storm did not end within " + std::to_string(storm.stormLimit.count() / 1000) + " s");
    storm.wal.sample(storm.db());

    // 3. The database still serves a report, then the checks with plain SQLite.
    const auto& report = storm.runAlone(Role::Final, {"stock"});
    checkExits(storm.runs, refusedLines, dir, f);
    checkReaders(storm.runs, f);
    int64_t recorded = 0;
    try {
        checkLedger(storm.db(), storm.runs, f, recorded);
        if (WIFEXITED(report.status) && WEXITSTATUS(report.status) == 0 && report.lines.size() == 1) {
            int64_t onHand = 0;
            for (const auto& row : json::parse(report.lines[0])) onHand += row.at("on_hand").get<int64_t>();
            if (onHand != recorded) f.add("stock prints " + std::to_string(onHand) + " on hand for " + std::to_string(recorded) + " receipts");
        }
    } catch (const std::exception& e) {
        f.add(std::string("cannot read the database with plain SQLite: ") + e.what());
    }

    std::map<Role, std::pair<int, int>> perRole; // processes, killed
    for (const auto& r : storm.runs) {
        ++perRole[r.role].first;
        if (r.killed) ++perRole[r.role].second;
    }
    std::ostringstream s;
    s << "seed " << seed << ": storm " << static_cast<int>(seconds) << " s, " << storm.runs.size() << " processes (";
    for (const auto& [role, n] : perRole) s << roleName(role) << " " << n.first << "/" << n.second << " killed; ";
    s << "), " << recorded << " receipts recorded; refused import "
      << (storm.heldAfterRollback ? "held 1.5 s after its rollback" : storm.holdAfterRollback ? "NOT seen held" : "not held") << "; WAL: max " << storm.wal.maxFrames << " frames (" << storm.wal.maxWalBytes / 1024
      << " KiB), max backfill " << storm.wal.maxBackfill << ", " << storm.wal.restarts << " restarts seen; " << f.problems.size()
      << " problems";
    for (const auto& [code, n] : f.errorCodes) s << "; " << code << " x" << n;
    result.summary = s.str();

    if (f.problems.empty() && envOr("BACKFILL_KEEP_TMP", "").empty()) {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    } else {
        result.summary += "; files kept in " + dir.string();
    }
    return result;
}

} // namespace

TEST_CASE("torture: receivers, imports and readers in many processes on one database, writers SIGKILLed")
{
    ::signal(SIGPIPE, SIG_IGN); // a killed child closes its stdin under our writes
    const std::string bin = envOr("BACKFILL_BIN", "");
    REQUIRE_MESSAGE(!bin.empty(), "BACKFILL_BIN must name the backfill binary");
    const int seeds = std::stoi(envOr("BACKFILL_TORTURE_SEEDS", "2"));
    const unsigned first = static_cast<unsigned>(std::stoul(envOr("BACKFILL_TORTURE_SEED", "1")));
    const int lines = std::stoi(envOr("BACKFILL_TORTURE_LINES", "100000"));
    REQUIRE(seeds >= 1);
    REQUIRE(lines >= 2);
    const fs::path base = envOr("BACKFILL_BUILD", fs::temp_directory_path().string());
    int failedSeeds = 0;
    for (unsigned seed = first; seed < first + static_cast<unsigned>(seeds); ++seed) {
        const auto result = runSeed(seed, lines, bin, base);
        MESSAGE(result.summary);
        for (const auto& p : result.findings.problems)
            FAIL_CHECK("seed " << seed << " (replay: BACKFILL_TORTURE_SEED=" << seed
                               << " BACKFILL_TORTURE_SEEDS=1 BACKFILL_TORTURE_LINES=" << lines << "): " << p);
        if (!result.findings.problems.empty()) ++failedSeeds;
    }
    MESSAGE(failedSeeds << " of " << seeds << " seeds failed (" << lines << "-line refused import)");
}
