#pragma once
// Sign-in for the commands that change stock or users (issue 10 item 1; docs/operations.md).

#include "app/Cli.h"
#include "ledger/Roles.h"
#include "store/TerminalStore.h"

namespace backfill::app {

// signIn decides who runs a command that performs `action`, right after the command opened
// the store and before it writes anything, and records it in g.signedInAs (cliActor names
// it in every event):
//  - without --operator, on a terminal that has no user at all: the built-in operator `cli`,
//    with every right (a fresh terminal works out of the box);
//  - without --operator once a user exists: auth_required;
//  - with --operator NAME: the PIN from the environment variable BACKFILL_PIN (never a flag:
//    flags show in `ps`), checked by store::Users::signIn (auth_required when BACKFILL_PIN is
//    unset or empty; unknown_user, bad_pin_format, bad_pin, locked), then the role by
//    ledger::allows (forbidden).
// Returns true when the command may go on. Otherwise it printed {"code","error"} to stderr
// and set exit status 5 (kExitAuth), or 3 for a database failure; nothing was written
// besides the user's failed-attempt count.
bool signIn(store::TerminalStore& store, GlobalOptions& g, ledger::Action action);

} // namespace backfill::app
