// Receive screen with the real UiSession (issue 12 item 3): a scan received, the undo of the
// last receipt asked once (two taps) and done through TerminalStore::undoLastReceipt, refused
// with nothing_to_undo when there is nothing left.

#include "ui/SessionHarness.h"

using namespace backfill;
using backfill::uitest::SessionHarness;

TEST_CASE("receive session: undo the last receipt with two taps")
{
    SessionHarness s("undo", ui::ScreenId::Receive);
    s.start();
    REQUIRE(s.session().screen() == ui::ScreenId::Receive);
    const auto& v = s.session().receiveView();
    s.scan("(01)09501101010079(30)12(10)L7");
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Accepted);
    CHECK(s.stockAt("MUG", "DOCK") == 12);
    CHECK(v.recent.size() == 1);

    s.tap("Undo last");
    CHECK(s.stockAt("MUG", "DOCK") == 12); // one tap only arms it
    CHECK(s.has("Tap again to undo"));
    s.tap("Tap again to undo");
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Attention);
    CHECK(v.last->code == "undone");
    CHECK(v.last->message == "taken back (a reversing entry; the history keeps both): 12 x MUG LOT L7 at DOCK");
    CHECK(s.stockAt("MUG", "DOCK") == 0);
    CHECK(s.has("Undo last"));

    s.tap("Undo last");
    s.tap("Tap again to undo");
    CHECK(v.last->feedback == ui::Feedback::Refused);
    CHECK(v.last->code == "nothing_to_undo");
    CHECK(s.has("Tap to acknowledge"));

    // Home goes home.
    s.tap("Tap to acknowledge");
    s.tap("Undo last");
    s.tap("Home");
    CHECK(s.session().screen() == ui::ScreenId::Home);
}

TEST_CASE("receive session: one sound cue per result, of the result's class")
{
    SessionHarness s("cues", ui::ScreenId::Receive);
    s.start();
    CHECK_FALSE(s.session().takeCue()); // opening a screen is no result
    s.scan("(01)09501101010079(30)2");
    CHECK(s.session().takeCue() == ui::Feedback::Accepted);
    CHECK_FALSE(s.session().takeCue()); // once
    s.scan("(01)09501101010079(30)2"); // the same result again: heard again
    CHECK(s.session().takeCue() == ui::Feedback::Accepted);
    s.scan("(01)09501101010078"); // a wrong check digit
    CHECK(s.session().takeCue() == ui::Feedback::Refused);
    s.tap("Tap to acknowledge"); // an acknowledgement is no new result
    CHECK_FALSE(s.session().takeCue());
    s.tap("Undo last");
    CHECK_FALSE(s.session().takeCue()); // armed only
    s.tap("Tap again to undo");
    CHECK(s.session().takeCue() == ui::Feedback::Attention);
    s.frame();
    CHECK_FALSE(s.session().takeCue());
}

