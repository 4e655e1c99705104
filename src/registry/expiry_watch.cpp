#include "registry/expiry_watch.hpp"

namespace airreg::registry {

ExpiryWatch::ExpiryWatch(Clock clock, std::chrono::milliseconds every,
                         std::function<Clock::TimePoint(Clock::TimePoint)> next_after, std::function<void()> expired)
    : clock_(std::move(clock)),
      every_(every),
      next_after_(std::move(next_after)),
      expired_(std::move(expired)),
      thread_([this] { run(); }) {}

ExpiryWatch::~ExpiryWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ExpiryWatch::expires_at(Clock::TimePoint t) {
  auto rep = t.time_since_epoch().count();
  auto seen = next_.load(std::memory_order_relaxed);
  while (rep < seen && !next_.compare_exchange_weak(seen, rep, std::memory_order_relaxed)) {
  }
}

void ExpiryWatch::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, every_, [&] { return stopping_; })) {
    auto now = clock_.now();
    if (now.time_since_epoch().count() < next_.load(std::memory_order_relaxed)) continue;
    lock.unlock();
    // Cleared first, then lowered to the next expiry: one stored meanwhile (expires_at) is
    // never overwritten by the scan, which may have missed it.
    next_.store(Clock::TimePoint::max().time_since_epoch().count(), std::memory_order_relaxed);
    expires_at(next_after_(now));
    expired_();
    lock.lock();
  }
}

}  // namespace airreg::registry
