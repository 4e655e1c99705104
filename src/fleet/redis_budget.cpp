#include "fleet/redis_budget.hpp"

#include <algorithm>
#include <cmath>

#include "fleet/redis_scripts.hpp"

namespace airreg::fleet {

RedisBudget::RedisBudget(std::shared_ptr<RedisCore> core, double requests_per_second, std::chrono::milliseconds hold)
    : core_(std::move(core)), rps_(requests_per_second), hold_(hold) {
  // Unpaced, there is no window: 1000 / 0 ms was one (undefined) and the fallback's spacing
  // 20 minutes per request, so a table read of 100 pages took days.
  if (!paced()) return;
  // As RateLimiter::per_second: 1.25 req/s is one request per 0.8 s.
  double n = std::max(1.0, std::floor(rps_));
  max_requests_ = static_cast<size_t>(n);
  window_ = std::chrono::milliseconds(static_cast<long long>(std::ceil(1000.0 * n / rps_)));
}

SharedRequestBudget::Grant RedisBudget::try_acquire() {
  if (!paced()) {
    // No slot (no ticket to release), but a 429 seen by any instance pauses this one too.
    auto paused = core_->eval(scripts::kPausedFor, {core_->key("pause")}, {});
    Grant g;
    if (paused && paused->type == RedisReply::Type::integer && paused->integer > 0)
      g.retry_in = std::chrono::milliseconds(paused->integer);
    else
      g.granted = true;
    return g;
  }
  std::string ticket;
  std::vector<std::string> unreleased;
  {
    std::lock_guard lock(mutex_);
    ticket = core_->instance() + "/" + std::to_string(++tickets_);
    unreleased.swap(unreleased_);
  }
  for (const auto& t : unreleased) release(t);
  auto reply = core_->eval(scripts::kAcquireSlot, {core_->key("requests"), core_->key("pause")},
                           {std::to_string(max_requests_), std::to_string(window_.count()), std::to_string(hold_.count()),
                            ticket});
  if (!reply || reply->type != RedisReply::Type::integer) return fallback();
  enter_granted_alone();
  Grant g;
  if (reply->integer == 0) {
    g.granted = true;
    g.ticket = std::move(ticket);
  } else {
    g.retry_in = std::chrono::milliseconds(reply->integer);
  }
  return g;
}

void RedisBudget::release(const std::string& ticket) {
  if (ticket.empty()) return;  // granted by the fallback
  if (core_->eval(scripts::kReleaseSlot, {core_->key("requests")}, {ticket})) return;
  std::lock_guard lock(mutex_);
  if (unreleased_.size() < 1000) unreleased_.push_back(ticket);
}

void RedisBudget::pause_for(Clock::Duration pause) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(pause);
  (void)core_->eval(scripts::kPause, {core_->key("pause")}, {std::to_string(std::max<long long>(1, ms.count()))});
}

void RedisBudget::enter_granted_alone() {
  std::vector<std::chrono::steady_clock::time_point> granted;
  {
    std::lock_guard lock(mutex_);
    if (granted_alone_.empty()) return;
    granted.swap(granted_alone_);
  }
  auto now = std::chrono::steady_clock::now();
  for (auto at : granted) {
    if (now - at > window_ + std::chrono::seconds(1)) continue;
    // Counted as answered now: a little more than they cost, never less.
    std::string ticket;
    {
      std::lock_guard lock(mutex_);
      ticket = core_->instance() + "/alone/" + std::to_string(++tickets_);
    }
    (void)core_->eval(scripts::kEnterSlot, {core_->key("requests")}, {ticket, std::to_string(window_.count())});
  }
}

SharedRequestBudget::Grant RedisBudget::fallback() {
  // This instance's share, for Airtable's sliding window: with N instances and R requests a
  // second, each may send floor(R / N) a second (at least one per ceil(N / R) seconds),
  // spaced a fifth wider than that so that latency cannot bunch two into one window. Up to R
  // instances this keeps the fleet under the limit whatever their phases; beyond, it is
  // likely but not certain (they cannot agree without Redis).
  double n = static_cast<double>(core_->most_instances());
  double per_second = std::floor(std::max(rps_, 0.001) / n);
  double seconds = per_second >= 1 ? 1.0 / per_second : std::ceil(n / std::max(rps_, 0.001));
  auto spacing = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds * 1.2));
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  Grant g;
  if (now >= next_local_) {
    next_local_ = now + spacing;
    g.granted = true;
    granted_alone_.push_back(now);
  } else {
    g.retry_in = next_local_ - now;
  }
  return g;
}

}  // namespace airreg::fleet
