#include "ledger/Roles.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <utility>

using namespace backfill::ledger;

namespace {

constexpr Action kAllActions[] = {Action::Receive, Action::Move,    Action::Undo,   Action::Pick,   Action::Short,
                                  Action::Count,   Action::Approve, Action::Adjust, Action::Import, Action::ManageUsers,
                                  Action::Release};

} // namespace

TEST_CASE("each role allows exactly the actions of issue 10")
{
    // The whole table, written out: a change to any cell fails here.
    const std::set<std::pair<Role, Action>> allowed{
        {Role::Receiver, Action::Receive}, {Role::Receiver, Action::Move}, {Role::Receiver, Action::Undo},
        {Role::Picker, Action::Pick},      {Role::Picker, Action::Short},  {Role::Picker, Action::Move},
        {Role::Picker, Action::Count},
    };
    for (Action a : kAllActions) {
        INFO("action " << actionName(a));
        CHECK(allows(Role::Supervisor, a));
        CHECK(allows(Role::Receiver, a) == allowed.count({Role::Receiver, a}));
        CHECK(allows(Role::Picker, a) == allowed.count({Role::Picker, a}));
    }
    CHECK_FALSE(allows(Role::Receiver, Action::Pick));
    CHECK_FALSE(allows(Role::Picker, Action::Receive));
    CHECK_FALSE(allows(Role::Picker, Action::Import));
    CHECK_FALSE(allows(Role::Receiver, Action::ManageUsers));
    CHECK_FALSE(allows(Role::Picker, Action::Approve));
    CHECK_FALSE(allows(Role::Receiver, Action::Release));
}

TEST_CASE("role names round trip and nothing else parses")
{
    for (Role r : {Role::Receiver, Role::Picker, Role::Supervisor}) CHECK(parseRole(roleName(r)) == r);
    CHECK(roleName(Role::Supervisor) == "supervisor");
    CHECK_FALSE(parseRole("Supervisor"));
    CHECK_FALSE(parseRole("admin"));
    CHECK_FALSE(parseRole(""));
    CHECK_FALSE(parseRole("picker "));
    std::set<std::string_view> names;
    for (Action a : kAllActions) names.insert(actionName(a));
    CHECK(names.size() == std::size(kAllActions));
}

TEST_CASE("a PIN is 4 to 12 digits")
{
    CHECK(isValidPin("1234"));
    CHECK(isValidPin("000000000000"));
    CHECK(isValidPin("0000"));
    CHECK_FALSE(isValidPin("123"));
    CHECK_FALSE(isValidPin("1234567890123"));
    CHECK_FALSE(isValidPin(""));
    CHECK_FALSE(isValidPin("12a4"));
    CHECK_FALSE(isValidPin(" 1234"));
    CHECK_FALSE(isValidPin("-1234"));
    CHECK_FALSE(isValidPin(std::string("12\0" "34", 5)));
}

TEST_CASE("user names: letters, digits and . _ -, never the built-in cli")
{
    CHECK(isValidUserName("alice"));
    CHECK(isValidUserName("HH-03.night_shift"));
    CHECK(isValidUserName("7"));
    CHECK(isValidUserName(std::string(kMaxUserNameLength, 'a')));
    CHECK_FALSE(isValidUserName(std::string(kMaxUserNameLength + 1, 'a')));
    CHECK_FALSE(isValidUserName(""));
    CHECK_FALSE(isValidUserName("cli"));
    CHECK(isValidUserName("CLI")); // names are case-sensitive; only the exact built-in name is taken
    CHECK_FALSE(isValidUserName("-alice"));
    CHECK_FALSE(isValidUserName(".alice"));
    CHECK_FALSE(isValidUserName("al ice"));
    CHECK_FALSE(isValidUserName("al\"ice"));
    CHECK_FALSE(isValidUserName("ålice"));
}

TEST_CASE("lockout: five wrong PINs, five minutes")
{
    CHECK(kMaxFailedSignIns == 5);
    CHECK(kLockoutSeconds == 300);
}
