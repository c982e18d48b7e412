// Writes the protocol fuzz target's seed corpus: every sample message of
// tests/protocol/samples.h, encoded, plus one Push per op kind, one file each.
// usage: protocol_seeds DIR

#include "protocol/Codec.h"
#include "protocol/samples.h"

#include <cstdio>
#include <fstream>
#include <string>

using namespace backfill::protocol;

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: protocol_seeds DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    auto messages = samples::all();
    for (const auto kind : kOpKinds) {
        Push p = samples::sessionPush();
        p.ops[0].kind = std::string(kind);
        messages.emplace_back("push_" + std::string(kind), p);
    }
    int n = 0;
    for (const auto& [name, m] : messages) {
        auto bytes = encodeChecked(m);
        if (!bytes) {
            std::fprintf(stderr, "seed %s: %s: %s\n", name.c_str(), bytes.error().code.c_str(),
                         bytes.error().message.c_str());
            return 1;
        }
        std::ofstream(dir + "/seed-" + name, std::ios::binary) << *bytes;
        ++n;
    }
    std::printf("seeded %d messages\n", n);
    return 0;
}