TEST_CASE("receive session: the quantity of the last loose receipt corrected on the keypad")
{
    SessionHarness s("correct", ui::ScreenId::Receive);
    s.start();
    const auto& v = s.session().receiveView();
    CHECK_FALSE(s.has("Correct qty")); // nothing received yet
    s.scan("(01)09501101010079(30)12");
    REQUIRE(v.correctable);
    // Opened and cancelled: nothing changes.
    s.tap("Correct qty");
    CHECK(s.has("OK"));
    s.tap("Cancel");
    CHECK_FALSE(s.has("OK"));
    CHECK(s.stockAt("MUG", "DOCK") == 12);

    // 10 in fact: the receipt of 12 is taken back and 10 received, both in the ledger.
    s.tap("Correct qty");
    s.tap("1");
    s.tap("0");
    s.tap("OK");
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Accepted);
    CHECK(v.last->code == "corrected");
    CHECK(v.last->message == "12 -> 10 x MUG");
    REQUIRE(v.last->lines.size() == 1);
    CHECK(v.last->lines[0].qty == 10);
    CHECK(s.stockAt("MUG", "DOCK") == 10);
    CHECK(s.session().takeCue() == ui::Feedback::Accepted);
    auto events = s.store().events();
    REQUIRE(events);
    std::vector<std::pair<std::string, long long>> kinds;
    for (const auto& e : *events)
        if (e.kind == ledger::EventKind::Received) kinds.push_back({"received", e.qty});
    CHECK(kinds == std::vector<std::pair<std::string, long long>>{{"received", 12}, {"received", -12}, {"received", 10}});
    CHECK(*s.store().outboxCount() == 3); // receive, undo, receive for the server
    // The latest receipts add up to what arrived: 10, the 12 taken back, 12.
    REQUIRE(v.recent.size() == 3);
    CHECK(ui::recentText(v.recent[0]) == "09:00  10 x MUG  at DOCK");
    CHECK(ui::recentText(v.recent[1]) == "09:00  -12 x MUG  at DOCK  taken back");
    CHECK(ui::recentText(v.recent[2]) == "09:00  12 x MUG  at DOCK");
    CHECK(v.correctable);                 // and may be corrected again

    // A case label stands for 6: only whole cases can be corrected to.
    s.scan("(01)19501101010076");
    CHECK(s.stockAt("MUG", "DOCK") == 16);
    s.tap("Correct qty");
    s.tap("9");
    s.tap("OK");
    CHECK(v.last->feedback == ui::Feedback::Refused);
    CHECK(v.last->code == "not_whole_items");
    CHECK(v.last->message == "the label of MUG stands for 6 units: enter a multiple of 6 (more than 0)");
    CHECK(s.stockAt("MUG", "DOCK") == 16);
    s.tap("Tap to acknowledge");
    s.tap("Correct qty");
    s.tap("1");
    s.tap("2");
    s.tap("OK");
    CHECK(v.last->code == "corrected");
    CHECK(v.last->message == "6 -> 12 x MUG");
    CHECK(s.stockAt("MUG", "DOCK") == 22);

    // Moved away since: the store refuses the undo, and nothing changes.
    s.scan("(01)09501101010147(30)4");
    s.move("TEA", 4, "DOCK", "A1");
    s.tap("Correct qty");
    s.tap("3");
    s.tap("OK");
    CHECK(v.last->code == "undo_blocked");
    CHECK(s.stockAt("TEA", "A1") == 4);

    // A refused scan has nothing to correct, and leaving the screen ends the chance.
    s.scan("(01)09501101010078");
    CHECK_FALSE(s.has("Correct qty"));
    s.scan("(01)09501101010079");
    CHECK(s.has("Correct qty"));
    s.tap("Home");
    s.tap("Receive\n0 pallets due");
    CHECK_FALSE(s.has("Correct qty"));
}

TEST_CASE("receive session: the pallets expected, with their lines, and the Receive tile's count of those due")
{
    SessionHarness s("expected", ui::ScreenId::Home);
    // Two pallets of one ASN due today, one of another due tomorrow, loose units (no SSCC).
    const std::string csv = "inbound_id,supplier,sku,qty,eta,sscc\n"
                            "ASN-2,Tea Co,TEA,10,2026-12-05,095011010000000025\n"
                            "ASN-1,Mug Co,MUG,12,2026-12-04,095011010000000018\n"
                            "ASN-1,Mug Co,TEA,6,2026-12-04,095011010000000018\n"
                            "ASN-1,Mug Co,MUG,7,2026-12-04,\n";
    const auto rows = ledger::parseInboundCsv(csv);
    REQUIRE(rows.errors.empty());
    auto imported = s.store().importInbound(rows, app::cliActor(s.options()));
    REQUIRE(imported);
    REQUIRE(imported->errors.empty());
    s.start();
    CHECK(s.has("Receive\n1 pallets due")); // ASN-2's is due tomorrow
    s.tap("Receive\n1 pallets due");
    const auto& v = s.session().receiveView();
    CHECK(ui::expectedRows(v.expected) == std::vector<std::string>{"ETA 2026-12-04  ASN-1  Mug Co", "SSCC 095011010000000018",
                                                                     "    12 x MUG", "    6 x TEA", "ETA 2026-12-05  ASN-2  Tea Co",
                                                                     "SSCC 095011010000000025", "    10 x TEA"});
    s.scan("(00)095011010000000018");
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Accepted);
    CHECK_FALSE(v.correctable); // a pallet is its ASN's lines
    REQUIRE(v.expected.size() == 1);
    CHECK(v.expected[0].inboundId == "ASN-2");
    s.tap("Home");
    CHECK(s.has("Receive\n0 pallets due"));
}

