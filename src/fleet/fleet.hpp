// What the instances of a fleet share, so that fifty servers on one base cost Airtable about
// what one costs (DESIGN.md, "The read path" and "The write path"): the table as the last
// instance read it, leases that let one instance do a refresh, a discovery or a flush for
// everyone, a claim that spaces discoveries fleet-wide, change notices, and the base's
// request budget. The registry and the commands use this interface; connect_fleet() gives
// the Redis one when AIRREG_REDIS_URL is set, local_fleet() the do-nothing one otherwise.
//
// Nothing here ever fails a caller: when Redis is down or slow (every call has a short
// timeout) each operation answers as the local fleet would (a lease is granted, a claim
// succeeds, there is no shared snapshot, a notice goes nowhere), so that every instance falls
// back to its single-instance behaviour; status() says so. Thread-safe.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "airreg/error.hpp"
#include "airreg/rate_limiter.hpp"

namespace airreg::fleet {

// The table as an instance read it, encoded (registry/snapshot_codec), with the sequence
// number its read was given.
struct SharedSnapshot {
  uint64_t seq = 0;
  std::string body;
};

struct Notice {
  enum class Kind {
    changed,   // rows of these providers changed in Airtable (empty: any): read the table again
    snapshot,  // a new shared snapshot is in Redis (seq)
  };
  Kind kind = Kind::changed;
  std::string origin;  // the instance that sent it
  std::vector<std::string> providers;
  uint64_t seq = 0;
};

// Held until destroyed (then released); renewed in the background while held.
class Lease {
 public:
  virtual ~Lease() = default;
  // The fencing token: grows with every lease granted on the base.
  virtual uint64_t token() const = 0;
  // False once a renewal found the lease taken over (this instance stalled past its TTL).
  virtual bool held() const = 0;
};

struct FleetStatus {
  bool configured = false;  // a Redis URL was given
  bool redis_ok = false;    // it answered the last command
  std::string redis;        // the URL without its password
  std::string last_error;   // why it did not, "" when it did
  size_t instances = 1;     // instances seen in the last 30 s (1 without Redis)
};

class Fleet {
 public:
  virtual ~Fleet() = default;
  virtual const std::string& instance() const = 0;
  virtual bool shared() const = 0;  // Redis configured (it may still be down)

  // ---- the shared snapshot
  // A sequence number for a table read that is about to start; nothing without Redis.
  // Taken before the read, so that a read that began before a change cannot replace the
  // snapshot that follows the change.
  virtual std::optional<uint64_t> begin_read() = 0;
  // Stores the snapshot unless one read later is there, or the table changed since `seq`.
  // `text` hands the body to its argument in pieces, in order (registry::write_snapshot): a
  // table of 10,000 records is megabytes that neither this process nor Redis's client library
  // need hold whole.
  using SnapshotText = std::function<void(const std::function<void(std::string_view)>& piece)>;
  virtual bool put_snapshot(uint64_t seq, const SnapshotText& text, std::chrono::milliseconds ttl) = 0;
  // The shared snapshot, when its seq is above `newer_than`. One round trip.
  virtual std::optional<SharedSnapshot> snapshot(uint64_t newer_than) = 0;
  // Waits up to `until` for a snapshot newer than `newer_than` (another instance's read).
  virtual std::optional<SharedSnapshot> wait_snapshot(uint64_t newer_than, std::chrono::steady_clock::time_point until,
                                                      std::stop_token stop) = 0;
  // The table changed: no instance may take the current shared snapshot any more.
  virtual void invalidate_snapshot() = 0;

  // ---- counters shared by the fleet (Airtable's calls this month): the total after adding
  // `delta`, or nothing without Redis (or when it cannot be reached).
  virtual std::optional<long long> add_count(const std::string& name, long long delta, std::chrono::seconds ttl) = 0;

