// Time and chance, injected: every wait and every random draw in airreg goes through a Clock,
// so tests of pacing, retries and TTLs run on a fake clock without sleeping.
// Clock::system() is safe to share between threads; a fake must be made so if tests share it.
#pragma once

#include <chrono>
#include <functional>
#include <stop_token>

namespace airreg {

struct Clock {
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  std::function<TimePoint()> now;
  std::function<void(Duration)> sleep;  // never called with a negative duration
  std::function<double()> uniform;      // a draw from [0, 1)
  // Sleeps until t or until stop is requested, whichever comes first. Optional: without it
  // (fake clocks) the sleep runs whole.
  std::function<void(TimePoint, const std::stop_token&)> wait_until;

  void sleep_until(TimePoint t) const {
    if (auto d = t - now(); d > Duration::zero()) sleep(d);
  }
  // A sleep that a shutting-down process can cut short.
  void sleep_until(TimePoint t, const std::stop_token& stop) const {
    if (stop.stop_requested()) return;
    if (wait_until && stop.stop_possible()) {
      if (t > now()) wait_until(t, stop);
      return;
    }
    sleep_until(t);
  }

  // The steady clock, std::this_thread::sleep_for and a per-thread Mersenne Twister.
  static Clock system();
};

}  // namespace airreg