TEST_CASE("receive session with a reader: the lists come from the worker, the old ones stay until then; a read for a screen left is dropped")
{
    SessionHarness s("receivereader", ui::ScreenId::Receive);
    s.inbound("ASN-1,Mug Co,MUG,12,2026-12-04,095011010000000018\n");
    s.receive("09501101010147", 3); // 3 TEA in the history
    uitest::SessionReader r(s);
    s.start();
    REQUIRE(s.session().screen() == ui::ScreenId::Receive);
    const auto& v = s.session().receiveView();
    CHECK(v.location.empty()); // comes with the lists (a receipt reads it on the writer)
    CHECK(v.expected.empty()); // the frame did not wait for the lists
    CHECK(v.recent.empty());
    REQUIRE(r.settle());
    CHECK(v.location == "DOCK");
    CHECK(ui::expectedRows(v.expected) == std::vector<std::string>{"ETA 2026-12-04  ASN-1  Mug Co", "SSCC 095011010000000018", "    12 x MUG"});
    REQUIRE(v.recent.size() == 1);
    CHECK(v.recent[0].sku == "TEA");
    CHECK(v.recent[0].qty == 3);
    CHECK(v.recent[0].location == "DOCK");
    CHECK_FALSE(v.recent[0].undo);

    // The pallet is received in the frame; the lists as they were until the new ones come.
    s.scan("(00)095011010000000018");
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Accepted);
    CHECK(s.stockAt("MUG", "DOCK") == 12);
    CHECK(v.expected.size() == 1);
    CHECK(v.recent.size() == 1);
    REQUIRE(r.settle());
    CHECK(v.expected.empty());
    REQUIRE(v.recent.size() == 2);
    CHECK(v.recent[0].sku == "MUG");
    CHECK(v.recent[0].qty == 12);
    CHECK(v.recent[0].sscc == std::optional<std::string>("095011010000000018"));
    CHECK(v.last->feedback == ui::Feedback::Accepted); // the result stays

    // Receive opened again and left before its lists came: they are not applied.
    s.receive("09501101010079", 5);
    s.tap("Home");
    REQUIRE(r.settle());
    s.tapTile(ui::ScreenId::Receive);
    REQUIRE(s.session().screen() == ui::ScreenId::Receive);
    s.tap("Home");
    REQUIRE(r.settle());
    CHECK(v.recent.size() == 2); // the dropped read had 3
    s.tapTile(ui::ScreenId::Receive);
    REQUIRE(r.settle());
    REQUIRE(v.recent.size() == 3);
    CHECK(v.recent[0].qty == 5);
}

