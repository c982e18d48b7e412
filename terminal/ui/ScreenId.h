#pragma once
// ScreenId names the terminal's screens; `--start NAME` and the Home tiles use these names.

#include <optional>
#include <string_view>

namespace backfill::ui {

enum class ScreenId { SignIn, Home, Receive, Putaway, Pick, Count, Stock, Sync };

// screenName gives the spelling of --start: signin, home, receive, putaway, pick, count,
// stock, sync. parseScreenName reads it (nullopt for anything else).
std::string_view screenName(ScreenId screen);
std::optional<ScreenId> parseScreenName(std::string_view name);

} // namespace backfill::ui
