// Where serve keeps its Airtable webhook: its id, MAC secret (Airtable shows it only once, when
// the webhook is made), notification URL, expiry and the cursor of the next payload to read.
// In the state directory (state.db, 0700: the secret is a credential), and with Redis in the
// fleet too, so that any instance behind a load balancer can check a ping and read payloads
// from where the last one stopped. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "fleet/fleet.hpp"

namespace airreg::serve {

struct WebhookState {
  std::string id;
  std::string secret_base64;
  std::string url;
  std::string expires;  // ISO 8601
  long long cursor = 1;
};

class WebhookStore {
 public:
  WebhookStore(std::filesystem::path state_dir, std::string base_id, std::shared_ptr<fleet::Fleet> fleet);
  ~WebhookStore();
  std::optional<WebhookState> load();
  void save(const WebhookState& state);
  void forget();

 private:
  struct Db;
  Db* db();
  std::filesystem::path state_dir_;
  std::string base_id_;
  std::shared_ptr<fleet::Fleet> fleet_;
  std::mutex mutex_;
  std::unique_ptr<Db> db_;
};

}  // namespace airreg::serve
