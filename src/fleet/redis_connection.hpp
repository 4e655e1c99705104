// One connection to Redis (hiredis, synchronous), with short timeouts: a fleet must never
// wait on a slow or dead Redis longer than a request to Airtable would take. After a failure
// the connection stays down for `retry_after` and every command fails at once meanwhile, so
// an instance with Redis gone costs nothing per call. Thread-safe: commands are serialised
// on one socket (each is a fraction of a millisecond on a LAN).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "airreg/error.hpp"
#include "fleet/redis_url.hpp"

struct redisContext;

namespace airreg::fleet {

struct RedisReply {
  enum class Type { nil, integer, string, status, array, error };
  Type type = Type::nil;
  long long integer = 0;
  std::string str;  // string, status and error replies
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::nil; }
};

struct RedisTimeouts {
  std::chrono::milliseconds connect{250};
  std::chrono::milliseconds command{250};
  std::chrono::milliseconds retry_after{1000};  // a failed connection is not tried again sooner
};

// A raw hiredis context, connected, authenticated and on its database. Freed on destruction.
struct RedisContextDeleter {
  void operator()(redisContext* c) const;
};
using RedisContextPtr = std::unique_ptr<redisContext, RedisContextDeleter>;
Result<RedisContextPtr> redis_connect(const RedisUrl& url, const RedisTimeouts& timeouts);
// Reads the reply hiredis holds in `reply` (a redisReply*), freeing it.
RedisReply take_reply(void* reply);

class RedisConnection {
 public:
  RedisConnection(RedisUrl url, RedisTimeouts timeouts = {});
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // One command. An error reply from Redis is an Error too (code invalid_request).
  Result<RedisReply> command(const std::vector<std::string>& argv);
  const RedisUrl& url() const { return url_; }
  // Redis answered on another connection: the next command connects at once.
  void retry_now();

 private:
  RedisUrl url_;
  RedisTimeouts timeouts_;
  std::mutex mutex_;
  RedisContextPtr context_;
  std::chrono::steady_clock::time_point down_until_{};
  Error last_error_;
};

}  // namespace airreg::fleet
