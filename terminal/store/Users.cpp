#include "store/Users.h"

#include "pin/PinHash.h"
#include "store/Outbox.h"

#include <nlohmann/json.hpp>

#include <optional>

namespace backfill::store {

using ledger::Role;
using ledger::unexpected;

#define RETURN_IF_ERROR(expr)                                                                                          \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return ::backfill::ledger::unexpected(r_.error());                                  \
    } while (0)

namespace {

using pin::hashPin;
using pin::pinMatches;

Error unknownUser(const std::string& name)
{
    return Error{"unknown_user", "no user '" + name + "' on this terminal: `backfill user list` shows who there is"};
}

Role roleOf(const Statement& r, int column)
{
    // The CHECK constraint of the users table allows only the three spellings.
    return ledger::parseRole(r.columnText(column)).value_or(Role::Receiver);
}

struct Stored {
    Role role = Role::Receiver;
    std::string hash;
    int64_t failed = 0;
    int64_t lockedUntil = 0;
};

Result<std::optional<Stored>> readUser(Database& db, const std::string& name)
{
    std::optional<Stored> user;
    RETURN_IF_ERROR(db.prepare("SELECT role, pin_hash, failed, locked_until FROM users WHERE name = ?")
                        .bind(1, name)
                        .first([&](const Statement& r) {
                            user = Stored{roleOf(r, 0), r.columnText(1), r.columnInt(2), r.columnInt(3)};
                        }));
    return user;
}

Error lockedError(const std::string& name, int64_t lockedUntil)
{
    return Error{"locked", "user '" + name + "' is locked after " + std::to_string(ledger::kMaxFailedSignIns) +
                               " wrong PINs in a row until " + ledger::formatTimestamp(lockedUntil) +
                               ": try again then"};
}

} // namespace

Result<bool> Users::any()
{
    Database::Operation op(m_db, "reading the users");
    bool found = false;
    RETURN_IF_ERROR(m_db.prepare("SELECT EXISTS(SELECT 1 FROM users)").first([&](const Statement& r) {
        found = r.columnInt(0) != 0;
    }));
    return found;
}

Result<std::vector<UserRow>> Users::list()
{
    Database::Operation op(m_db, "listing the users");
    std::vector<UserRow> rows;
    // BINARY collation: sorted by name bytewise, like every other list.
    auto& s = m_db.prepare("SELECT name, role FROM users ORDER BY name");
    while (s.step()) rows.push_back(UserRow{s.columnText(0), roleOf(s, 1)});
    if (s.lastError()) return unexpected(*s.lastError());
    return rows;
}

Result<void> Users::add(const std::string& name, Role role, const std::string& pin, const Actor& by)
{
    RETURN_IF_ERROR(ledger::checkUserFormat(name, pin));
    // The slow hash runs before the write lock is taken: other processes' scans do not wait.
    auto hash = hashPin(pin);
    if (!hash) return unexpected(hash.error());

    Database::Operation op(m_db, "adding a user");
    auto tx = Transaction::begin(m_db);
    if (!tx) return unexpected(tx.error());
    int64_t users = 0;
    bool exists = false;
    RETURN_IF_ERROR(m_db.prepare("SELECT COUNT(*), COUNT(*) FILTER (WHERE name = ?) FROM users")
                        .bind(1, name)
                        .first([&](const Statement& r) {
                            users = r.columnInt(0);
                            exists = r.columnInt(1) != 0;
                        }));
    RETURN_IF_ERROR(ledger::checkUserAdd(name, role, users, exists));
    RETURN_IF_ERROR(m_db.prepare("INSERT INTO users(name, role, pin_hash, created_at) VALUES(?, ?, ?, ?)")
                        .bind(1, name)
                        .bind(2, ledger::roleName(role))
                        .bind(3, *hash)
                        .bind(4, by.at)
                        .run());
    const nlohmann::ordered_json payload{{"name", name}, {"role", ledger::roleName(role)}, {"by", by.operatorName}};
    RETURN_IF_ERROR(appendOutboxOp(m_db, "user_add", payload.dump(), by.at));
    return tx->commit();
}

