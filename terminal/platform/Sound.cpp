#include "platform/Sound.h"

#include <alsa/asoundlib.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace backfill::platform {

std::vector<Tone> cueTones(ui::Feedback feedback)
{
    switch (feedback) {
    case ui::Feedback::Accepted: return {{1568, 90}};                       // G6, short
    case ui::Feedback::Attention: return {{988, 90}, {0, 70}, {988, 90}};   // B5 twice
    case ui::Feedback::Refused: return {{392, 140}, {0, 60}, {262, 320}};   // G4 then C4, long
    case ui::Feedback::None: break;
    }
    return {};
}

std::vector<int16_t> cueSamples(ui::Feedback feedback, unsigned rate)
{
    std::vector<int16_t> out;
    const size_t fade = rate / 200; // 5 ms
    for (const Tone& t : cueTones(feedback)) {
        const size_t n = static_cast<size_t>(rate) * static_cast<size_t>(t.ms) / 1000;
        for (size_t i = 0; i < n; ++i) {
            if (t.hz == 0) {
                out.push_back(0);
                continue;
            }
            const double envelope = std::min({1.0, static_cast<double>(i) / static_cast<double>(fade),
                                              static_cast<double>(n - 1 - i) / static_cast<double>(fade)});
            const double phase = 2.0 * std::numbers::pi * t.hz * static_cast<double>(i) / rate;
            out.push_back(static_cast<int16_t>(std::lround(16383.0 * envelope * std::sin(phase))));
        }
    }
    return out;
}

struct SoundPlayer::Pcm {
    snd_pcm_t* handle = nullptr;
    ~Pcm()
    {
        if (handle) snd_pcm_close(handle);
    }
};

namespace {

// ALSA prints its own errors to stderr by default; the reason travels in our error instead.
void quietAlsa(const char*, int, const char*, int, const char*, ...) {}

} // namespace

ledger::Result<std::unique_ptr<SoundPlayer>> SoundPlayer::open(const std::string& device)
{
    snd_lib_error_set_handler(quietAlsa);
    auto pcm = std::make_unique<Pcm>();
    int rc = snd_pcm_open(&pcm->handle, device.c_str(), SND_PCM_STREAM_PLAYBACK, 0);
    if (rc >= 0)
        rc = snd_pcm_set_params(pcm->handle, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, kRate, 1, 100000);
    if (rc < 0) {
        if (rc != 0 && pcm->handle == nullptr) pcm.reset();
        return ledger::fail("no_sound", "sound device '" + device + "': " + snd_strerror(rc));
    }
    return std::unique_ptr<SoundPlayer>(new SoundPlayer(std::move(pcm)));
}

SoundPlayer::SoundPlayer(std::unique_ptr<Pcm> pcm) : m_pcm(std::move(pcm)), m_thread([this] { run(); }) {}

SoundPlayer::~SoundPlayer()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_next.reset();
    }
    m_wake.notify_all();
    m_thread.join();
}

void SoundPlayer::play(ui::Feedback feedback)
{
    if (feedback == ui::Feedback::None) return;
    {
        std::lock_guard lock(m_mutex);
        m_next = feedback;
    }
    m_wake.notify_one();
}

long SoundPlayer::played() const
{
    std::lock_guard lock(m_mutex);
    return m_played;
}

long SoundPlayer::failed() const
{
    std::lock_guard lock(m_mutex);
    return m_failed;
}

void SoundPlayer::waitIdle()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [&] { return !m_next && !m_playing; });
}

void SoundPlayer::run()
{
    for (;;) {
        ui::Feedback feedback;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || m_next; });
            if (m_stop) break;
            feedback = *m_next;
            m_next.reset();
            m_playing = true;
        }
        const auto samples = cueSamples(feedback, kRate);
        bool ok = true;
        size_t done = 0;
        while (done < samples.size()) {
            snd_pcm_sframes_t n = snd_pcm_writei(m_pcm->handle, samples.data() + done, samples.size() - done);
            if (n < 0) n = snd_pcm_recover(m_pcm->handle, static_cast<int>(n), 1);
            if (n < 0) {
                ok = false;
                break;
            }
            done += static_cast<size_t>(n);
        }
        if (ok) snd_pcm_drain(m_pcm->handle);
        snd_pcm_prepare(m_pcm->handle); // ready for the next cue after the drain
        {
            std::lock_guard lock(m_mutex);
            (ok ? m_played : m_failed) += 1;
            m_playing = false;
        }
        m_idle.notify_all();
    }
    std::lock_guard lock(m_mutex);
    m_playing = false;
    m_idle.notify_all();
}

} // namespace backfill::platform
