#include "app/ScanJson.h"

namespace backfill::app {

Json elementsJson(const scan::Gs1Scan& scan)
{
    Json out = Json::array();
    for (const auto& e : scan.elements) {
        Json j{{"ai", e.ai}, {"value", e.value}};
        if (!e.known) j["known"] = false;
        if (e.date) j["date"] = *e.date;
        if (e.endDate) j["end_date"] = *e.endDate;
        if (e.time) j["time"] = *e.time;
        if (e.decimal) j["decimal"] = *e.decimal;
        if (e.currency) j["currency"] = *e.currency;
        out.push_back(std::move(j));
    }
    return out;
}

Json scanResultJson(std::string_view input, const ledger::Result<scan::Gs1Scan>& result)
{
    Json j;
    j["scan"] = std::string(input);
    if (!result) {
        j["ok"] = false;
        j["code"] = result.error().code;
        j["error"] = result.error().message;
        return j;
    }
    j["ok"] = true;
    j["kind"] = std::string(scan::scanKindName(result->kind));
    j["symbology"] = result->symbology ? Json(*result->symbology) : Json(nullptr);
    j["elements"] = elementsJson(*result);
    j["warnings"] = result->warnings;
    return j;
}

} // namespace backfill::app
