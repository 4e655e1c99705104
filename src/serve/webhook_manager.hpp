// `airreg serve --public-url`: one Airtable webhook on the registry table tells serve every
// change, so that a person's edit reaches the fleet in seconds and the table needs no polling.
//   - start(): under the fleet's "webhook" lease (one instance makes it), finds the webhook it made before (kept in the state directory, or the fleet's
//     in Redis) or makes one (POST /v0/bases/{base}/webhooks, limited to the table's data),
//     and switches the registry to webhook mode (no revalidation between full reads);
//   - ping(): POST /airtable/webhook. The MAC must match (401 otherwise, logged); the payloads
//     are then read from the stored cursor on a background thread (one instance of the fleet
//     at a time, under a lease) and applied to the registry's table without reading it, which
//     tells the fleet through Redis. The connector's own writes come back this way too and
//     are applied like the rest (counted apart): they cause no read;
//   - the webhook is refreshed before its 7-day expiry (checked hourly, refreshed when fewer
//     than 3 days are left);
//   - a webhook deleted by hand sends no more pings: once per check period (--webhook-check,
//     12 h; 0: never) one instance of the fleet asks Airtable whether it is still there (one
//     call); when it is gone that instance reads the table again, tells the fleet through Redis
//     (the others look every minute), and every instance revalidates from then on;
//   - remove() deletes it (airreg webhook remove).
// Thread-safe; destruction stops its threads.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "airreg/airtable_client.hpp"
#include "airreg/model_registry.hpp"
#include "fleet/fleet.hpp"
#include "serve/http_message.hpp"
#include "serve/webhook_store.hpp"

namespace airreg::serve {

struct WebhookCounts {
  size_t pings = 0, refused = 0, payloads = 0, own = 0, applied_changes = 0;
};

class WebhookManager {
 public:
  WebhookManager(AirtableClient client, ModelRegistry& registry,
                 std::shared_ptr<fleet::Fleet> fleet, std::string public_url, std::filesystem::path state_dir,
                 std::shared_ptr<spdlog::logger> logger, std::chrono::milliseconds check_every = std::chrono::hours(12));
  ~WebhookManager();
  WebhookManager(const WebhookManager&) = delete;
  WebhookManager& operator=(const WebhookManager&) = delete;

  // The notification URL: the public URL and /airtable/webhook.
  static std::string notification_url(const std::string& public_url);

  // Once the registry's table is bound (its id known): pings are answered 503 before.
  Result<void> start(const std::string& registry_table_id);
  ServeResponse ping(const ServeRequest& request);
  WebhookCounts counts() const;

  // Deletes the webhook serve made for this base (the one kept in the state directory, else
  // every webhook of the base whose notification URL ends in /airtable/webhook).
  static Result<size_t> remove(const AirtableClient& client, const std::filesystem::path& state_dir,
                               std::shared_ptr<fleet::Fleet> fleet);

 private:
  // Whether every payload there was got read (else it is tried again in 30 s).
  bool read_payloads();
  void refresh_if_due();
  // Whether the webhook is still there: the fleet's word, and when `ask_airtable` (one
  // instance of the fleet per period) Airtable's.
  void check_still_there(bool ask_airtable);
  // It is gone: revalidation takes over (the edits since it went are read now). `found_here`:
  // this instance found out, and tells the fleet.
  void give_up(const std::string& id, bool found_here);
  void loop();

  AirtableClient client_;
  std::string table_id_;
  ModelRegistry& registry_;
  std::shared_ptr<fleet::Fleet> fleet_;
  std::string url_;
  WebhookStore store_;
  std::shared_ptr<spdlog::logger> logger_;
  std::string own_user_;
  std::chrono::milliseconds check_every_;
  std::atomic<bool> given_up_{false};

  std::mutex state_mutex_;
  WebhookState state_;

  std::atomic<size_t> pings_{0}, refused_{0}, payloads_{0}, own_{0}, applied_{0};
  static constexpr std::chrono::steady_clock::rep kNeverLogged = std::numeric_limits<std::chrono::steady_clock::rep>::min();
  std::atomic<std::chrono::steady_clock::rep> refused_logged_at_{kNeverLogged};  // a refused ping's last log line
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pinged_ = false, stopping_ = false;
  std::thread thread_;  // started by start(), once the rest exists
};

}  // namespace airreg::serve
