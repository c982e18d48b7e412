#pragma once
// Home: one big tile per workflow with the count of waiting work (UI.md "Home"). A tile of a
// screen not built (`built` false; none today) says "coming" and does nothing when tapped.

#include "ui/ScreenId.h"
#include "ui/UiContext.h"

#include <optional>
#include <string>
#include <vector>

namespace backfill::ui {

struct HomeTile {
    ScreenId screen = ScreenId::Receive;
    std::string title;            // "Receive"
    std::optional<long long> waiting; // waiting work; nullopt: not counted
    std::string waitingWord;      // what `waiting` counts: "to put away", "lines to pick"
    bool built = false;           // false: the tile says "coming"
};

struct HomeView {
    std::string operatorName;
    long long unsynced = -1;
    std::vector<HomeTile> tiles;        // in the order drawn, two per row
    std::optional<std::string> message; // last notice (a scan Home could not route, ...)
};

struct HomeInput {}; // Home keeps no widget state

struct HomeIntent {
    enum class Kind { None, Open, SignOut } kind = Kind::None;
    ScreenId screen = ScreenId::Home; // for Open
};

// homeTiles gives the six tiles in UI.md's order (Receive, Put away, Pick, Count, Stock,
// Sync), none counted, all built; the app fills in the counts.
std::vector<HomeTile> homeTiles();

// tileLines are the lines under a tile's title: the waiting work ("9 lines to pick") when
// counted, then "coming" when the screen is not built. tileLabel is the title and these lines
// joined by newlines ("Pick\n9 lines to pick\ncoming"), the label the tile is found by.
std::vector<std::string> tileLines(const HomeTile& tile);
std::string tileLabel(const HomeTile& tile);

// drawHomeScreen: tapping a built tile returns Open with its screen; "Sign out" returns
// SignOut.
HomeIntent drawHomeScreen(const HomeView& view, HomeInput& input, const UiContext& ctx);

} // namespace backfill::ui
