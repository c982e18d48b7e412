#pragma once
// backfilld's customer-notification subcommands (issue 13 item 3; docs/backoffice.md,
// Notifications):
//
//   backfilld import waitlist FILE      `email,sku`; prints {"imported":N}
//   backfilld notifications [--state S] the outbox as JSON, by id
//   backfilld notify --smtp URL [--smtp-from ADDR] [--ignore-backoff] [--max N]
//                                       queue held-back ETA messages, send what is due once,
//                                       exit; prints {"sent","retry","failed","pending"}
//   backfilld unsubscribe EMAIL         prints {"email","unsubscribed":true,"already","dropped"}
//   backfilld serve ... --smtp URL [--smtp-from ADDR] [--notify-interval SECONDS]
//                                       sends in the background (ServeNotifyArgs)
//
// Output and errors as main's (server/CommandSupport.h).

#include "server/BackofficeCommands.h"
#include "server/Notifier.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace backfill::server {

// registerNotifyCommands adds the commands above; `import` must already exist.
void registerNotifyCommands(CLI::App& app, CommandContext context);

// ServeNotifyArgs are serve's notification options; addServeNotifyOptions adds them to the
// serve command, startServeSender starts the background sender when --smtp was given
// (nullptr otherwise).
struct ServeNotifyArgs {
    std::string smtp;
    std::string from;
    double intervalSeconds = 5;
};
void addServeNotifyOptions(CLI::App& serve, ServeNotifyArgs& args);
std::unique_ptr<BackgroundSender> startServeSender(const ServeNotifyArgs& args, CommandContext context);

} // namespace backfill::server
