// Time and chance, injected: every wait and every random draw in airreg goes through a Clock,
// so tests of pacing, retries and TTLs run on a fake clock without sleeping.
// Clock::system() is safe to share between threads; a fake must be made so if tests share it.
#pragma once

#include <chrono>
#include <functional>

namespace airreg {

struct Clock {
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  std::function<TimePoint()> now;
  std::function<void(Duration)> sleep;  // never called with a negative duration
  std::function<double()> uniform;      // a draw from [0, 1)

  void sleep_until(TimePoint t) const {
    if (auto d = t - now(); d > Duration::zero()) sleep(d);
  }

  // The steady clock, std::this_thread::sleep_for and a per-thread Mersenne Twister.
  static Clock system();
};

}  // namespace airreg
