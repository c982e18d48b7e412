#include "server/Users.h"

#include "pin/PinHash.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace backfill::server {

using ledger::unexpected;

ledger::Result<void> addUser(ServerStore& store, std::string_view name, ledger::Role role, std::string_view pin)
{
    if (auto ok = ledger::checkUserFormat(name, pin); !ok) return ok;
    // The slow hash runs before the write lock: pushes do not wait for it.
    auto hash = pin::hashPin(std::string(pin));
    if (!hash) return unexpected(hash.error());
    std::optional<ledger::Error> refused;
    auto done = store.transact("adding a user", [&]() -> ledger::Result<void> {
        auto users = store.users();
        if (!users) return unexpected(users.error());
        const bool exists = std::any_of(users->begin(), users->end(), [&](const UserRecord& u) { return u.name == name; });
        if (auto ok = ledger::checkUserAdd(name, role, static_cast<int64_t>(users->size()), exists); !ok) {
            refused = ok.error();
            return {};
        }
        const UserRecord user{std::string(name), role, *hash};
        if (auto r = store.saveUser(user); !r) return r;
        const nlohmann::ordered_json entry{{"name", user.name}, {"role", ledger::roleName(role)}, {"pin_hash", user.pinHash}};
        auto seq = store.appendLog("user", entry.dump());
        if (!seq) return unexpected(seq.error());
        return {};
    });
    if (!done) return done;
    if (refused) return unexpected(*refused);
    return {};
}

ledger::Result<void> removeUser(ServerStore& store, std::string_view name)
{
    std::optional<ledger::Error> refused;
    auto done = store.transact("removing a user", [&]() -> ledger::Result<void> {
        auto users = store.users();
        if (!users) return unexpected(users.error());
        const auto it = std::find_if(users->begin(), users->end(), [&](const UserRecord& u) { return u.name == name; });
        if (it == users->end()) {
            refused = ledger::Error{"unknown_user", "no user '" + std::string(name) + "' at the server: `backfilld user list` shows who there is"};
            return {};
        }
        const auto supervisors = std::count_if(users->begin(), users->end(), [](const UserRecord& u) { return u.role == ledger::Role::Supervisor; });
        if (auto ok = ledger::checkUserRemove(name, it->role, static_cast<int64_t>(users->size()), supervisors); !ok) {
            refused = ok.error();
            return {};
        }
        auto removed = store.removeUser(name);
        if (!removed) return unexpected(removed.error());
        auto seq = store.appendLog("user_removed", nlohmann::ordered_json{{"name", std::string(name)}}.dump());
        if (!seq) return unexpected(seq.error());
        return {};
    });
    if (!done) return done;
    if (refused) return unexpected(*refused);
    return {};
}

} // namespace backfill::server