TEST_CASE("receive session with a writer: a frame returns while another connection holds the write lock; the receipts land in scan order once it is released")
{
    SessionHarness s("receivelock", ui::ScreenId::Receive);
    uitest::SessionReader r(s);
    uitest::SessionWriter w(s, &r);
    s.start();
    REQUIRE(w.settle());
    const auto& v = s.session().receiveView();
    const size_t eventsBefore = s.store().events()->size();
    const long writesBefore = w.writer().writes(); // the settle's marker

    // A supervisor's import (or the sync worker) holds the database's write lock.
    test::PlainDb other(s.options().dbPath);
    other.exec("BEGIN IMMEDIATE");
    const auto t0 = std::chrono::steady_clock::now();
    s.scan("(01)09501101010079(30)12(10)L7");
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took < std::chrono::seconds(5)); // the writer waits up to 60 s, the frame does not
    CHECK_FALSE(v.last);                   // not told "recorded" before the commit
    CHECK(v.recording == 1);
    CHECK(s.session().writing() == 1);
    s.scan("(01)09501101010147(30)4");
    s.scan("(01)09501101010078"); // a wrong check digit: refused after the two before it
    CHECK(v.recording == 3);
    CHECK_FALSE(v.last);
    CHECK_FALSE(s.session().takeCue()); // no result yet, no sound
    // While the lock is held nothing is recorded and no result comes.
    CHECK(w.drainFor(std::chrono::milliseconds(300)) == 0);
    CHECK(w.writer().writes() == writesBefore);
    CHECK(s.store().events()->size() == eventsBefore);

    other.exec("ROLLBACK");
    REQUIRE(w.settle());
    CHECK(s.session().writing() == 0);
    CHECK(v.recording == 0);
    CHECK(w.writer().writes() == writesBefore + 4); // three scans and the settle's marker
    // The results came in scan order: the refusal of the third is the one shown last.
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Refused);
    CHECK(v.last->code == "check_digit");
    CHECK(v.last->scan == "(01)09501101010078");
    CHECK(s.session().takeCue() == ui::Feedback::Refused);
    CHECK(s.stockAt("MUG", "DOCK") == 12);
    CHECK(s.stockAt("TEA", "DOCK") == 4);
    auto events = s.store().events();
    REQUIRE(events);
    std::vector<std::pair<std::string, long long>> received;
    for (const auto& e : *events)
        if (e.kind == ledger::EventKind::Received) received.push_back({e.sku, e.qty});
    CHECK(received == std::vector<std::pair<std::string, long long>>{{"MUG", 12}, {"TEA", 4}});
    // The lists were read again after the results: the newest receipt first.
    REQUIRE(v.recent.size() == 2);
    CHECK(ui::recentText(v.recent[0]) == "09:00  4 x TEA  at DOCK");
    CHECK(ui::recentText(v.recent[1]) == "09:00  12 x MUG  LOT L7  at DOCK");
    // The unsent count in the header came back with the last write.
    CHECK(v.unsynced == 2);
    CHECK_FALSE(v.correctable); // the last result was a refusal
}

TEST_CASE("receive session with a writer: a refusal among queued scans stays until its tap; the next refusal behind it, then the last result, after")
{
    SessionHarness s("receiveheld", ui::ScreenId::Receive);
    uitest::SessionReader r(s);
    uitest::SessionWriter w(s, &r);
    s.start();
    REQUIRE(w.settle());
    const auto& v = s.session().receiveView();

    // Four scans queued behind a held lock: a refusal, a receipt, a refusal, a receipt.
    test::PlainDb other(s.options().dbPath);
    other.exec("BEGIN IMMEDIATE");
    s.scan("(01)09501101010078"); // wrong check digit
    s.scan("(01)09501101010147(30)4");
    s.scan("(01)09501101010148"); // wrong check digit
    s.scan("(01)09501101010079(30)12");
    other.exec("ROLLBACK");
    REQUIRE(w.settle());
    CHECK(v.recording == 0);
    // Both receipts landed, but the band keeps the first refusal until it is tapped.
    CHECK(s.stockAt("TEA", "DOCK") == 4);
    CHECK(s.stockAt("MUG", "DOCK") == 12);
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Refused);
    CHECK(v.last->scan == "(01)09501101010078");
    CHECK(v.last->behind == 3);
    CHECK_FALSE(v.last->acknowledged);
    // The tap shows the next refusal behind it (the receipt between is in the latest receipts).
    s.tap("Tap to acknowledge");
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Refused);
    CHECK(v.last->code == "check_digit");
    CHECK(v.last->scan == "(01)09501101010148");
    CHECK(v.last->behind == 1);
    CHECK_FALSE(v.last->acknowledged);
    // Its tap shows the last result.
    s.tap("Tap to acknowledge");
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Accepted);
    REQUIRE(v.last->lines.size() == 1);
    CHECK(v.last->lines[0].sku == "MUG");
    CHECK(v.last->lines[0].qty == 12);
    CHECK(v.last->behind == 0);
    REQUIRE(v.recent.size() == 2);
    CHECK(ui::recentText(v.recent[0]) == "09:00  12 x MUG  at DOCK");
    CHECK(ui::recentText(v.recent[1]) == "09:00  4 x TEA  at DOCK");

    // A refusal shown with nothing behind it stays, acknowledged, after its tap; a new scan
    // replaces it as before.
    s.scan("(01)09501101010078");
    REQUIRE(w.settle());
    CHECK(v.last->behind == 0);
    s.tap("Tap to acknowledge");
    CHECK(v.last->acknowledged);
    CHECK(v.last->scan == "(01)09501101010078");
    s.scan("(01)09501101010147(30)1");
    REQUIRE(w.settle());
    CHECK(v.last->feedback == ui::Feedback::Accepted);
}

