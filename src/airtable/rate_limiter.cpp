#include "airreg/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace airreg {

RateLimiter::Permit::Permit(Permit&& other) noexcept
    : owner_(other.owner_), slot_(other.slot_), ticket_(std::move(other.ticket_)), budget_(std::move(other.budget_)) {
  other.owner_ = nullptr;
  other.budget_ = nullptr;
}

RateLimiter::Permit& RateLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    finish();
    owner_ = other.owner_;
    slot_ = other.slot_;
    ticket_ = std::move(other.ticket_);
    budget_ = std::move(other.budget_);
    other.owner_ = nullptr;
    other.budget_ = nullptr;
  }
  return *this;
}

RateLimiter::Permit::~Permit() { finish(); }

void RateLimiter::Permit::finish() {
  if (budget_) budget_->release(ticket_);
  budget_ = nullptr;
  if (owner_ && owner_->slots_.size() > slot_) owner_->release(slot_);
  owner_ = nullptr;
}

RateLimiter::RateLimiter(size_t max_requests, Clock::Duration window, Clock clock)
    : clock_(std::move(clock)), window_(window), slots_(max_requests) {}

std::shared_ptr<RateLimiter> RateLimiter::per_second(double rps, Clock clock) {
  if (!(rps > 0)) return std::make_shared<RateLimiter>(0, Clock::Duration::zero(), std::move(clock));
  double n = std::max(1.0, std::floor(rps));
  auto window = std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(n / rps));
  return std::make_shared<RateLimiter>(static_cast<size_t>(n), window, std::move(clock));
}

RateLimiter::Permit RateLimiter::acquire(const std::stop_token& stop) {
  Permit permit = acquire_local(stop);
  if (stop.stop_requested() || !acquire_shared(permit, stop)) return Permit{};
  return permit;
}

bool RateLimiter::acquire_shared(Permit& permit, const std::stop_token& stop) {
  auto budget = shared_budget();
  if (!budget) return true;
  for (;;) {
    if (stop.stop_requested()) return false;
    auto grant = budget->try_acquire();
    if (grant.granted) {
      if (!permit.owner_) {
        // An unpaced limiter hands out empty permits: the shared slot needs one to go back.
        permit.owner_ = this;
        permit.slot_ = std::numeric_limits<size_t>::max();
      }
      permit.ticket_ = std::move(grant.ticket);
      permit.budget_ = budget;
      return true;
    }
    // Polled, but never for long at a time: a 429's pause or a full window elsewhere.
    auto wait = std::clamp(grant.retry_in, Clock::Duration(std::chrono::milliseconds(5)),
                           Clock::Duration(std::chrono::milliseconds(250)));
    clock_.sleep_until(clock_.now() + wait, stop);
  }
}

std::shared_ptr<SharedRequestBudget> RateLimiter::shared_budget() const {
  std::lock_guard lock(mutex_);
  return shared_;
}

void RateLimiter::set_shared_budget(std::shared_ptr<SharedRequestBudget> budget) {
  std::lock_guard lock(mutex_);
  shared_ = std::move(budget);
}

RateLimiter::Permit RateLimiter::acquire_local(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop.stop_requested()) return Permit{};
    if (slots_.empty()) {  // no pacing: only a 429 pause holds requests back
      Clock::TimePoint until = paused_until_;
      if (until <= clock_.now()) return Permit{};
      lock.unlock();
      clock_.sleep_until(until, stop);
      lock.lock();
      continue;
    }
    auto free = [&] { return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return !s.busy; }); };
    if (!slot_freed_.wait(lock, stop, free)) return Permit{};
    size_t best = slots_.size();
    for (size_t i = 0; i < slots_.size(); ++i)
      if (!slots_[i].busy && (best == slots_.size() || slots_[i].free_at < slots_[best].free_at)) best = i;
    Clock::TimePoint start = std::max(slots_[best].free_at, paused_until_);
    slots_[best].busy = true;  // reserved while we wait for its turn
    if (start > clock_.now()) {
      lock.unlock();
      clock_.sleep_until(start, stop);
      lock.lock();
      // A 429 seen while we slept moves everyone's turn: give the slot back and queue again.
      if (paused_until_ > clock_.now() || stop.stop_requested()) {
        slots_[best].busy = false;
        slot_freed_.notify_one();
        continue;
      }
    }
    return Permit(this, best);
  }
}

void RateLimiter::release(size_t slot) {
  {
    std::lock_guard lock(mutex_);
    slots_[slot].busy = false;
    slots_[slot].free_at = clock_.now() + window_;
  }
  slot_freed_.notify_one();
}

void RateLimiter::pause_for(Clock::Duration pause) {
  std::shared_ptr<SharedRequestBudget> budget;
  {
    std::lock_guard lock(mutex_);
    paused_until_ = std::max(paused_until_, clock_.now() + pause);
    budget = shared_;
  }
  if (budget) budget->pause_for(pause);
}

Clock::TimePoint RateLimiter::paused_until() const {
  std::lock_guard lock(mutex_);
  return paused_until_;
}

std::shared_ptr<RateLimiter> shared_rate_limiter(const std::string& endpoint, const std::string& base_id,
                                                 double rps) {
  // Strong references: a weak one let a limiter die between two clients of one command, and
  // the second started with an empty window (6 requests in 0.14 s, the 6th a 429).
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<RateLimiter>> limiters;
  std::lock_guard lock(mutex);
  auto& slot = limiters[endpoint + "\n" + base_id];
  if (!slot) slot = RateLimiter::per_second(rps);
  return slot;
}

}  // namespace airreg
