// airtable-local's request handling, independent of the HTTP library: authentication, the
// per-base rate limit, routing to the records and meta APIs, Airtable-shaped errors, and
// saving the data file after every change. Thread-safe: one lock guards the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ids.hpp"
#include "model.hpp"
#include "rate_limiter.hpp"

namespace airtable_local {

struct ServiceOptions {
  std::vector<std::string> tokens;    // accepted bearer tokens; empty: any non-empty token
  std::vector<std::string> base_ids;  // bases that exist (created empty when missing)
  int rate_limit = 5;                 // requests per second per base; 0 = off
  std::chrono::milliseconds penalty{30'000};  // how long a base stays blocked after a 429
  // 429s carry Retry-After (the seconds left of the penalty). Airtable sends none; tests with a
  // short penalty use it so that clients wait that, not Airtable's 30 s.
  bool retry_after = false;
  std::string data_path;              // empty: in memory only
  std::optional<uint64_t> seed;       // repeatable ids
};

struct HttpCall {
  std::string method;
  std::string target;  // path and query, as sent
  std::string body;
  std::string authorization;  // the Authorization header's value
};

struct HttpAnswer {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class Service {
 public:
  Service(ServiceOptions options, Store store);
  HttpAnswer handle(const HttpCall& call);
  // Writes the data file now (also done after every change).
  void save();

 private:
  HttpAnswer route(const HttpCall& call);

  ServiceOptions options_;
  std::mutex mutex_;
  Store store_;
  IdGenerator ids_;
  RateLimiter limiter_;
};

}  // namespace airtable_local
