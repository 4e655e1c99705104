#include "serve/webhook_manager.hpp"

#include <simdjson.h>

#include "core/time_text.hpp"
#include "serve/json_answers.hpp"
#include "serve/webhook_mac.hpp"

namespace airreg::serve {

namespace {

using namespace std::chrono_literals;

constexpr auto kCheckEvery = 1h;  // the expiry
constexpr auto kRefreshWhenLeft = std::chrono::hours(72);
// The fleet's word that a webhook is gone (its id), for the instances that did not ask.
constexpr const char* kGoneValue = "webhook-gone";
constexpr auto kGoneFor = std::chrono::hours(24 * 8);  // past any webhook's 7-day life
constexpr auto kFleetWordEvery = 1min;                  // how often an instance reads it

ServeResponse json_answer(int status, std::string body) { return ServeResponse{status, "application/json", std::move(body), {}}; }

}  // namespace

std::string WebhookManager::notification_url(const std::string& public_url) {
  std::string base = public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/airtable/webhook";
}

WebhookManager::WebhookManager(AirtableClient client, ModelRegistry& registry,
                               std::shared_ptr<fleet::Fleet> fleet, std::string public_url, std::filesystem::path state_dir,
                               std::shared_ptr<spdlog::logger> logger, std::chrono::milliseconds check_every)
    : client_(std::move(client)),
      registry_(registry),
      fleet_(fleet),
      url_(notification_url(public_url)),
      store_(std::move(state_dir), client_.config().base_id, std::move(fleet)),
      logger_(std::move(logger)),
      check_every_(check_every) {}

WebhookManager::~WebhookManager() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<void> WebhookManager::start(const std::string& registry_table_id) {
  table_id_ = registry_table_id;
  if (table_id_.rfind("tbl", 0) != 0)
    return std::unexpected(make_error(ErrorCode::config, "webhooks need the registry table's id: the token needs schema.bases:read"));
  // One instance of the fleet makes the webhook; the others find it in Redis.
  auto setup = fleet::wait_for_lease(*fleet_, "webhook-setup", 30s, 30s);
  if (!setup) return std::unexpected(make_error(ErrorCode::timeout, "another instance held the webhook's setup for 30 s"));
  auto kept = store_.load();
  if (kept && kept->url != url_) kept.reset();
  // One the fleet found gone (an instance's own record may still hold it).
  if (kept && fleet_->shared() && fleet_->value(kGoneValue) == kept->id) kept.reset();
  auto expires = kept ? core::parse_utc(kept->expires) : std::nullopt;
  if (kept && !(fleet_->shared() && expires && *expires > std::chrono::system_clock::now())) {
    // Kept here by an earlier run: still there? A webhook deleted by hand (or expired) is made
    // again. One the fleet shares and that has not expired is taken as it is (each instance
    // checking would cost a call per start); a payload read that finds it gone says so.
    auto listed = client_.list_webhooks();
    if (!listed) return std::unexpected(listed.error());
    bool alive = std::any_of(listed->begin(), listed->end(), [&](const WebhookInfo& w) { return w.id == kept->id; });
    if (!alive) kept.reset();
  }
  if (!kept) {
    if (auto me = client_.whoami()) own_user_ = *me;
    auto made = client_.create_webhook(url_, table_id_);
    if (!made) return std::unexpected(made.error());
    kept = WebhookState{made->id, made->mac_secret_base64, url_, made->expiration_time, made->cursor_for_next_payload};
    store_.save(*kept);
    if (logger_) logger_->info("webhook {} made on the registry table; notifications go to {}", kept->id, url_);
  }
  {
    std::lock_guard lock(state_mutex_);
    state_ = *kept;
  }
  registry_.use_webhook(true);
  // Edits made between the warm-up's read and the webhook's creation have no payload: the
  // table is revalidated once.
  registry_.invalidate({});
  thread_ = std::thread([this] { loop(); });
  return {};
}

ServeResponse WebhookManager::ping(const ServeRequest& request) {
  if (request.method != "POST") return json_answer(405, error_json("this route takes POST", "invalid_request_error"));
  pings_.fetch_add(1, std::memory_order_relaxed);
  std::string secret;
  {
    std::lock_guard lock(state_mutex_);
    secret = state_.secret_base64;
  }
  if (secret.empty()) {
    // Not set up yet (the table is being bound): Airtable pings again.
    auto busy = json_answer(503, error_json("the webhook is being set up", "server_error"));
    busy.headers.emplace_back("Retry-After", "5");
    return busy;
  }
  auto mac = request.header("x-airtable-content-mac");
  if (!mac || !valid_webhook_mac(secret, request.body, *mac)) {
    size_t refused = refused_.fetch_add(1, std::memory_order_relaxed) + 1;
    // Anyone who finds the URL can post to it: the log says so once a minute at most, with
    // the count, instead of a line per request.
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = refused_logged_at_.load(std::memory_order_relaxed);
    bool due = last == kNeverLogged || now - last >= std::chrono::steady_clock::duration(std::chrono::minutes(1)).count();
    if (logger_ && due && refused_logged_at_.compare_exchange_strong(last, now, std::memory_order_relaxed))
      logger_->warn("a webhook notification without a valid MAC was refused ({} bytes; {} refused since start, logged at most once a minute)",
                    request.body.size(), refused);
    return json_answer(401, error_json("the notification's X-Airtable-Content-MAC does not match", "authentication_error"));
  }
  {
    std::lock_guard lock(mutex_);
    pinged_ = true;
  }
  wake_.notify_all();
  return json_answer(200, R"({"ok":true})");
}

WebhookCounts WebhookManager::counts() const {
  return WebhookCounts{pings_.load(), refused_.load(), payloads_.load(), own_.load(), applied_.load()};
}

void WebhookManager::loop() {
  using Steady = std::chrono::steady_clock;
  auto next_check = Steady::now();
  auto next_read = Steady::now();  // payloads are read at most once a second (pings replayed cost nothing more)
  auto next_alive = Steady::now() + check_every_;  // start() found it there
  auto next_word = Steady::now() + kFleetWordEvery;
  std::optional<Steady::time_point> retry_at;
  std::unique_lock lock(mutex_);
  for (;;) {
    auto until = retry_at ? std::min(next_check, *retry_at) : next_check;
    if (!given_up_) until = std::min(until, next_word);
    if (!given_up_ && check_every_.count() > 0) until = std::min(until, next_alive);
    wake_.wait_until(lock, until, [&] { return stopping_ || pinged_; });
    if (stopping_) return;
    if (pinged_ && Steady::now() < next_read) {
      wake_.wait_until(lock, next_read, [&] { return stopping_; });
      if (stopping_) return;
    }
    bool read = pinged_ || (retry_at && Steady::now() >= *retry_at);
    pinged_ = false;
    lock.unlock();
    if (read) {
      next_read = Steady::now() + std::chrono::seconds(1);
      // A read that failed (no lease, an error) is tried again: the ping is not lost.
      retry_at = read_payloads() ? std::nullopt : std::optional(Steady::now() + std::chrono::seconds(30));
    }
    if (!given_up_) {
      bool ask_airtable = check_every_.count() > 0 && Steady::now() >= next_alive;
      if (ask_airtable || Steady::now() >= next_word) {
        check_still_there(ask_airtable);
        next_word = Steady::now() + kFleetWordEvery;
        if (ask_airtable) next_alive = Steady::now() + check_every_;
      }
    }
    if (Steady::now() >= next_check) {
      if (!given_up_) refresh_if_due();
      next_check = Steady::now() + kCheckEvery;
    }
    lock.lock();
  }
}

bool WebhookManager::read_payloads() {
  // One instance of the fleet reads at a time, from the cursor the last one stored.
  auto lease = fleet::wait_for_lease(*fleet_, "webhook-payloads", 30s, 10s);
  if (!lease) return false;
  WebhookState state;
  if (auto shared = store_.load()) {
    state = *shared;
  } else {
    std::lock_guard lock(state_mutex_);
    state = state_;
  }
  std::vector<RecordChange> changes;
  bool complete = true;
  for (int pages = 0;; ++pages) {
    if (pages == 100) {
      complete = false;  // the rest on the next round
      break;
    }
    auto page = client_.webhook_payloads(state.id, state.cursor);
    if (!page) {
      if (page.error().code == ErrorCode::not_found) {
        // Deleted by hand, or expired: nothing tells this registry of changes any more.
        give_up(state.id, true);
        return true;
      }
      if (logger_) logger_->warn("webhook payloads could not be read: {}", page.error().describe());
      complete = false;
      break;
    }
    for (auto& p : page->payloads) {
      payloads_.fetch_add(1, std::memory_order_relaxed);
      if (p.source == "publicApi" && !own_user_.empty() && p.user_id == own_user_) own_.fetch_add(1, std::memory_order_relaxed);
      for (auto& c : p.changes) changes.push_back(std::move(c));
    }
    state.cursor = page->cursor;
    if (!page->might_have_more) break;
  }
  if (!changes.empty()) {
    applied_.fetch_add(changes.size(), std::memory_order_relaxed);
    auto providers = registry_.apply_changes(changes);
    if (logger_ && !providers.empty()) logger_->info("webhook: {} change(s) applied to the table", changes.size());
  }
  store_.save(state);
  std::lock_guard lock(state_mutex_);
  state_.cursor = state.cursor;
  return complete;
}

void WebhookManager::check_still_there(bool ask_airtable) {
  if (given_up_) return;
  std::string id;
  {
    std::lock_guard lock(state_mutex_);
    id = state_.id;
  }
  if (id.empty()) return;
  // Another instance found it gone: Redis says so, for free, within kFleetWordEvery.
  if (fleet_->shared() && fleet_->value(kGoneValue) == id) return give_up(id, false);
  // One call to Airtable per period for the whole fleet. (A failed call spends the period;
  // without Redis every instance asks.)
  if (!ask_airtable || !fleet_->try_claim("webhook-check", check_every_)) return;
  auto listed = client_.list_webhooks();
  if (!listed) {
    if (logger_) logger_->warn("could not check that the webhook is still there: {}", listed.error().describe());
    return;
  }
  if (std::none_of(listed->begin(), listed->end(), [&](const WebhookInfo& w) { return w.id == id; })) give_up(id, true);
}

void WebhookManager::give_up(const std::string& id, bool found_here) {
  if (given_up_.exchange(true)) return;
  if (logger_) logger_->error("the webhook {} is gone; revalidating the table instead (restart serve to make one)", id);
  registry_.use_webhook(false);
  // Edits made since it went sent no payload: the table is read again and every answer made
  // again. The instance that found out drops the fleet's copy of the table first (the edits
  // are missing from it too), then tells the fleet, whose instances take its fresh read.
  if (found_here) fleet_->invalidate_snapshot();
  registry_.invalidate({});
  if (found_here && fleet_->shared()) fleet_->put_value(kGoneValue, id, kGoneFor);
  // Only this webhook's record: an instance restarted since may have made and saved another.
  if (auto stored = store_.load(); stored && stored->id == id) store_.forget();
}

void WebhookManager::refresh_if_due() {
  WebhookState state;
  {
    std::lock_guard lock(state_mutex_);
    state = state_;
  }
  auto expires = core::parse_utc(state.expires);
  if (expires && *expires - std::chrono::system_clock::now() > kRefreshWhenLeft) return;
  auto refreshed = client_.refresh_webhook(state.id);
  if (!refreshed) {
    if (logger_) logger_->warn("the webhook could not be refreshed: {}", refreshed.error().describe());
    return;
  }
  state.expires = *refreshed;
  store_.save(state);
  std::lock_guard lock(state_mutex_);
  state_.expires = *refreshed;
}

Result<size_t> WebhookManager::remove(const AirtableClient& client, const std::filesystem::path& state_dir,
                                      std::shared_ptr<fleet::Fleet> fleet) {
  WebhookStore store(state_dir, client.config().base_id, std::move(fleet));
  auto listed = client.list_webhooks();
  if (!listed) return std::unexpected(listed.error());
  auto kept = store.load();
  size_t removed = 0;
  for (const auto& w : *listed) {
    bool ours = kept ? w.id == kept->id : w.notification_url.ends_with("/airtable/webhook");
    if (!ours) continue;
    if (auto gone = client.delete_webhook(w.id); !gone) return std::unexpected(gone.error());
    ++removed;
  }
  store.forget();
  return removed;
}

}  // namespace airreg::serve
