#include "ui/ScreenId.h"

#include <array>
#include <utility>

namespace backfill::ui {

namespace {
constexpr std::array<std::pair<ScreenId, std::string_view>, 8> kNames{{
    {ScreenId::SignIn, "signin"},
    {ScreenId::Home, "home"},
    {ScreenId::Receive, "receive"},
    {ScreenId::Putaway, "putaway"},
    {ScreenId::Pick, "pick"},
    {ScreenId::Count, "count"},
    {ScreenId::Stock, "stock"},
    {ScreenId::Sync, "sync"},
}};
} // namespace

std::string_view screenName(ScreenId screen)
{
    for (const auto& [id, name] : kNames)
        if (id == screen) return name;
    return "home";
}

std::optional<ScreenId> parseScreenName(std::string_view name)
{
    for (const auto& [id, n] : kNames)
        if (n == name) return id;
    return std::nullopt;
}

} // namespace backfill::ui
