// UiSession: the receive screen's glue (issue 12 item 3; docs/ui.md, Receive). The same store
// and workflow calls as `backfill receive` and `backfill undo` (CmdReceive.cpp, CmdUndo.cpp):
// a scan received, the undo of the operator's last receipt, and the correction of its
// quantity on the keypad (an undo and a receipt of the corrected count, both in the ledger).
// Its lists (the pallets expected, the recent receipts) are read on the UiReader's worker when
// one is attached (readThen); the receipts, undos and corrections are written on the
// UiWriter's worker when one is attached (writeThen), in scan order: a scan while one is in
// flight is queued behind it, never refused or dropped, and each result shows as it comes.

#include "app/AppStore.h"
#include "app/UiSession.h"
#include "store/History.h"
#include "workflow/ReceiptScan.h"

#include <algorithm>
#include <iterator>
#include <map>

namespace backfill::app {

namespace {

constexpr int64_t kRecentReceipts = 50;
constexpr size_t kExpectedPallets = 50;

std::string hhmm(ledger::Timestamp at)
{
    const std::string iso = ledger::formatTimestamp(at); // YYYY-MM-DDTHH:MM:SSZ
    return iso.size() >= 16 ? iso.substr(11, 5) : iso;
}

ui::ReceiveResult receiveRefused(const std::string& scan, const ledger::Error& e)
{
    ui::ReceiveResult r;
    r.feedback = ui::Feedback::Refused;
    r.scan = scan;
    r.code = e.code;
    r.message = e.message;
    return r;
}

// readReceiptScan reads a scan into the receipt it asks for, at the default receiving location
// (refused: the parser's and receiptFromScan's codes, a store failure). It runs on the writer's
// connection with the receipt, so the setting gs_substitute and the receiving location are read
// there, not in the frame; it writes nothing. `gs` is --gs (0: none given).
ledger::Result<ledger::ReceiptRequest> readReceiptScan(store::TerminalStore& store, ledger::Date today, char gs, const std::string& text)
{
    auto parsed = workflow::parseReceiptScan(text, scanOptions(store, today, gs));
    if (!parsed) return ledger::unexpected(parsed.error());
    auto location = store.defaultReceivingLocation();
    if (!location) return ledger::unexpected(location.error());
    return workflow::receiptFromScan(*parsed, *location);
}

ledger::Error receiveForbidden(const std::string& why) { return {"forbidden", why.substr(std::string("forbidden: ").size())}; }

// ReceiveLists: the receiving location, the pallets expected and the recent receipts as read,
// with the error that stopped the read (the lists read before it are kept, the rest stay empty).
struct ReceiveLists {
    std::optional<std::string> location;
    std::vector<ui::ExpectedPallet> expected;
    std::vector<ui::RecentReceipt> recent;
    std::optional<ledger::Error> error;
};

// readReceiveLists reads them (on the reader's worker, or at once): the history is the
// newest entries of the whole ledger.
ReceiveLists readReceiveLists(store::TerminalStore& store)
{
    ReceiveLists out;
    if (auto loc = store.defaultReceivingLocation()) out.location = *loc;
    auto pallets = store.announcedPallets(kExpectedPallets);
    if (!pallets) {
        out.error = pallets.error();
        return out;
    }
    for (const auto& p : *pallets) {
        ui::ExpectedPallet e{p.sscc, p.inboundId, p.supplier, ledger::formatDate(p.eta), {}};
        for (const auto& [sku, qty] : p.lines) e.lines.push_back({sku, qty});
        out.expected.push_back(std::move(e));
    }
    auto history = store::latestActions(store.database(), kRecentReceipts);
    if (!history) {
        out.error = history.error();
        return out;
    }
    for (const auto& h : *history) {
        // Receipts and their undos (a correction is both): the list adds up to what arrived.
        if (h.kind != "receive" && h.kind != "undo") continue;
        out.recent.push_back({h.eventId, hhmm(h.at), h.sku, h.qty, h.lot, h.location, h.sscc, h.kind == "undo"});
    }
    return out;
}

} // namespace

void UiSession::refreshReceive()
{
    m_receiveView.operatorName = m_g.signedInAs;
    // The receiving location in the header comes with the lists (the last one read stays in
    // sight meanwhile); each receipt reads it again on the writer, with its write.
    loadReceiveLists();
}

void UiSession::loadReceiveLists()
{
    readThen<ReceiveLists>("receive.lists", readReceiveLists, [this](ReceiveLists lists) {
        if (lists.location) m_receiveView.location = std::move(*lists.location);
        m_receiveView.expected = std::move(lists.expected);
        m_receiveView.recent = std::move(lists.recent);
        if (lists.error) {
            m_receiveView.last = receiveRefused("", *lists.error);
            if (m_reader) m_cue = ui::Feedback::Refused; // after the frame that asked: its cue is here
        }
    });
}

void UiSession::receive(const std::string& text)
{
    m_lastReceipt.reset();
    m_receiveView.correctable = false;
    m_receiveView.last.reset(); // "Recording ..." until its result comes
    m_behind.clear();           // a new scan: the operator moved on from the band
    // A scan refused before any write (a bad check digit) still goes through the writer, so
    // its refusal shows after the results of the scans before it, in scan order. The scan is
    // read into its receipt there too (the setting gs_substitute, the receiving location).
    std::string why;
    std::optional<ledger::Error> forbidden;
    if (!mayDo(ledger::Action::Receive, why)) forbidden = receiveForbidden(why);
    const auto actor = cliActor(m_g);
    const ledger::Date today = m_g.today();
    const char gs = m_g.gsChar();
    writeThen<ReceiptRecorded>(
        ui::ScreenId::Receive,
        [forbidden, today, gs, text, actor](store::TerminalStore& s) -> ReceiptRecorded {
            if (forbidden) return {ledger::unexpected(*forbidden), std::nullopt};
            const auto request = readReceiptScan(s, today, gs, text);
            if (!request) return {ledger::unexpected(request.error()), std::nullopt};
            return recordReceipt(s, *request, actor);
        },
        [this, text](ReceiptRecorded recorded) { showReceipt(text, std::move(recorded)); });
}

void UiSession::showReceipt(const std::string& text, ReceiptRecorded recorded)
{
    const bool ok = recorded.shown.has_value();
    ui::ReceiveResult shown = ok ? std::move(*recorded.shown) : receiveRefused(text, recorded.shown.error());
    if (ok && m_screen == ui::ScreenId::Receive) loadReceiveLists();
    // A refusal waiting for its tap keeps the band; this result waits behind it.
    if (auto& last = m_receiveView.last; last && last->feedback == ui::Feedback::Refused && !last->acknowledged) {
        ++last->behind;
        m_behind.push_back(std::move(shown));
        return;
    }
    m_receiveView.last = std::move(shown);
    if (!ok) return;
    // Only the last write's receipt is corrected, and only right after it, where it was made.
    if (recorded.correctable && m_writing == 0 && m_screen == ui::ScreenId::Receive) {
        m_lastReceipt = std::move(recorded.correctable);
        m_receiveView.correctable = true;
        m_receiveView.correctWhat = m_lastReceipt->sku + " (scanned " + std::to_string(m_lastReceipt->units) + ")";
    }
}

UiSession::ReceiptRecorded UiSession::recordReceipt(store::TerminalStore& store, const ledger::ReceiptRequest& request, const store::Actor& actor)
{
    auto lines = store.receive(request, actor);
    if (!lines) return {ledger::unexpected(lines.error()), std::nullopt};
    std::map<std::string, std::string> customers;
    bool allocated = false;
    for (const auto& l : *lines) allocated = allocated || !l.allocations.empty();
    if (allocated)
        if (auto rows = store.backorders())
            for (const auto& b : *rows) customers.emplace(b.line.orderId, b.line.customer);

    ui::ReceiveResult r;
    r.feedback = ui::Feedback::Accepted;
    r.scan = request.scan;
    for (const auto& l : *lines) {
        ui::ReceiveLine line{l.sku, l.qty, l.lot, l.location, {}, l.toStock, l.overReceipt};
        for (const auto& a : l.allocations)
            line.allocations.push_back({a.qty, a.orderId, customers.count(a.orderId) ? customers[a.orderId] : "", a.stage});
        r.lines.push_back(std::move(line));
    }
    // Loose units of one product can be corrected on the keypad; a pallet is its ASN's lines.
    std::optional<LastReceipt> correctable;
    if (!request.sscc && lines->size() == 1 && request.count > 0)
        correctable = LastReceipt{request, lines->front().qty / request.count, lines->front().qty, lines->front().sku};
    return {std::move(r), std::move(correctable)};
}

void UiSession::acknowledgeReceipt()
{
    if (!m_receiveView.last) return;
    m_receiveView.last->acknowledged = true;
    if (m_behind.empty()) return;
    auto next = std::find_if(m_behind.begin(), m_behind.end(), [](const ui::ReceiveResult& r) { return r.feedback == ui::Feedback::Refused; });
    if (next == m_behind.end()) next = std::prev(m_behind.end());
    m_receiveView.last = std::move(*next);
    m_receiveView.last->behind = static_cast<int>(std::distance(next, m_behind.end()) - 1);
    m_behind.erase(m_behind.begin(), std::next(next));
}

void UiSession::undoLastReceipt()
{
    m_lastReceipt.reset();
    m_receiveView.correctable = false;
    std::string why;
    if (!mayDo(ledger::Action::Undo, why)) {
        m_receiveView.last = receiveRefused("", receiveForbidden(why));
        return;
    }
    m_receiveView.last.reset();
    // Behind the receipts still in flight: the last of them is the one taken back.
    using Undone = ledger::Result<store::TerminalStore::UndoResult>;
    const auto actor = cliActor(m_g);
    writeThen<Undone>(
        ui::ScreenId::Receive, [actor](store::TerminalStore& s) { return s.undoLastReceipt(actor); },
        [this](Undone undone) {
            if (!undone) {
                m_receiveView.last = receiveRefused("", undone.error());
                return;
            }
            ui::ReceiveResult r;
            r.feedback = ui::Feedback::Attention;
            r.scan = undone->scan.value_or("");
            r.code = "undone";
            std::string what;
            for (const auto& l : undone->lines)
                what += (what.empty() ? "" : "; ") + std::to_string(l.qty) + " x " + l.sku + (l.lot ? " LOT " + *l.lot : "") + " at " + l.location;
            r.message = "taken back (a reversing entry; the history keeps both): " + what;
            if (m_screen == ui::ScreenId::Receive) loadReceiveLists();
            m_receiveView.last = std::move(r);
        });
}

void UiSession::correctLastReceipt(long long units)
{
    if (!m_lastReceipt) {
        m_receiveView.last = receiveRefused("", {"nothing_to_correct", "receive loose units first: a pallet or a refused scan has no quantity to correct"});
        return;
    }
    const LastReceipt last = *m_lastReceipt;
    const std::string scan = last.request.scan;
    if (units == last.units) return; // the same quantity: nothing to do
    if (units <= 0 || units % last.unitsPerItem != 0) {
        m_receiveView.last = receiveRefused(scan, {"not_whole_items", "the label of " + last.sku + " stands for " +
                                                                          std::to_string(last.unitsPerItem) + " units: enter a multiple of " +
                                                                          std::to_string(last.unitsPerItem) + " (more than 0)"});
        m_lastReceipt = last; // still correctable
        m_receiveView.correctable = true;
        return;
    }
    std::string why;
    if (!mayDo(ledger::Action::Undo, why)) {
        m_receiveView.last = receiveRefused(scan, receiveForbidden(why));
        return;
    }
    m_lastReceipt.reset();
    m_receiveView.correctable = false;
    m_receiveView.last.reset();
    // The receipt is taken back (its own reversing entries, and an undo op for the server),
    // then the corrected count is received as a new receipt of the same scan: one write job,
    // two transactions, in that order on the writer's connection.
    struct Corrected {
        std::optional<ledger::Error> undoError;
        std::optional<ReceiptRecorded> received;
    };
    ledger::ReceiptRequest request = last.request;
    request.count = units / last.unitsPerItem;
    const auto actor = cliActor(m_g);
    writeThen<Corrected>(
        ui::ScreenId::Receive,
        [request, actor](store::TerminalStore& s) -> Corrected {
            if (auto undone = s.undoLastReceipt(actor); !undone) return {undone.error(), std::nullopt};
            return {std::nullopt, recordReceipt(s, request, actor)};
        },
        [this, last, units, scan](Corrected c) {
            if (c.undoError) { // nothing changed: the receipt may still be corrected
                m_receiveView.last = receiveRefused(scan, *c.undoError);
                if (m_writing == 0 && m_screen == ui::ScreenId::Receive) {
                    m_lastReceipt = last;
                    m_receiveView.correctable = true;
                }
                return;
            }
            if (m_screen == ui::ScreenId::Receive) loadReceiveLists();
            ReceiptRecorded& received = *c.received;
            if (!received.shown) {
                ledger::Error e = received.shown.error();
                e.message = "the receipt of " + std::to_string(last.units) + " x " + last.sku + " was taken back, but " +
                            std::to_string(units) + " could not be received: " + e.message + "; scan the label again";
                m_receiveView.last = receiveRefused(scan, e);
                return;
            }
            received.shown->code = "corrected";
            received.shown->message = std::to_string(last.units) + " -> " + std::to_string(units) + " x " + last.sku;
            showReceipt(scan, std::move(received));
        });
}

} // namespace backfill::app
