#pragma once
// SmallDisk: a tmpfs of a few hundred KiB mounted for one test (root only), to fill up and
// empty again: a full disk under a real database, for the terminal and for backfilld.

#include <doctest/doctest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace backfill::e2e {

// SmallDisk is a tmpfs of `kib` KiB mounted on a folder, unmounted at the end (CI runs as root).
struct SmallDisk {
    std::filesystem::path dir;
    explicit SmallDisk(const std::filesystem::path& at, int kib) : dir(at)
    {
        std::filesystem::create_directories(dir);
        const std::string options = "size=" + std::to_string(kib) + "k";
        REQUIRE_MESSAGE(::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0,
                        "mounting a small tmpfs needs root: " << std::strerror(errno));
    }
    ~SmallDisk() { ::umount2(dir.c_str(), MNT_DETACH); }
    // fill takes every free byte with filler files; makeRoom removes them.
    void fill() const
    {
        std::ofstream out(dir / "filler", std::ios::binary);
        const std::string block(4096, 'x');
        while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) {
        }
        std::ofstream tail(dir / "filler-tail", std::ios::binary);
        while (tail.put('x')) {
        }
    }
    void makeRoom() const
    {
        std::filesystem::remove(dir / "filler");
        std::filesystem::remove(dir / "filler-tail");
    }
};

} // namespace backfill::e2e