  // ---- small shared values (the tables' field ids)
  virtual std::optional<std::string> value(const std::string& name) = 0;
  virtual void put_value(const std::string& name, const std::string& body, std::chrono::milliseconds ttl) = 0;

  // ---- one instance at a time
  // Nothing when another instance holds it.
  virtual std::unique_ptr<Lease> try_lease(const std::string& name, std::chrono::milliseconds ttl) = 0;
  // True for one instance of the fleet per `period` (the discovery limit).
  virtual bool try_claim(const std::string& name, std::chrono::milliseconds period) = 0;

  // ---- change notices
  virtual void publish(const Notice& notice) = 0;
  // Rows of these providers changed in Airtable (empty: any): the shared snapshot is dropped
  // and the other instances are told, so that each reads the new rows within a second. When
  // Redis cannot be reached it is done again once it can (else the fleet would serve the rows
  // from before the change for up to the cache TTL).
  virtual void announce_change(const std::vector<std::string>& providers) = 0;
  // The listener gets every notice of other instances (its own are filtered out), and a
  // `changed` notice for every provider when notices may have been missed (Redis came back).
  virtual void listen(std::function<void(const Notice&)> listener) = 0;

  // ---- Airtable's budget for the base, for RateLimiter::set_shared_budget; null: none.
  virtual std::shared_ptr<SharedRequestBudget> request_budget() = 0;

  virtual FleetStatus status() = 0;
};

struct FleetConfig {
  std::string redis_url;         // empty: the local fleet
  std::string base_id;           // keys are per base
  std::string instance;          // this instance's name (host:pid by default)
  double max_requests_per_second = 5;  // the whole fleet's budget on the base (req/s); 0: no pacing
  std::chrono::milliseconds timeout{250};  // per Redis command (ms)
  std::chrono::milliseconds request_hold{45'000};  // a slot whose answer never came is freed after this (ms)
  std::shared_ptr<spdlog::logger> logger;  // null: nothing is logged
};

// While it lives, every request to the base (the process's limiter) also takes a slot of the
// fleet's budget. The limiter outlives it: at the end the budget it had before comes back (a
// sync run by serve must not leave serve's registry outside the fleet's budget).
class SharedBudgetScope {
 public:
  SharedBudgetScope(std::shared_ptr<RateLimiter> limiter, std::shared_ptr<SharedRequestBudget> budget)
      : limiter_(std::move(limiter)), budget_(std::move(budget)) {
    if (!limiter_ || !budget_) return;
    before_ = limiter_->shared_budget();
    limiter_->set_shared_budget(budget_);
  }
  ~SharedBudgetScope() {
    if (limiter_ && budget_ && limiter_->shared_budget() == budget_) limiter_->set_shared_budget(before_);
  }
  SharedBudgetScope(const SharedBudgetScope&) = delete;
  SharedBudgetScope& operator=(const SharedBudgetScope&) = delete;

 private:
  std::shared_ptr<RateLimiter> limiter_;
  std::shared_ptr<SharedRequestBudget> budget_;
  std::shared_ptr<SharedRequestBudget> before_;
};

// Tries for the lease until `wait` passes (every 200 ms) or stop is requested; null then.
std::unique_ptr<Lease> wait_for_lease(Fleet& fleet, const std::string& name, std::chrono::milliseconds ttl,
                                      std::chrono::milliseconds wait, const std::stop_token& stop = {});

// The usual configuration: the fleet of `redis_url` (empty: none) on a base.
FleetConfig fleet_config(std::string redis_url, std::string base_id, std::string instance, double max_requests_per_second,
                         std::shared_ptr<spdlog::logger> logger = nullptr);

// A fleet of one: every lease and claim granted, nothing shared.
std::shared_ptr<Fleet> local_fleet(std::string instance);
// The Redis fleet (a config error only for a URL that cannot work; Redis being down is not an
// error), or the local one when config.redis_url is empty.
Result<std::shared_ptr<Fleet>> connect_fleet(FleetConfig config);

}  // namespace airreg::fleet
