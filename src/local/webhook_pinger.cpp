#include "webhook_pinger.hpp"

#include "clock_text.hpp"
#include "digest.hpp"
#include "json_out.hpp"

namespace airtable_local {

std::string ping_body(const std::string& base_id, const std::string& webhook_id,
                      std::chrono::system_clock::time_point now) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_key(w, "base");
  w.StartObject();
  write_member(w, "id", base_id);
  w.EndObject();
  write_key(w, "webhook");
  w.StartObject();
  write_member(w, "id", webhook_id);
  w.EndObject();
  write_member(w, "timestamp", format_datetime(now));
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string ping_mac_header(const std::string& mac_secret_base64, const std::string& body) {
  std::string key = base64_decode(mac_secret_base64).value_or(std::string());
  Sha256Digest mac = hmac_sha256(key, body);
  return "hmac-sha256=" + to_hex(mac.data(), mac.size());
}

WebhookPinger::WebhookPinger(PingSender send, PingReporter report, Options options)
    : send_(std::move(send)), report_(std::move(report)), options_(options), thread_([this] { run(); }) {}

WebhookPinger::~WebhookPinger() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void WebhookPinger::notify(const PingTarget& target) {
  {
    std::lock_guard lock(mutex_);
    auto [it, added] = pending_.try_emplace(target.base_id + "/" + target.webhook_id);
    // A waiting retry becomes a fresh ping: the receiver has something new to fetch.
    if (added || it->second.retry > 0) it->second = Pending{target, 0, Clock::now()};
  }
  wake_.notify_all();
}

void WebhookPinger::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto next = pending_.end();
    for (auto it = pending_.begin(); it != pending_.end(); ++it)
      if (next == pending_.end() || it->second.due < next->second.due) next = it;
    if (next == pending_.end()) {
      wake_.wait(lock);
      continue;
    }
    if (next->second.due > Clock::now()) {
      wake_.wait_until(lock, next->second.due);
      continue;
    }
    Pending job = std::move(next->second);
    pending_.erase(next);
    lock.unlock();
    attempt(std::move(job));
    lock.lock();
  }
}

void WebhookPinger::attempt(Pending job) {
  auto started = Clock::now();
  auto url = parse_http_url(job.target.url);
  std::string body = ping_body(job.target.base_id, job.target.webhook_id, std::chrono::system_clock::now());
  PingDelivery delivery = url ? send_(*url, body, ping_mac_header(job.target.mac_secret_base64, body))
                              : PingDelivery{false, "the notificationUrl is not a valid URL"};
  NotificationResult result;
  result.success = delivery.delivered;
  result.error = delivery.error;
  result.completed = std::chrono::system_clock::now();
  result.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  result.retry_number = job.retry;
  result.will_be_retried = !delivery.delivered && job.retry < options_.max_retries;
  if (result.will_be_retried) {
    std::lock_guard lock(mutex_);
    auto backoff = options_.first_backoff * (1 << job.retry);
    // A newer ping queued meanwhile supersedes the retry.
    pending_.try_emplace(job.target.base_id + "/" + job.target.webhook_id,
                         Pending{job.target, job.retry + 1, Clock::now() + backoff});
  }
  report_(job.target, result);
}

}  // namespace airtable_local
