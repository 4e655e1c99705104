// Airtable's per-base rate limit as airtable-local enforces it: at most N requests in any
// one-second window; the request over the limit, and every request to that base for the
// next S seconds, is refused. Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace airtable_local {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // per_second 0 turns the limit off.
  RateLimiter(int per_second, std::chrono::milliseconds penalty)
      : per_second_(per_second), penalty_(penalty) {}

  // True when the request may go on.
  bool admit(const std::string& base_id, Clock::time_point now = Clock::now());
  // What is left of the base's penalty (zero when there is none).
  Clock::duration penalty_left(const std::string& base_id, Clock::time_point now = Clock::now());

 private:
  struct Window {
    std::deque<Clock::time_point> admitted;
    Clock::time_point penalty_until{};
  };
  int per_second_;
  std::chrono::milliseconds penalty_;
  std::mutex mutex_;
  std::map<std::string, Window> windows_;
};

}  // namespace airtable_local
