#include "server/AdminCommands.h"

#include "server/CommandSupport.h"

#include <nlohmann/json.hpp>

#include <memory>

namespace backfill::server {

void registerAdminCommands(CLI::App& app, CommandContext context)
{
    auto file = std::make_shared<std::string>();
    auto* backup = app.add_subcommand("backup", R"(write a consistent copy of the database to FILE (never overwrites); prints {"backup","pages","bytes"})");
    backup->add_option("FILE", *file, "where the copy goes (a new file)")->required();
    backup->callback([context, file] {
        const Command c{context};
        auto store = c.open();
        if (!store) return;
        auto done = store->backup(*file);
        if (!done) {
            // A backup that exists already is a refusal; anything else a failure.
            if (done.error().code == "backup_exists") return c.fail(done.error());
            return c.failure(done.error().code, done.error().message);
        }
        printLine(nlohmann::ordered_json{{"backup", *file}, {"pages", done->pages}, {"bytes", done->bytes}}.dump());
    });
}

} // namespace backfill::server
