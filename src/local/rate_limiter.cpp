#include "rate_limiter.hpp"

namespace airtable_local {

bool RateLimiter::admit(const std::string& base_id, Clock::time_point now) {
  if (per_second_ <= 0) return true;
  std::lock_guard lock(mutex_);
  Window& w = windows_[base_id];
  if (now < w.penalty_until) return false;
  while (!w.admitted.empty() && now - w.admitted.front() >= std::chrono::seconds(1))
    w.admitted.pop_front();
  if (static_cast<int>(w.admitted.size()) >= per_second_) {
    w.penalty_until = now + penalty_;
    return false;
  }
  w.admitted.push_back(now);
  return true;
}

RateLimiter::Clock::duration RateLimiter::penalty_left(const std::string& base_id, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = windows_.find(base_id);
  if (it == windows_.end() || now >= it->second.penalty_until) return Clock::duration::zero();
  return it->second.penalty_until - now;
}

}  // namespace airtable_local
