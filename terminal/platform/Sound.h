#pragma once
// Sound (issue 12 item 9; docs/ui.md, Sound): a short, distinct cue per result, so a receiver
// looking at the pallet hears what the screen says: accepted one short high beep, attention
// two middle beeps, refused a low falling pair. Played through ALSA (Debian's libasound2) on a
// thread of its own, so a frame never waits for the sound card; a cue arriving while one plays
// replaces any cue still waiting (the latest result is the one that matters).
//
// Without a sound device the terminal still works: open() fails with the reason, and the UI
// shows "NO SOUND" in every header (colour and word carry each result anyway).

#include "ledger/Result.h"
#include "ui/Widgets.h"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace backfill::platform {

// Tone is one part of a cue: `hz` for `ms` milliseconds (hz 0: silence).
struct Tone {
    int hz = 0;
    int ms = 0;
};

// cueTones gives the pattern of a result's cue (empty for Feedback::None).
std::vector<Tone> cueTones(ui::Feedback feedback);

// cueSamples renders a cue as mono signed 16-bit samples at `rate` Hz: sine tones at half
// of full scale, each faded in and out over 5 ms so no tone clicks.
std::vector<int16_t> cueSamples(ui::Feedback feedback, unsigned rate);

class SoundPlayer {
public:
    static constexpr unsigned kRate = 44100;

    // open opens ALSA playback device `device` ("default", or "null" in tests) and starts the
    // player's thread. Fails with `no_sound` naming the device and ALSA's reason.
    static ledger::Result<std::unique_ptr<SoundPlayer>> open(const std::string& device);
    ~SoundPlayer();
    SoundPlayer(const SoundPlayer&) = delete;
    SoundPlayer& operator=(const SoundPlayer&) = delete;

    // play queues `feedback`'s cue (replacing one not started yet) and returns at once.
    void play(ui::Feedback feedback);
    // played counts the cues written to the device in full; failed the writes ALSA refused.
    long played() const;
    long failed() const;
    // waitIdle blocks until no cue waits or plays (tests, and before exit).
    void waitIdle();

private:
    struct Pcm;
    explicit SoundPlayer(std::unique_ptr<Pcm> pcm);
    void run();

    std::unique_ptr<Pcm> m_pcm;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::optional<ui::Feedback> m_next;
    bool m_playing = false;
    bool m_stop = false;
    long m_played = 0;
    long m_failed = 0;
    std::thread m_thread;
};

} // namespace backfill::platform
