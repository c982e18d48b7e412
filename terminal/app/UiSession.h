#pragma once
// UiSession is the touch UI's application state and the one place that applies the screens'
// intents and the wedge's scans: it calls the same store and workflow code as the CLI
// (store::Users for sign-in, workflow::parseReceiptScan + receiptFromScan +
// TerminalStore::receive for receiving, store::latestActions for the history) and turns the
// outcomes into the screens' views. The screens (terminal/ui) never see the store.
//
// Screens and who moves between them:
//
//    start() --no user / --operator + BACKFILL_PIN accepted--> the --start screen (Home)
//       |
//       +--otherwise--> SignIn --signIn() accepted--> the --start screen (Home)
//                         ^                               |
//                         +------ Home "Sign out" --------+ Home <--tile / "Home"--> Receive
//
// A scan is applied on every screen (onScan): on Receive it is received; on Home a pallet
// (00) opens Receive and is received there, anything else is told where it will go; on
// SignIn it is not taken and the operator is told to sign in first.

#include "app/Cli.h"
#include "ledger/Roles.h"
#include "scan/Wedge.h"
#include "store/TerminalStore.h"
#include "ui/HomeScreen.h"
#include "ui/ReceiveScreen.h"
#include "ui/ScreenId.h"
#include "ui/SignInScreen.h"
#include "ui/UiContext.h"

#include <optional>
#include <string>
#include <vector>

namespace backfill::app {

class UiSession {
public:
    // start is the screen to open after sign-in (--start; Home by default).
    UiSession(store::TerminalStore& store, GlobalOptions& g, ui::ScreenId start);

    // start signs in without the screen when it can: the built-in operator on a terminal with
    // no user, or --operator with BACKFILL_PIN (a refusal shows on the sign-in screen, with
    // the operator chosen).
    void start();

    // frame applies `scans`, draws the current screen and applies its intent. Returns true
    // when something changed that the next frame must show.
    bool frame(const std::vector<scan::Scan>& scans, const ui::UiContext& ctx);

    ui::ScreenId screen() const { return m_screen; }

private:
    bool signIn(const std::string& name, const std::string& pin);
    void showSignIn();
    void open(ui::ScreenId screen);
    void onScan(const scan::Scan& scan);
    void receive(const std::string& text);
    void refreshHome();
    void refreshReceive();
    long long unsynced();
    bool mayDo(ledger::Action action, std::string& why) const;

    store::TerminalStore& m_store;
    GlobalOptions& m_g;
    ui::ScreenId m_start;
    ui::ScreenId m_screen = ui::ScreenId::SignIn;
    ledger::Role m_role = ledger::Role::Supervisor;
    bool m_signedIn = false;

    ui::SignInView m_signInView;
    ui::SignInInput m_signInInput;
    ui::HomeView m_homeView;
    ui::HomeInput m_homeInput;
    ui::ReceiveView m_receiveView;
    ui::ReceiveInput m_receiveInput;
};

} // namespace backfill::app
