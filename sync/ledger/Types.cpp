#include "ledger/Types.h"

#include <array>
#include <utility>

namespace backfill::ledger {

namespace {
constexpr std::array<std::pair<LocationKind, std::string_view>, 4> kLocationKinds{{
    {LocationKind::Receiving, "receiving"},
    {LocationKind::Storage, "storage"},
    {LocationKind::Staging, "staging"},
    {LocationKind::Quarantine, "quarantine"},
}};
constexpr std::array<std::pair<EventKind, std::string_view>, 8> kEventKinds{{
    {EventKind::Received, "received"},
    {EventKind::Allocated, "allocated"},
    {EventKind::Deallocated, "deallocated"},
    {EventKind::Picked, "picked"},
    {EventKind::Moved, "moved"},
    {EventKind::Counted, "counted"},
    {EventKind::Adjusted, "adjusted"},
    {EventKind::Held, "held"},
}};

template <class Table, class Enum>
std::string_view nameOf(const Table& table, Enum value)
{
    for (const auto& [v, name] : table)
        if (v == value) return name;
    return {};
}

template <class Enum, class Table>
std::optional<Enum> valueOf(const Table& table, std::string_view text)
{
    for (const auto& [v, name] : table)
        if (name == text) return v;
    return std::nullopt;
}
} // namespace

std::string_view locationKindName(LocationKind kind) { return nameOf(kLocationKinds, kind); }
std::optional<LocationKind> parseLocationKind(std::string_view text) { return valueOf<LocationKind>(kLocationKinds, text); }
std::string_view eventKindName(EventKind kind) { return nameOf(kEventKinds, kind); }
std::optional<EventKind> parseEventKind(std::string_view text) { return valueOf<EventKind>(kEventKinds, text); }

} // namespace backfill::ledger
