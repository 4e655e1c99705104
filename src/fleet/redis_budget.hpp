// The base's request budget shared by every instance of the fleet (RateLimiter's
// SharedRequestBudget): at most N requests in any window, counted as Airtable counts them,
// with a slot given back one window after its answer arrived (as the process limiter does, so
// that latency never lets N + 1 requests reach Airtable within a window), and a 429's pause
// honoured by every instance. When Redis cannot be reached, each instance spaces its own
// requests to its share of the budget (the budget divided by the most instances seen), so a
// fleet whose Redis died still stays under the limit. A rate of 0 (AirtableConfig's "no
// pacing") grants every request at once unless the fleet is paused after a 429. Thread-safe.
#pragma once

#include <cmath>
#include <memory>
#include <mutex>

#include "airreg/rate_limiter.hpp"
#include "fleet/redis_core.hpp"

namespace airreg::fleet {

class RedisBudget final : public SharedRequestBudget {
 public:
  RedisBudget(std::shared_ptr<RedisCore> core, double requests_per_second, std::chrono::milliseconds hold);
  Grant try_acquire() override;
  void release(const std::string& ticket) override;
  void pause_for(Clock::Duration pause) override;

 private:
  Grant fallback();
  void enter_granted_alone();
  bool paced() const { return rps_ > 0 && std::isfinite(rps_); }  // a rate above 0

  std::shared_ptr<RedisCore> core_;
  double rps_;
  size_t max_requests_ = 1;
  std::chrono::milliseconds window_{1000};
  std::chrono::milliseconds hold_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point next_local_{};  // the fallback's spacing
  uint64_t tickets_ = 0;
  // Releases Redis did not take (it was away for a moment): sent again with the next acquire,
  // or each would hold a slot of the fleet until its hold ran out.
  std::vector<std::string> unreleased_;
  // Requests granted while Redis was away, not in its window: entered once it is back, so that
  // the fleet does not take a full window on top of them.
  std::vector<std::chrono::steady_clock::time_point> granted_alone_;
};

}  // namespace airreg::fleet
