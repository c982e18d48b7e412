// Result sounds (issue 12 item 9; docs/ui.md, Sound): each result class has its own cue,
// rendered exactly, and played for real through ALSA's `null` device (alsa-lib's own
// configuration; it needs no sound card, so the test runs on CI machines). A device that does
// not exist is `no_sound` naming it.

#include "platform/Sound.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>

using namespace backfill;
using platform::SoundPlayer;

TEST_CASE("each result class has a cue of its own, rendered sample for sample")
{
    using ui::Feedback;
    CHECK(platform::cueTones(Feedback::None).empty());
    CHECK(platform::cueSamples(Feedback::None, 44100).empty());
    // 90 ms, 90 + 70 + 90 ms, 140 + 60 + 320 ms at 44.1 kHz.
    CHECK(platform::cueSamples(Feedback::Accepted, 44100).size() == 3969);
    CHECK(platform::cueSamples(Feedback::Attention, 44100).size() == 11025);
    CHECK(platform::cueSamples(Feedback::Refused, 44100).size() == 22932);
    // The cues differ in pitch, not only in length: accepted high, refused low.
    CHECK(platform::cueTones(Feedback::Accepted)[0].hz == 1568);
    CHECK(platform::cueTones(Feedback::Attention)[1].hz == 0); // two beeps with a gap
    CHECK(platform::cueTones(Feedback::Refused)[2].hz == 262);

    for (auto f : {Feedback::Accepted, Feedback::Attention, Feedback::Refused}) {
        const auto s = platform::cueSamples(f, 8000);
        // No click: each tone starts and ends at 0 (5 ms fades); half of full scale at most.
        CHECK(s.front() == 0);
        CHECK(s.back() == 0);
        const auto peak = *std::max_element(s.begin(), s.end(), [](int16_t a, int16_t b) { return std::abs(a) < std::abs(b); });
        CHECK(std::abs(peak) <= 16383);
        CHECK(std::abs(peak) >= 16000);
    }
    // The attention cue's gap (samples 720..1279 at 8 kHz) is silence.
    const auto a = platform::cueSamples(Feedback::Attention, 8000);
    CHECK(std::all_of(a.begin() + 720, a.begin() + 1280, [](int16_t v) { return v == 0; }));
    CHECK(std::any_of(a.begin() + 1280, a.end(), [](int16_t v) { return v != 0; }));
}

TEST_CASE("cues are played through a real ALSA device, one after the other")
{
    auto player = SoundPlayer::open("null");
    REQUIRE_MESSAGE(player, (player ? std::string() : player.error().message));
    (*player)->play(ui::Feedback::Accepted);
    (*player)->waitIdle();
    CHECK((*player)->played() == 1);
    (*player)->play(ui::Feedback::None); // nothing to play
    (*player)->play(ui::Feedback::Refused);
    (*player)->waitIdle();
    (*player)->play(ui::Feedback::Attention);
    (*player)->waitIdle();
    CHECK((*player)->played() == 3);
    CHECK((*player)->failed() == 0);
}

TEST_CASE("no sound device: no_sound naming the device")
{
    auto player = SoundPlayer::open("backfill_no_such_device");
    REQUIRE_FALSE(player);
    CHECK(player.error().code == "no_sound");
    CHECK(player.error().message.rfind("sound device 'backfill_no_such_device': ", 0) == 0);
}
