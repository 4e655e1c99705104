// Tells the registry's hot path when a cached answer expires, so that a hit never reads the
// clock: a thread wakes every `every` (real time), and once the injected clock has passed the
// earliest expiry it was told of, asks for the next one and calls `expired`.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "airreg/clock.hpp"

namespace airreg::registry {

class ExpiryWatch {
 public:
  // next_after(now): the earliest expiry after now of the answers held (TimePoint::max() when none).
  ExpiryWatch(Clock clock, std::chrono::milliseconds every, std::function<Clock::TimePoint(Clock::TimePoint)> next_after,
              std::function<void()> expired);
  ~ExpiryWatch();  // stops its thread
  ExpiryWatch(const ExpiryWatch&) = delete;
  ExpiryWatch& operator=(const ExpiryWatch&) = delete;

  // An answer stored that expires at t.
  void expires_at(Clock::TimePoint t);

 private:
  void run();

  Clock clock_;
  std::chrono::milliseconds every_;
  std::function<Clock::TimePoint(Clock::TimePoint)> next_after_;
  std::function<void()> expired_;
  std::atomic<Clock::Duration::rep> next_{Clock::TimePoint::max().time_since_epoch().count()};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace airreg::registry
