#include "ledger/Roles.h"

namespace backfill::ledger {

bool allows(Role role, Action action)
{
    switch (role) {
    case Role::Supervisor:
        return true;
    case Role::Receiver:
        return action == Action::Receive || action == Action::Move || action == Action::Undo;
    case Role::Picker:
        return action == Action::Pick || action == Action::Short || action == Action::Move || action == Action::Count;
    }
    return false;
}

std::string_view roleName(Role role)
{
    switch (role) {
    case Role::Receiver: return "receiver";
    case Role::Picker: return "picker";
    case Role::Supervisor: return "supervisor";
    }
    return "receiver";
}

std::optional<Role> parseRole(std::string_view text)
{
    for (Role r : {Role::Receiver, Role::Picker, Role::Supervisor})
        if (roleName(r) == text) return r;
    return std::nullopt;
}

std::string_view actionName(Action action)
{
    switch (action) {
    case Action::Receive: return "receive";
    case Action::Move: return "move";
    case Action::Undo: return "undo";
    case Action::Pick: return "pick";
    case Action::Short: return "short pick";
    case Action::Count: return "count";
    case Action::Approve: return "approve or reject counts";
    case Action::Adjust: return "adjust";
    case Action::Import: return "import master data";
    case Action::ManageUsers: return "manage users";
    case Action::Release: return "release stock from quarantine";
    }
    return "act";
}

bool isValidPin(std::string_view pin)
{
    if (pin.size() < 4 || pin.size() > 12) return false;
    for (char c : pin)
        if (c < '0' || c > '9') return false;
    return true;
}

bool isValidUserName(std::string_view name)
{
    if (name.empty() || name.size() > kMaxUserNameLength || name == kBuiltInOperator) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
    if (!alnum(name.front())) return false;
    for (char c : name)
        if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
    return true;
}

} // namespace backfill::ledger