Result<void> Users::remove(const std::string& name, const Actor& by)
{
    Database::Operation op(m_db, "removing a user");
    auto tx = Transaction::begin(m_db);
    if (!tx) return unexpected(tx.error());
    std::optional<Role> role;
    RETURN_IF_ERROR(m_db.prepare("SELECT role FROM users WHERE name = ?").bind(1, name).first([&](const Statement& r) {
        role = roleOf(r, 0);
    }));
    if (!role) return unexpected(unknownUser(name));
    int64_t users = 0, supervisors = 0;
    RETURN_IF_ERROR(m_db.prepare("SELECT COUNT(*), COUNT(*) FILTER (WHERE role = 'supervisor') FROM users")
                        .first([&](const Statement& r) {
                            users = r.columnInt(0);
                            supervisors = r.columnInt(1);
                        }));
    RETURN_IF_ERROR(ledger::checkUserRemove(name, *role, users, supervisors));
    RETURN_IF_ERROR(m_db.prepare("DELETE FROM users WHERE name = ?").bind(1, name).run());
    const nlohmann::ordered_json payload{{"name", name}, {"by", by.operatorName}};
    RETURN_IF_ERROR(appendOutboxOp(m_db, "user_remove", payload.dump(), by.at));
    return tx->commit();
}

Result<Role> Users::signIn(const std::string& name, const std::string& pin, ledger::Timestamp now)
{
    Database::Operation op(m_db, "signing in");
    auto before = readUser(m_db, name);
    if (!before) return unexpected(before.error());
    if (!*before) return unexpected(unknownUser(name));
    if (now < (*before)->lockedUntil) return unexpected(lockedError(name, (*before)->lockedUntil));
    if (!ledger::isValidPin(pin))
        return ledger::fail("bad_pin_format", "BACKFILL_PIN must hold the PIN of '" + name + "': 4 to 12 digits");

    // The slow check runs outside the write lock; the count is then updated against the row
    // as it is now, so wrong PINs tried at once by several processes are all counted.
    const bool right = pinMatches((*before)->hash, pin);

    auto tx = Transaction::begin(m_db);
    if (!tx) return unexpected(tx.error());
    auto user = readUser(m_db, name);
    if (!user) return unexpected(user.error());
    if (!*user) return unexpected(unknownUser(name));
    if (now < (*user)->lockedUntil) return unexpected(lockedError(name, (*user)->lockedUntil));
    if (right && (*user)->hash == (*before)->hash) {
        if ((*user)->failed != 0) {
            RETURN_IF_ERROR(m_db.prepare("UPDATE users SET failed = 0 WHERE name = ?").bind(1, name).run());
            RETURN_IF_ERROR(tx->commit());
        }
        return (*user)->role;
    }
    const int64_t failed = (*user)->failed + 1;
    const bool lock = failed >= ledger::kMaxFailedSignIns;
    RETURN_IF_ERROR(m_db.prepare("UPDATE users SET failed = ?, locked_until = ? WHERE name = ?")
                        .bind(1, lock ? 0 : failed)
                        .bind(2, lock ? now + ledger::kLockoutSeconds : (*user)->lockedUntil)
                        .bind(3, name)
                        .run());
    RETURN_IF_ERROR(tx->commit());
    if (lock)
        return ledger::fail("bad_pin", "wrong PIN for '" + name + "': " + std::to_string(ledger::kMaxFailedSignIns) +
                                           " in a row, the user is locked until " +
                                           ledger::formatTimestamp(now + ledger::kLockoutSeconds));
    const int64_t left = ledger::kMaxFailedSignIns - failed;
    return ledger::fail("bad_pin", "wrong PIN for '" + name + "': " + std::to_string(left) + " more " +
                                       (left == 1 ? "try" : "tries") + " before the user is locked for " +
                                       std::to_string(ledger::kLockoutSeconds / 60) + " minutes");
}

} // namespace backfill::store
