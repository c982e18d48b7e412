#include "scan/image/FileSequenceSource.h"

#include "scan/image/ImageLoader.h"

#include <algorithm>
#include <filesystem>

namespace backfill::scan::image {

FileSequenceSource::FileSequenceSource(std::vector<std::string> files, FileSequenceOptions options)
    : m_files(std::move(files)), m_options(options), m_start(std::chrono::steady_clock::now())
{
}

ledger::Result<std::vector<std::string>> FileSequenceSource::filesIn(const std::string& dir)
{
    std::error_code ec;
    std::vector<std::string> files;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::string ext = it->path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
        if (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".pgm" || ext == ".ppm")
            files.push_back(it->path().string());
    }
    if (ec) return ledger::fail("no_frames", dir + ": cannot list the folder (" + ec.message() + ")");
    if (files.empty()) return ledger::fail("no_frames", dir + ": no PNG, JPEG, PGM or PPM files to play");
    std::sort(files.begin(), files.end());
    return files;
}

ledger::Result<std::optional<Frame>> FileSequenceSource::next()
{
    const std::size_t total = m_files.size() * static_cast<std::size_t>(std::max(m_options.repeat, 0));
    const auto due = m_start + m_options.frameInterval * static_cast<long>(m_index);
    {
        std::unique_lock lock(m_mutex);
        if (m_options.realTime) m_wake.wait_until(lock, due, [&] { return m_interrupted; });
        if (m_interrupted || m_index >= total) return std::optional<Frame>{};
    }
    const std::uint64_t sequence = m_index++;  // a file that fails to load is still passed over
    auto image = loadImageFile(m_files[sequence % m_files.size()]);
    if (!image) return ledger::unexpected(image.error());
    return std::optional<Frame>{Frame{std::move(*image), sequence, due}};
}

void FileSequenceSource::interrupt()
{
    {
        std::lock_guard lock(m_mutex);
        m_interrupted = true;
    }
    m_wake.notify_all();
}

} // namespace backfill::scan::image
