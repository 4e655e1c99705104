// Paces the requests to one Airtable base: at most `max_requests` in any window of
// `window`, plus a shared pause after a 429. One limiter per base is shared by every client
// of the process (shared_rate_limiter), so reads, writes and threads all draw from one budget.
//
// Why it never causes a 429 by itself: a request's slot is only given back when its answer
// has arrived, and is reusable `window` after that. The server saw the request before we saw
// the answer, so any `max_requests + 1` requests reach the server more than `window` apart,
// whatever the latency. The cost is at most one round-trip per window (20 ms in 1 s on
// loopback; nothing once a round-trip takes longer than window / max_requests).
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "airreg/clock.hpp"

namespace airreg {

// A request budget shared beyond this process: a fleet's, kept in Redis (src/fleet). The
// limiter asks it for a slot once its own pacing lets a request go, gives the slot back when
// the answer arrived, and passes a 429's pause on to every instance. An implementation that
// cannot reach its store grants at once (each instance then paces itself). Thread-safe.
class SharedRequestBudget {
 public:
  virtual ~SharedRequestBudget() = default;
  struct Grant {
    bool granted = false;
    std::string ticket;            // give it back to release()
    Clock::Duration retry_in{};    // when not granted: ask again after this
  };
  virtual Grant try_acquire() = 0;
  virtual void release(const std::string& ticket) = 0;
  virtual void pause_for(Clock::Duration pause) = 0;
};

class RateLimiter {
 public:
  // A granted request; give it back with finish() when its answer (or failure) arrived.
  // Dropping it unfinished gives it back too.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&& other) noexcept;
    ~Permit();
    void finish();

   private:
    friend class RateLimiter;
    Permit(RateLimiter* owner, size_t slot) : owner_(owner), slot_(slot) {}
    RateLimiter* owner_ = nullptr;
    size_t slot_ = 0;
    std::string ticket_;  // the shared budget's, when there is one
    // The budget it came from: given back there even if the limiter changed budgets since.
    std::shared_ptr<SharedRequestBudget> budget_;
  };

  // max_requests 0: no pacing (the shared 429 pause still applies).
  RateLimiter(size_t max_requests, Clock::Duration window, Clock clock = Clock::system());
  // rps may be fractional (a fleet splitting 5/s four ways gives 1.25): it becomes
  // max(1, floor(rps)) requests per floor(rps)/rps seconds. 0 means no pacing.
  static std::shared_ptr<RateLimiter> per_second(double rps, Clock clock = Clock::system());

  // Blocks until a request may go out, or until stop is requested (then the Permit is empty
  // and the caller must not send).
  Permit acquire(const std::stop_token& stop = {});
  // After a 429: no request starts before now + pause (a longer pause already set stays);
  // passed on to the shared budget, so that every instance of the fleet pauses.
  void pause_for(Clock::Duration pause);
  // Every request also takes a slot of `budget` (a fleet's); null: this process only.
  void set_shared_budget(std::shared_ptr<SharedRequestBudget> budget);
  std::shared_ptr<SharedRequestBudget> shared_budget() const;
  Clock::TimePoint paused_until() const;

  size_t max_requests() const { return slots_.size(); }
  Clock::Duration window() const { return window_; }

 private:
  struct Slot {
    bool busy = false;
    Clock::TimePoint free_at{};  // when this slot may start its next request
  };
  void release(size_t slot);
  Permit acquire_local(const std::stop_token& stop);
  // Waits for a slot of the shared budget, if there is one; false when stopped meanwhile.
  bool acquire_shared(Permit& permit, const std::stop_token& stop);

  Clock clock_;
  Clock::Duration window_;
  mutable std::mutex mutex_;
  std::condition_variable_any slot_freed_;
  std::vector<Slot> slots_;
  Clock::TimePoint paused_until_{};
  std::shared_ptr<SharedRequestBudget> shared_;
};

// The process-wide limiter of a base, keyed by endpoint and base id, kept for the life of the
// process (so that a client made after another one went away still sees that one's requests
// in the window). The first caller's rps sets its rate; later callers share it as it is.
std::shared_ptr<RateLimiter> shared_rate_limiter(const std::string& endpoint, const std::string& base_id,
                                                 double rps);

}  // namespace airreg
