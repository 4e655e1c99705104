// A Clock for unit tests: time moves only when someone sleeps (to the end of that sleep, never
// backwards), so tests of pacing and retries run instantly. The sleeps are recorded.
// Thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <vector>

#include "airreg/clock.hpp"

namespace airreg::test {

class FakeClock {
 public:
  using Duration = Clock::Duration;

  Clock clock(double uniform = 0.5) {
    return Clock{[this] { return now(); }, [this](Duration d) { sleep(d); }, [uniform] { return uniform; }, {}};
  }
  Clock::TimePoint now() const { return Clock::TimePoint(Duration(ticks_.load())); }
  void advance(Duration d) { ticks_ += d.count(); }
  std::vector<Duration> sleeps() const {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }
  // Milliseconds since the start, for readable assertions.
  static long long ms(Clock::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }

 private:
  void sleep(Duration d) {
    {
      std::lock_guard lock(mutex_);
      sleeps_.push_back(d);
    }
    auto target = ticks_.load() + d.count();
    auto current = ticks_.load();
    while (current < target && !ticks_.compare_exchange_weak(current, target)) {
    }
  }

  std::atomic<Duration::rep> ticks_{0};
  mutable std::mutex mutex_;
  std::vector<Duration> sleeps_;
};

}  // namespace airreg::test
