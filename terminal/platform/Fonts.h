#pragma once
// Fonts: DejaVu Sans from Debian's fonts-dejavu-core, loaded at run time (a package
// dependency, never a copy in the repository), at the sizes TouchMetrics names.

#include "ledger/Result.h"
#include "ui/TouchMetrics.h"
#include "ui/UiContext.h"

#include <imgui.h>

#include <string>

namespace backfill::platform {

// kDejaVuSans and kDejaVuSansBold: where fonts-dejavu-core installs them.
inline constexpr const char* kDejaVuSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
inline constexpr const char* kDejaVuSansBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

// loadFonts adds DejaVu Sans at metrics.fontPx (the default font) and DejaVu Sans Bold at
// metrics.resultFontPx to `atlas`, which must be empty. Fails with no_font naming the missing
// file and the package to install.
ledger::Result<ui::UiFonts> loadFonts(ImFontAtlas& atlas, const ui::TouchMetrics& metrics);

} // namespace backfill::platform
