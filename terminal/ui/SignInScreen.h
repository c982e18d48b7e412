#pragma once
// Sign-in: choose the operator, enter the PIN on a large keypad, sign in (issue 12 item 1).
// The screen decides nothing: it returns SignInIntent::SignIn with the name and PIN, the app
// asks store::Users and shows the refusal it got back in SignInView::message.

#include "ui/UiContext.h"

#include <optional>
#include <string>
#include <vector>

namespace backfill::ui {

// SignInMessage: why the last attempt was refused. `code` is the store's error code
// (bad_pin, locked, forbidden, unknown_user, bad_pin_format, ...), `text` its message.
struct SignInMessage {
    std::string code;
    std::string text;
};

struct SignInView {
    std::vector<std::string> operators; // users of this terminal, sorted (store::Users::list)
    std::optional<SignInMessage> message;
    bool checking = false; // a sign-in is being checked (off the main thread): "Checking ...",
                           // no operator, key or "Sign in" takes a tap until its result
};

// SignInInput is the screen's widget state: the chosen operator and the PIN typed so far.
struct SignInInput {
    std::string operatorName; // empty: none chosen yet
    std::string pin;
};

struct SignInIntent {
    enum class Kind { None, SignIn } kind = Kind::None;
    std::string operatorName;
    std::string pin;
};

// kMaxPinDigits: the keypad takes no more digits than a PIN may have (ledger::isValidPin).
inline constexpr size_t kMaxPinDigits = 12;

// signInMessageTitle turns a refusal code into the line shown above its message:
// bad_pin "Wrong PIN", locked "Locked", forbidden "Not allowed", unknown_user "Unknown
// operator", not_signed_in "Scan not taken", anything else "Cannot sign in".
const char* signInMessageTitle(const std::string& code);

// kCheckingText: what the screen says while a sign-in is checked (three ASCII dots: the
// font atlas holds Latin-1 only).
inline constexpr const char* kCheckingText = "Checking ...";

// drawSignInScreen draws the operator list (one button per operator, the chosen one marked),
// the masked PIN, the keypad and "Sign in" (enabled once an operator is chosen and the PIN has
// 4 digits). Tapping "Sign in" returns SignIn with the name and PIN and clears input.pin.
// While view.checking it shows kCheckingText with the operator's name in place of a refusal,
// and the operators, the keypad and "Sign in" are disabled (input stays as it is).
SignInIntent drawSignInScreen(const SignInView& view, SignInInput& input, const UiContext& ctx);

} // namespace backfill::ui
