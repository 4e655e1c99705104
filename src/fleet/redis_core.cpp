#include "fleet/redis_core.hpp"

namespace airreg::fleet {

RedisCore::RedisCore(RedisUrl url, RedisTimeouts timeouts, std::string base_id, std::string instance,
                     std::shared_ptr<spdlog::logger> logger)
    : connection_(std::move(url), timeouts),
      prefix_("airreg:v1:{" + base_id + "}:"),
      instance_(std::move(instance)),
      logger_(std::move(logger)) {}

Result<RedisReply> RedisCore::eval(const char* script, const std::vector<std::string>& keys,
                                   const std::vector<std::string>& args) {
  std::vector<std::string> argv{"EVAL", script, std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  auto reply = connection_.command(argv);
  note(reply);
  return reply;
}

Result<RedisReply> RedisCore::command(const std::vector<std::string>& argv) {
  auto reply = connection_.command(argv);
  note(reply);
  return reply;
}

std::string RedisCore::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void RedisCore::note(const Result<RedisReply>& outcome) {
  // A refused command (a script error) is a bug to report, not Redis being away.
  bool reachable = outcome.has_value() || outcome.error().code == ErrorCode::invalid_request;
  bool was = ok_.exchange(reachable);
  std::lock_guard lock(mutex_);
  if (!outcome) last_error_ = outcome.error().describe();
  if (!logger_) return;
  if (was && !reachable) {
    logger_->warn("{}; this instance works on its own (its own rate limit, no shared snapshot) until Redis is back",
                  last_error_);
  } else if (!was && reachable) {
    logger_->info("Redis at {} is back: the fleet shares its reads and its rate limit again", url().display);
  } else if (!outcome.has_value() && reachable) {
    // Redis answers but refuses (out of memory, read-only, a script error): said once a minute.
    auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_logged_ >= std::chrono::minutes(1)) {
      last_refusal_logged_ = now;
      logger_->error("{}", last_error_);
    }
  }
}

}  // namespace airreg::fleet
