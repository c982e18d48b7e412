#pragma once
// Operators and what their roles allow (issue 10, item 1). Domain rules, std only: the
// terminal's CLI and UI and, later, the server decide with the same table.
//
//   action          receiver  picker  supervisor
//   receive            yes      -        yes
//   move               yes     yes       yes
//   release quarantine -        -        yes
//   undo (own receipt) yes      -        yes
//   pick, short        -       yes       yes
//   count              -       yes       yes
//   approve/reject     -        -        yes
//   adjust             -        -        yes
//   import             -        -        yes
//   manage users       -        -        yes
//
// Reading (stock, backorders, history, user list, parse, decode) needs no role at all.

#include "ledger/Result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace backfill::ledger {

enum class Role { Receiver, Picker, Supervisor };

// Action is what a command does that needs a right. Undo means undoing one's own last
// receipt: whose receipt it is, is checked by the undo itself.
// Release is a move out of a quarantine location into one that is not (the units become
// allocatable again): a supervisor's decision (docs/operations.md, Moves and put-away).
enum class Action { Receive, Move, Undo, Pick, Short, Count, Approve, Adjust, Import, ManageUsers, Release };

// allows says whether an operator of `role` may perform `action` (the table above).
bool allows(Role role, Action action);

// roleName gives the CLI/JSON spelling: `receiver`, `picker`, `supervisor`.
std::string_view roleName(Role role);
// parseRole reads that spelling; nullopt for anything else (case matters).
std::optional<Role> parseRole(std::string_view text);
// actionName names an action in words for messages ("receive", "manage users").
std::string_view actionName(Action action);

// isValidPin: a PIN is 4 to 12 ASCII digits, nothing else (no sign, no spaces).
bool isValidPin(std::string_view pin);

// kMaxUserNameLength bounds an operator's name.
inline constexpr size_t kMaxUserNameLength = 32;
// kBuiltInOperator is the name commands run under while a terminal has no user at all; no
// user may take it, so the ledger never mixes the two.
inline constexpr std::string_view kBuiltInOperator = "cli";
// isValidUserName: 1 to kMaxUserNameLength characters of A-Z a-z 0-9 . _ -, starting with a
// letter or digit, and not kBuiltInOperator.
bool isValidUserName(std::string_view name);

// The rules of managing users, the same at a terminal (terminal/store/Users.cpp) and at the
// server (`backfilld user`), which is the master for an enrolled terminal's users:
// checkUserFormat refuses a name outside isValidUserName (bad_user_name) and a PIN outside
// isValidPin (bad_pin_format);
Result<void> checkUserFormat(std::string_view name, std::string_view pin);
// checkUserAdd refuses a name that exists (duplicate_user) and a first user (`users` == 0)
// who is not a supervisor (supervisor_required: nobody could manage the others);
Result<void> checkUserAdd(std::string_view name, Role role, int64_t users, bool exists);
// checkUserRemove refuses removing the only supervisor (`role`, among `supervisors`) while
// other users remain (last_supervisor). Removing the last user of all is allowed (commands
// then run as kBuiltInOperator again).
Result<void> checkUserRemove(std::string_view name, Role role, int64_t users, int64_t supervisors);

// Sign-in lockout: kMaxFailedSignIns wrong PINs in a row lock the user for kLockoutSeconds.
inline constexpr int kMaxFailedSignIns = 5;
inline constexpr int64_t kLockoutSeconds = 5 * 60;

} // namespace backfill::ledger
