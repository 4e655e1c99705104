// airtable-local's request handling, independent of the HTTP library: authentication, the
// monthly call quota, the per-base rate limit, routing to the records, meta and webhooks APIs,
// Airtable-shaped errors, webhook payloads and pings after changes, and saving the data file
// after every change. Thread-safe: one lock guards the store; pings go out on the pinger's
// own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ids.hpp"
#include "model.hpp"
#include "rate_limiter.hpp"
#include "record_changes.hpp"
#include "records_api.hpp"
#include "webhook_pinger.hpp"

namespace airtable_local {

struct ServiceOptions {
  std::vector<std::string> tokens;    // accepted bearer tokens; empty: any non-empty token
  std::vector<std::string> base_ids;  // bases that exist (created empty when missing)
  int rate_limit = 5;                 // requests per second per base; 0 = off
  std::chrono::milliseconds penalty{30'000};  // how long a base stays blocked after a 429
  // 429s carry Retry-After (the seconds left of the penalty). Airtable sends none; tests with a
  // short penalty use it so that clients wait that, not Airtable's 30 s.
  bool retry_after = false;
  // Authenticated calls answered before every further one gets 429
  // PUBLIC_API_BILLING_LIMIT_EXCEEDED; 0 = unlimited. Counted in the data file, never reset.
  uint64_t monthly_quota = 0;
  std::string data_path;              // empty: in memory only
  std::optional<uint64_t> seed;       // repeatable ids
  // Sends webhook pings; empty: no pings (payloads are still kept).
  PingSender ping_sender;
  WebhookPinger::Options ping_options;
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
  // What a route did: found (else 404), its reply, and whether it changed the store.
  struct Routed {
    bool found = true;
    Reply reply = std::string();
    bool changed = false;
  };
  std::optional<HttpAnswer> count_call();
  HttpAnswer route(const HttpCall& call, const std::string& token);
  Routed route_meta(Base& base, const std::vector<std::string>& seg, const std::string& method,
                    simdjson::dom::element body);
  Routed route_webhooks(Base& base, const Target& target, const std::string& method,
                        simdjson::dom::element body, SysTime now);
  Routed route_records(Base& base, const Target& target, const std::string& method,
                       simdjson::dom::element body, SysTime now, const std::string& token);
  std::expected<void, std::string> save_locked();
  void record_notification(const PingTarget& target, const NotificationResult& result);

  ServiceOptions options_;
  std::mutex mutex_;
  Store store_;
  IdGenerator ids_;
  RateLimiter limiter_;
  // Last: its thread reports into the store, so it stops before anything else goes.
  std::unique_ptr<WebhookPinger> pinger_;
};

}  // namespace airtable_local
