// Sends webhook notification pings on a background thread, so a change never waits for a
// receiver. The ping is Airtable's: POST {"base":{"id"},"webhook":{"id"},"timestamp"} with
// X-Airtable-Content-MAC: hmac-sha256=<hex of HMAC-SHA256(base64-decoded secret, body)>.
// Pings for a webhook coalesce while one is pending; a failed ping is retried a few times with
// backoff. The HTTP client is injected (airtable-local's main uses cpp-httplib), so the core
// library stays free of it. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "http_url.hpp"
#include "webhook_model.hpp"
#include "webhook_payloads.hpp"

namespace airtable_local {

struct PingDelivery {
  bool delivered = false;  // a 2xx answer
  std::string error;       // otherwise: why
};

// Posts `body` with the MAC header to the URL; must not throw.
using PingSender =
    std::function<PingDelivery(const HttpUrl& url, const std::string& body, const std::string& mac_header)>;
// Told the outcome of every attempt (from the pinger's thread).
using PingReporter = std::function<void(const PingTarget& target, const NotificationResult& result)>;

// The ping's body and its X-Airtable-Content-MAC value; pure, for the pinger and its tests.
std::string ping_body(const std::string& base_id, const std::string& webhook_id,
                      std::chrono::system_clock::time_point now);
std::string ping_mac_header(const std::string& mac_secret_base64, const std::string& body);

class WebhookPinger {
 public:
  struct Options {
    int max_retries = 3;                           // after the first attempt
    std::chrono::milliseconds first_backoff{500};  // doubled per retry
  };
  WebhookPinger(PingSender send, PingReporter report, Options options);
  WebhookPinger(PingSender send, PingReporter report) : WebhookPinger(send, report, Options{}) {}
  // Stops the thread; pings not yet sent are dropped.
  ~WebhookPinger();
  WebhookPinger(const WebhookPinger&) = delete;
  WebhookPinger& operator=(const WebhookPinger&) = delete;

  // Queues a ping for the webhook, unless one is already waiting (that one will tell the
  // receiver about this change too).
  void notify(const PingTarget& target);

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    PingTarget target;
    int retry = 0;
    Clock::time_point due;
  };
  void run();
  void attempt(Pending job);

  PingSender send_;
  PingReporter report_;
  Options options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::string, Pending> pending_;  // by base id + "/" + webhook id
  std::thread thread_;                      // last: starts once everything above exists
};

}  // namespace airtable_local
