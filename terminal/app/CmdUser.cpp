// backfill user add NAME --role receiver|picker|supervisor [--pin PIN]
// backfill user list
// backfill user remove NAME
//
// Operators of this terminal (store/Users.h, docs/operations.md). `add` and `remove` need a
// supervisor once any user exists (SignIn.h); `list` only reads and shows no hash. Refusals
// print {"code","error"} to stderr with exit status 5.

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "app/SignIn.h"
#include "app/StdinLines.h"
#include "store/Users.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

namespace backfill::app {

namespace {

struct UserArgs {
    std::string name;
    std::string role;
    std::optional<std::string> pin;
};

// finish reports `e` the CLI way: a database failure is exit 3, a refusal exit 5.
void finish(GlobalOptions& g, const ledger::Error& e)
{
    printError(e);
    g.exitCode = isStoreFailure(e) || e.code == "hash_failed" || e.code == "input_failed" ? kExitFailure : kExitAuth;
}

// EchoOff hides what is typed while it lives, when stdin is a terminal (a PIN typed by hand).
class EchoOff {
public:
    EchoOff()
    {
        if (!::isatty(0) || ::tcgetattr(0, &m_saved) != 0) return;
        termios quiet = m_saved;
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        m_active = ::tcsetattr(0, TCSAFLUSH, &quiet) == 0;
    }
    ~EchoOff()
    {
        if (!m_active) return;
        ::tcsetattr(0, TCSAFLUSH, &m_saved);
        std::fputc('\n', stderr);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    termios m_saved{};
    bool m_active = false;
};

// readPin takes the PIN from --pin, else from the first line of stdin (which is how a script
// keeps it out of `ps`). The format is checked by Users::add.
ledger::Result<std::string> readPin(const UserArgs& args)
{
    if (args.pin) return *args.pin;
    if (::isatty(0)) std::fputs("PIN: ", stderr);
    EchoOff echoOff;
    StdinLines input;
    InputLine line;
    auto got = input.next(line);
    if (!got) return ledger::unexpected(got.error());
    if (!*got || line.text.empty())
        return ledger::fail("bad_pin_format", "no PIN for '" + args.name + "': give --pin or one line on stdin, 4 to 12 digits");
    if (line.tooLong) return ledger::fail("bad_pin_format", "the PIN for '" + args.name + "' must be 4 to 12 digits");
    return line.text;
}

// refuseEnrolled: an enrolled terminal keeps no users of its own; they come from the server
// (issue 11: `backfilld user add|remove`, then `backfill sync`). Exit 1 like import.
bool refuseEnrolled(GlobalOptions& g, store::TerminalStore& store)
{
    auto enrolled = store.enrolled();
    if (!enrolled) {
        finish(g, enrolled.error());
        return true;
    }
    if (!*enrolled) return false;
    printError("enrolled", "this terminal is enrolled at a server, which is the master for its users: use `backfilld user add|remove` "
                           "there, then run `backfill sync`");
    g.exitCode = kExitRejected;
    return true;
}

void runAdd(GlobalOptions& g, const UserArgs& args)
{
    auto store = openStore(g, Access::Write);
    if (!store) return;
    if (refuseEnrolled(g, *store)) return;
    if (!signIn(*store, g, ledger::Action::ManageUsers)) return;
    const auto role = ledger::parseRole(args.role);
    if (!role) return finish(g, {"bad_role", "'" + args.role + "' is not a role: receiver, picker or supervisor"});
    auto pin = readPin(args);
    if (!pin) return finish(g, pin.error());
    store::Users users(store->database());
    if (auto r = users.add(args.name, *role, *pin, cliActor(g)); !r) return finish(g, r.error());
    printJson(Json{{"name", args.name}, {"role", ledger::roleName(*role)}});
}

void runRemove(GlobalOptions& g, const UserArgs& args)
{
    auto store = openStore(g, Access::Write);
    if (!store) return;
    if (refuseEnrolled(g, *store)) return;
    if (!signIn(*store, g, ledger::Action::ManageUsers)) return;
    store::Users users(store->database());
    if (auto r = users.remove(args.name, cliActor(g)); !r) return finish(g, r.error());
    printJson(Json{{"name", args.name}, {"removed", true}});
}

void runList(GlobalOptions& g)
{
    auto store = openStore(g, Access::Read);
    if (!store) return;
    store::Users users(store->database());
    auto rows = users.list();
    if (!rows) return finish(g, rows.error());
    Json out = Json::array();
    for (const auto& u : *rows) out.push_back(Json{{"name", u.name}, {"role", ledger::roleName(u.role)}});
    printJson(out);
}

} // namespace

void registerUserCommand(CLI::App& app, GlobalOptions& g)
{
    auto* cmd = app.add_subcommand("user", "operators of this terminal and their roles");
    cmd->require_subcommand(1);
    auto args = std::make_shared<UserArgs>();

    auto* add = cmd->add_subcommand("add", "add an operator (PIN from --pin or one line on stdin)");
    add->add_option("NAME", args->name, "user name: letters, digits, '.', '_', '-'")->required();
    add->add_option("--role", args->role, "receiver, picker or supervisor")->required();
    add->add_option("--pin", args->pin, "4 to 12 digits (default: one line read from stdin)");
    add->callback([&g, args] { runAdd(g, *args); });

    auto* list = cmd->add_subcommand("list", "list operators as JSON [{\"name\",\"role\"}] sorted by name");
    list->callback([&g] { runList(g); });

    auto* remove = cmd->add_subcommand("remove", "remove an operator");
    remove->add_option("NAME", args->name, "user name")->required();
    remove->callback([&g, args] { runRemove(g, *args); });
}

} // namespace backfill::app
