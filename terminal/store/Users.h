#pragma once
// Users: the operators who may sign in at this terminal, each with a role and a PIN (issue 10,
// item 1; the rules are in docs/operations.md, the role table in ledger/Roles.h).
//
// A PIN is kept only as libsodium's crypto_pwhash_str (Argon2id, a random salt per user,
// 2 passes over 19 MiB: about 0.03 s per check on a PC, an estimated 0.1-0.3 s on a
// handheld; why in pin/PinHash.cpp and docs/operations.md). The hash is never printed; the
// outbox ops of user changes carry the name, the role and who made the change. An enrolled
// terminal's users come from the server's log, hashes included (TerminalStoreSync.cpp), and
// its own user admin is refused (`enrolled`, terminal/app/CmdUser.cpp).
//
// Lockout: kMaxFailedSignIns wrong PINs in a row lock the user for kLockoutSeconds. The wrong
// PIN that reaches the limit answers bad_pin and locks; until the lock ends every attempt,
// even with the right PIN, answers locked and counts nothing (the lock is not extended).
// When a lock is set the count starts again, so after it the user has kMaxFailedSignIns tries
// again. A right PIN resets the count.

#include "ledger/Result.h"
#include "ledger/Roles.h"
#include "store/Database.h"
#include "store/TerminalStore.h"

#include <string>
#include <vector>

namespace backfill::store {

// UserRow is what may be shown of a user: never the hash.
struct UserRow {
    std::string name;
    ledger::Role role = ledger::Role::Receiver;
};

class Users {
public:
    explicit Users(Database& db) : m_db(db) {}

    // any says whether the terminal has at least one user (without one, commands run as the
    // built-in operator `cli` with every right).
    Result<bool> any();

    // list gives every user sorted by name bytewise.
    Result<std::vector<UserRow>> list();

    // add creates a user with the PIN's hash and writes a `user_add` outbox op, in one
    // transaction, done by `by` at by.at. Refused with nothing written: bad_user_name
    // (ledger::isValidUserName), bad_pin_format (ledger::isValidPin), duplicate_user, and
    // supervisor_required when the terminal has no user yet and `role` is not supervisor
    // (the first user must be able to manage the others). hash_failed when libsodium cannot
    // hash (out of memory).
    Result<void> add(const std::string& name, ledger::Role role, const std::string& pin, const Actor& by);

    // remove deletes a user and writes a `user_remove` outbox op, in one transaction. Refused
    // with nothing written: unknown_user; last_supervisor when `name` is the only supervisor
    // and other users remain (nobody could manage them any more). Removing the last user
    // of all is allowed: the terminal is then fresh again (operator `cli`).
    Result<void> remove(const std::string& name, const Actor& by);

    // signIn checks `pin` for user `name` at time `now` and gives the user's role. Refusals:
    // unknown_user, bad_pin_format (not counted: it can never be right), locked (while
    // locked_until > now; nothing counted), bad_pin (counted; the one that reaches the limit
    // also locks). Only the failed-attempt count and the lock are ever written, and only by
    // a wrong PIN (count up, lock) or a right one after wrong ones (count reset).
    Result<ledger::Role> signIn(const std::string& name, const std::string& pin, ledger::Timestamp now);

private:
    Database& m_db;
};

} // namespace backfill::store