TEST_CASE("receive session with a writer: wedge scans faster than the commits land in scan order, none lost; undo and correct queue behind them")
{
    SessionHarness s("receiveburst", ui::ScreenId::Receive);
    uitest::SessionReader r(s);
    uitest::SessionWriter w(s, &r);
    s.start();
    REQUIRE(w.settle());
    const auto& v = s.session().receiveView();
    // Five scans in one wake-up of the loop (a keyboard-wedge burst), five more one frame each,
    // none waited for: 1 to 10 units of MUG.
    std::vector<scan::Scan> burst;
    for (int n = 1; n <= 5; ++n) {
        scan::Scan one;
        one.text = "(01)09501101010079(30)" + std::to_string(n);
        burst.push_back(one);
    }
    s.ui().frame([&] { s.session().frame(burst, s.ui().ctx()); });
    for (int n = 6; n <= 10; ++n) s.scan("(01)09501101010079(30)" + std::to_string(n));
    CHECK(s.session().writing() <= 10);
    REQUIRE(w.settle());
    CHECK(s.session().writing() == 0);
    auto events = s.store().events();
    REQUIRE(events);
    std::vector<long long> received;
    for (const auto& e : *events)
        if (e.kind == ledger::EventKind::Received) received.push_back(e.qty);
    CHECK(received == std::vector<long long>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    CHECK(s.stockAt("MUG", "DOCK") == 55);
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Accepted);
    CHECK(v.last->scan == "(01)09501101010079(30)10");
    CHECK(v.unsynced == 10);
    CHECK(*s.store().outboxCount() == 10);
    REQUIRE(v.recent.size() == 10);
    CHECK(v.recent[0].qty == 10);
    CHECK(v.recent[9].qty == 1);
    REQUIRE(v.correctable); // the last write's receipt, loose units
    CHECK(v.correctWhat == "MUG (scanned 10)");

    // A scan, then Undo asked before its result: the undo runs behind it and takes it back.
    s.scan("(01)09501101010147(30)3");
    CHECK_FALSE(s.has("Correct qty")); // nothing to correct while a receipt is in flight
    s.tap("Undo last");
    s.tap("Tap again to undo");
    REQUIRE(w.settle());
    REQUIRE(v.last);
    CHECK(v.last->code == "undone");
    CHECK(v.last->message == "taken back (a reversing entry; the history keeps both): 3 x TEA at DOCK");
    CHECK(s.stockAt("TEA", "DOCK") == 0);

    // A correction on the writer: the undo and the receipt of the count, in that order.
    s.scan("(01)09501101010079(30)12");
    REQUIRE(w.settle());
    REQUIRE(v.correctable);
    s.tap("Correct qty");
    s.tap("1");
    s.tap("1");
    s.tap("OK");
    CHECK_FALSE(v.last); // "Recording ..." until the result
    REQUIRE(w.settle());
    REQUIRE(v.last);
    CHECK(v.last->code == "corrected");
    CHECK(v.last->message == "12 -> 11 x MUG");
    CHECK(s.stockAt("MUG", "DOCK") == 66);
    CHECK(s.session().takeCue() == ui::Feedback::Accepted);
    CHECK(v.correctable);
}
