#include "platform/Fonts.h"

#include <filesystem>

namespace backfill::platform {

ledger::Result<ui::UiFonts> loadFonts(ImFontAtlas& atlas, const ui::TouchMetrics& metrics)
{
    for (const char* path : {kDejaVuSans, kDejaVuSansBold}) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            return ledger::fail("no_font", std::string(path) + ": font file missing; install the Debian package fonts-dejavu-core");
    }
    ui::UiFonts fonts;
    fonts.body = atlas.AddFontFromFileTTF(kDejaVuSans, metrics.fontPx);
    fonts.result = atlas.AddFontFromFileTTF(kDejaVuSansBold, metrics.resultFontPx);
    if (!fonts.body || !fonts.result)
        return ledger::fail("no_font", std::string(kDejaVuSans) + ": cannot be read as a TrueType font; reinstall fonts-dejavu-core");
    return fonts;
}

} // namespace backfill::platform
