#include "server/Tokens.h"

#include <sodium.h>

#include <stdexcept>

namespace backfill::server {

namespace {

// The hash key is fixed and public: it only separates these hashes from any other BLAKE2b
// use (domain separation); the tokens' entropy is what protects them.
constexpr unsigned char kHashKey[crypto_generichash_KEYBYTES] = {'b', 'a', 'c', 'k', 'f', 'i', 'l', 'l', 'd', '-', 't',
                                                                   'o', 'k', 'e', 'n', '-', 'h', 'a', 's', 'h', '-', 'v',
                                                                   '1', 0,   0,   0,   0,   0,   0,   0,   0,   0};

void initSodium()
{
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot initialise: no random source");
}

std::string hex(const unsigned char* bytes, size_t n)
{
    std::string out(n * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes, n);
    out.pop_back();
    return out;
}

} // namespace

std::string newToken()
{
    initSodium();
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    return hex(bytes, sizeof bytes);
}

std::string tokenHash(std::string_view token)
{
    initSodium();
    unsigned char out[32];
    crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()), token.size(), kHashKey,
                       sizeof kHashKey);
    return hex(out, sizeof out);
}

bool sameHash(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace backfill::server
