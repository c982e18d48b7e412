#include "ui/WedgeInput.h"

#include <algorithm>

namespace backfill::ui {

void WedgeInput::press(ImGuiIO& io, int code)
{
    if (code < 0 || code >= static_cast<int>(IM_ARRAYSIZE(io.KeysDown))) return;
    io.KeysDown[code] = true;
    if (std::find(m_pressed.begin(), m_pressed.end(), code) == m_pressed.end()) m_pressed.push_back(code);
}

std::vector<scan::Scan> WedgeInput::deliver(const std::vector<scan::WedgeOutput>& outputs, ImGuiIO& io)
{
    for (int code : m_pressed)
        if (code >= 0 && code < static_cast<int>(IM_ARRAYSIZE(io.KeysDown))) io.KeysDown[code] = false;
    m_pressed.clear();

    std::vector<scan::Scan> scans;
    for (const auto& out : outputs) {
        if (const auto* s = std::get_if<scan::Scan>(&out)) {
            scans.push_back(*s);
            continue;
        }
        for (const auto& key : std::get<scan::Typed>(out).keys) {
            switch (key.kind) {
            case scan::KeyKind::Char: io.AddInputCharacter(static_cast<unsigned int>(key.ch)); break;
            case scan::KeyKind::Enter: press(io, io.KeyMap[ImGuiKey_Enter]); break;
            case scan::KeyKind::Tab: press(io, io.KeyMap[ImGuiKey_Tab]); break;
            case scan::KeyKind::Backspace: press(io, io.KeyMap[ImGuiKey_Backspace]); break;
            // A lone Ctrl+] typed by hand is no character a field could take.
            case scan::KeyKind::GroupSeparator: break;
            case scan::KeyKind::Other: press(io, key.otherKey); break;
            }
        }
    }
    return scans;
}

} // namespace backfill::ui
