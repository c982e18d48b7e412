#include "ledger/Notifications.h"

#include <algorithm>
#include <array>

namespace backfill::ledger {

namespace {

constexpr std::array<std::pair<NoticeKind, std::string_view>, 5> kNames{{
    {NoticeKind::EtaFirst, "eta_first"},
    {NoticeKind::EtaChanged, "eta_changed"},
    {NoticeKind::EtaWithdrawn, "eta_withdrawn"},
    {NoticeKind::Allocated, "allocated"},
    {NoticeKind::BackInStock, "back_in_stock"},
}};

// oneLine turns line breaks and tabs (a description may hold them) into single spaces.
std::string oneLine(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        const bool space = c == '\n' || c == '\r' || c == '\t';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out.push_back(space ? ' ' : c);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::string units(Qty n) { return std::to_string(n) + (n == 1 ? " unit" : " units"); }

} // namespace

std::string_view noticeKindName(NoticeKind kind)
{
    for (const auto& [k, name] : kNames)
        if (k == kind) return name;
    return {};
}

std::optional<NoticeKind> parseNoticeKind(std::string_view text)
{
    for (const auto& [k, name] : kNames)
        if (name == text) return k;
    return std::nullopt;
}

EtaDecision decideEta(const EtaMemory& memory, std::optional<Date> eta, Date today)
{
    EtaDecision d;
    d.memory = memory;
    if (!memory.told) {
        if (!eta) return d;
        d.notice = NoticeKind::EtaFirst;
        d.memory = {true, eta, today};
        return d;
    }
    if (eta == memory.toldEta) return d;
    if (memory.lastMessageDay == today) {
        d.deferred = true;
        return d;
    }
    d.notice = eta ? NoticeKind::EtaChanged : NoticeKind::EtaWithdrawn;
    d.memory = {true, eta, today};
    return d;
}

MailText renderNotice(const Notice& n)
{
    MailText m;
    const std::string product = n.sku + (n.description.empty() ? "" : " (" + oneLine(n.description) + ")");
    const std::string orderLine = "Order " + n.orderId + ", line " + std::to_string(n.line);
    std::string body = n.customer.empty() ? "Hello,\n\n" : "Hello " + oneLine(n.customer) + ",\n\n";
    switch (n.kind) {
    case NoticeKind::EtaFirst:
        m.subject = "Order " + n.orderId + ": expected " + formatDate(*n.eta);
        body += "The goods you are waiting for now have a date.\n\n" + orderLine + ": " + product + "\n" +
                "Quantity: " + units(n.qty) + " of " + std::to_string(n.lineQty) + " ordered still to come\n" +
                "Expected at our warehouse: " + formatDate(*n.eta) + "\n";
        break;
    case NoticeKind::EtaChanged:
        m.subject = "Order " + n.orderId + ": new date " + formatDate(*n.eta);
        body += "The date of the goods you are waiting for has changed.\n\n" + orderLine + ": " + product + "\n" +
                "Quantity: " + units(n.qty) + " of " + std::to_string(n.lineQty) + " ordered still to come\n" +
                "Expected at our warehouse: " + formatDate(*n.eta) +
                (n.previousEta ? " (before: " + formatDate(*n.previousEta) + ")" : std::string(" (before: no date)")) + "\n";
        break;
    case NoticeKind::EtaWithdrawn:
        m.subject = "Order " + n.orderId + ": no date yet";
        body += "We can no longer promise the date we gave you: the goods are out of stock and no delivery we "
                "expect covers them yet. We will write again as soon as we have a date.\n\n" +
                orderLine + ": " + product + "\n" + "Quantity: " + units(n.qty) + " of " + std::to_string(n.lineQty) +
                " ordered still to come\n" +
                (n.previousEta ? "Date given before: " + formatDate(*n.previousEta) + "\n" : std::string());
        break;
    case NoticeKind::Allocated:
        m.subject = "Order " + n.orderId + ": goods arrived";
        body += "Goods for your order arrived at our warehouse and are set aside for you.\n\n" + orderLine + ": " +
                product + "\n" + "Quantity: " + units(n.qty) + " of " + std::to_string(n.lineQty) + " ordered\n" +
                "Arrived: " + formatDate(n.day) + "\n";
        break;
    case NoticeKind::BackInStock:
        m.subject = n.sku + " is back in stock";
        body += "A product you asked us to watch is back in stock.\n\nProduct: " + product + "\n" +
                "Quantity available: " + units(n.qty) + "\n" + "In stock since: " + formatDate(n.day) + "\n";
        break;
    }
    body += "\n-- \n" + std::string(kUnsubscribeLine) + "\n";
    m.body = std::move(body);
    return m;
}

std::string normalizeEmail(std::string_view email)
{
    size_t b = 0, e = email.size();
    while (b < e && (email[b] == ' ' || email[b] == '\t')) ++b;
    while (e > b && (email[e - 1] == ' ' || email[e - 1] == '\t')) --e;
    std::string out(email.substr(b, e - b));
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

int64_t retryDelaySeconds(int64_t attempts)
{
    int64_t delay = 60;
    for (int64_t i = 1; i < attempts && delay < 3600; ++i) delay *= 2;
    return std::min<int64_t>(delay, 3600);
}

} // namespace backfill::ledger
