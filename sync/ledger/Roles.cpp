#include "ledger/Roles.h"

#include <string>

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

Result<void> checkUserFormat(std::string_view name, std::string_view pin)
{
    const std::string n(name);
    if (!isValidUserName(name))
        return fail("bad_user_name", "'" + n + "' is not a user name: 1 to " + std::to_string(kMaxUserNameLength) +
                                         " letters, digits, '.', '_' or '-', starting with a letter or digit, and not '" +
                                         std::string(kBuiltInOperator) + "'");
    if (!isValidPin(pin)) return fail("bad_pin_format", "the PIN for '" + n + "' must be 4 to 12 digits");
    return {};
}

Result<void> checkUserAdd(std::string_view name, Role role, int64_t users, bool exists)
{
    const std::string n(name);
    if (exists) return fail("duplicate_user", "user '" + n + "' already exists: remove it first to change it");
    if (users == 0 && role != Role::Supervisor)
        return fail("supervisor_required", "the first user must be a supervisor (who can then add '" + n + "'): add a supervisor first");
    return {};
}

Result<void> checkUserRemove(std::string_view name, Role role, int64_t users, int64_t supervisors)
{
    if (role == Role::Supervisor && supervisors == 1 && users > 1) {
        // Built by appending: GCC 12 at -O3 warns (-Wrestrict, a known false positive) on
        // "'" + std::string(...) + ...
        std::string message = "'";
        message.append(name).append("' is the last supervisor and ").append(std::to_string(users - 1));
        message.append(" other users remain: add another supervisor first, or remove the others");
        return fail("last_supervisor", message);
    }
    return {};
}

} // namespace backfill::ledger
