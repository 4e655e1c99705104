#include "webhook_store.hpp"

#include "clock_text.hpp"
#include "webhook_spec.hpp"
#include "webhooks_api.hpp"

namespace airtable_local {

namespace {

using simdjson::dom::element;

std::string text(element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

std::optional<SysTime> time_member(element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  return parse_iso8601(v);
}

std::optional<NotificationResult> read_result(element e) {
  if (!e.is_object()) return std::nullopt;
  NotificationResult r;
  bool b = false;
  int64_t n = 0;
  if (e["success"].get(b) == simdjson::SUCCESS) r.success = b;
  std::string_view message;
  if (e["error"]["message"].get(message) == simdjson::SUCCESS) r.error = std::string(message);
  r.completed = time_member(e, "completionTimestamp").value_or(SysTime{});
  if (e["durationMs"].get(n) == simdjson::SUCCESS) r.duration_ms = n;
  if (e["retryNumber"].get(n) == simdjson::SUCCESS) r.retry_number = static_cast<int>(n);
  if (e["willBeRetried"].get(b) == simdjson::SUCCESS) r.will_be_retried = b;
  return r;
}

Webhook read_webhook(element e, const Base& base) {
  Webhook h;
  h.id = text(e, "id");
  h.mac_secret_base64 = text(e, "macSecretBase64");
  h.notification_url = text(e, "notificationUrl");
  element spec;
  if (e["specification"].get(spec) == simdjson::SUCCESS) {
    auto parsed = parse_specification(spec, base);
    if (parsed) {
      h.spec = std::move(*parsed);
    } else {
      h.spec.json = simdjson::minify(spec);
      h.spec_valid = false;
    }
  } else {
    h.spec.json = "{}";
    h.spec_valid = false;
  }
  h.expiration = time_member(e, "expirationTime").value_or(SysTime{});
  bool enabled = true;
  if (e["areNotificationsEnabled"].get(enabled) == simdjson::SUCCESS) h.notifications_enabled = enabled;
  h.last_successful_notification = time_member(e, "lastSuccessfulNotificationTime");
  element result;
  if (e["lastNotificationResult"].get(result) == simdjson::SUCCESS) h.last_result = read_result(result);
  int64_t n = 1;
  if (e["cursorForNextPayload"].get(n) == simdjson::SUCCESS && n >= 1) h.next_cursor = n;
  simdjson::dom::array payloads;
  if (e["payloads"].get(payloads) == simdjson::SUCCESS) {
    for (element p : payloads) {
      int64_t cursor = 0;
      element payload;
      if (p["cursor"].get(cursor) != simdjson::SUCCESS || p["payload"].get(payload) != simdjson::SUCCESS)
        continue;
      // Cursors stay consecutive, as the payload listing relies on.
      if (!h.payloads.empty() && cursor != h.payloads.back().cursor + 1) continue;
      h.payloads.push_back({cursor, simdjson::minify(payload)});
    }
  }
  if (!h.payloads.empty() && h.next_cursor <= h.payloads.back().cursor)
    h.next_cursor = h.payloads.back().cursor + 1;
  return h;
}

}  // namespace

void write_webhooks(JsonWriter& w, const Base& base) {
  write_key(w, "transactionNumber");
  w.Int64(base.transaction_number);
  write_key(w, "webhooks");
  w.StartArray();
  for (const auto& h : base.webhooks) {
    w.StartObject();
    write_member(w, "id", h.id);
    write_member(w, "macSecretBase64", h.mac_secret_base64);
    write_member(w, "notificationUrl", h.notification_url);
    write_key(w, "specification");
    w.RawValue(h.spec.json.data(), h.spec.json.size(), rapidjson::kObjectType);
    write_member(w, "expirationTime", format_datetime(h.expiration));
    write_key(w, "areNotificationsEnabled");
    w.Bool(h.notifications_enabled);
    if (h.last_successful_notification)
      write_member(w, "lastSuccessfulNotificationTime", format_datetime(*h.last_successful_notification));
    if (h.last_result) {
      write_key(w, "lastNotificationResult");
      write_notification_result(w, *h.last_result);
    }
    write_key(w, "cursorForNextPayload");
    w.Int64(h.next_cursor);
    write_key(w, "payloads");
    w.StartArray();
    for (const auto& p : h.payloads) {
      w.StartObject();
      write_key(w, "cursor");
      w.Int64(p.cursor);
      write_key(w, "payload");
      w.RawValue(p.json.data(), p.json.size(), rapidjson::kObjectType);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

void read_webhooks(element base_json, Base& base) {
  int64_t n = 0;
  if (base_json["transactionNumber"].get(n) == simdjson::SUCCESS) base.transaction_number = n;
  simdjson::dom::array hooks;
  if (base_json["webhooks"].get(hooks) != simdjson::SUCCESS) return;
  for (element h : hooks) base.webhooks.push_back(read_webhook(h, base));
}

}  // namespace airtable_local
