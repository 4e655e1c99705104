// What the parts of the Redis fleet share: the command connection, the key names of the base
// and the health of Redis (logged once when it goes away and once when it is back). The
// fleet, its leases and its request budget each hold it, so that a budget handed to the
// process-wide rate limiter outlives the fleet safely. Thread-safe.
#pragma once

#include <spdlog/logger.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "fleet/redis_connection.hpp"

namespace airreg::fleet {

class RedisCore {
 public:
  RedisCore(RedisUrl url, RedisTimeouts timeouts, std::string base_id, std::string instance,
            std::shared_ptr<spdlog::logger> logger);

  // "airreg:v1:{base}:name": the schema version lets a later airreg change its keys, and the
  // braces keep every key of a base on one Redis Cluster slot (scripts touch several).
  std::string key(const std::string& name) const { return prefix_ + name; }
  const std::string& instance() const { return instance_; }
  const RedisUrl& url() const { return connection_.url(); }

  // A script (EVAL) or a command; the outcome updates the health.
  Result<RedisReply> eval(const char* script, const std::vector<std::string>& keys, const std::vector<std::string>& args);
  Result<RedisReply> command(const std::vector<std::string>& argv);

  bool ok() const { return ok_.load(); }
  void retry_now() { connection_.retry_now(); }
  std::string last_error() const;
  size_t instances() const { return instances_.load(); }
  // The most instances seen at once: when Redis dies, the fleet is assumed as large as it was.
  size_t most_instances() const { return most_instances_.load(); }
  void set_instances(size_t n) {
    n = std::max<size_t>(n, 1);
    instances_.store(n);
    size_t most = most_instances_.load();
    while (n > most && !most_instances_.compare_exchange_weak(most, n)) {
    }
  }
  void note(const Result<RedisReply>& outcome);

 private:
  RedisConnection connection_;
  std::string prefix_;
  std::string instance_;
  std::shared_ptr<spdlog::logger> logger_;
  std::atomic<bool> ok_{true};
  std::atomic<size_t> instances_{1};
  std::atomic<size_t> most_instances_{1};
  mutable std::mutex mutex_;
  std::string last_error_;
  std::chrono::steady_clock::time_point last_refusal_logged_{};
};

}  // namespace airreg::fleet
