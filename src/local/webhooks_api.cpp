#include "webhooks_api.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>

#include "digest.hpp"
#include "json_out.hpp"
#include "webhook_spec.hpp"

namespace airtable_local {

namespace {

using simdjson::dom::element;

ApiError webhook_not_found(const std::string& id) {
  return {404, "NOT_FOUND", "Could not find a webhook with id \"" + id + "\""};
}

Webhook* find_webhook(Base& base, const std::string& id) {
  auto it = std::find_if(base.webhooks.begin(), base.webhooks.end(),
                         [&](const Webhook& h) { return h.id == id; });
  return it == base.webhooks.end() ? nullptr : &*it;
}

SysTime expiration_from(SysTime now) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(now) + kWebhookLifetime;
}

std::string to_json(const std::function<void(JsonWriter&)>& body) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  body(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

void write_optional_string(JsonWriter& w, std::string_view key, const std::string& value) {
  write_key(w, key);
  if (value.empty()) {
    w.Null();
  } else {
    write_string(w, value);
  }
}

std::expected<long long, ApiError> int_param(const Target& target, const char* name, long long fallback,
                                             long long min, long long max) {
  const std::string* text = target.param(name);
  if (!text) return fallback;
  long long v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || v < min || v > max)
    return std::unexpected(invalid_request(std::string(name) + " must be an integer from " +
                                           std::to_string(min) + " to " + std::to_string(max)));
  return v;
}

}  // namespace

void write_notification_result(JsonWriter& w, const NotificationResult& r) {
  w.StartObject();
  write_key(w, "success");
  w.Bool(r.success);
  if (!r.success) {
    write_key(w, "error");
    w.StartObject();
    write_member(w, "message", r.error);
    w.EndObject();
  }
  write_member(w, "completionTimestamp", format_datetime(r.completed));
  write_key(w, "durationMs");
  w.Int64(r.duration_ms);
  write_key(w, "retryNumber");
  w.Int(r.retry_number);
  if (!r.success) {
    write_key(w, "willBeRetried");
    w.Bool(r.will_be_retried);
  }
  w.EndObject();
}

Reply create_webhook(Base& base, element body, IdGenerator& ids, SysTime now) {
  auto request = parse_create_webhook(body, base);
  if (!request) return std::unexpected(request.error());
  if (base.webhooks.size() >= kMaxWebhooksPerBase)
    return std::unexpected(ApiError{422, "TOO_MANY_WEBHOOKS_IN_BASE",
                                    "A base can have at most " + std::to_string(kMaxWebhooksPerBase) +
                                        " webhooks; delete one first"});
  Webhook hook;
  hook.id = ids.next("ach");
  hook.mac_secret_base64 = base64_encode(ids.random_bytes(32));
  hook.notification_url = request->notification_url;
  hook.spec = std::move(request->spec);
  hook.expiration = expiration_from(now);
  base.webhooks.push_back(std::move(hook));
  const Webhook& made = base.webhooks.back();
  return to_json([&](JsonWriter& w) {
    w.StartObject();
    write_member(w, "id", made.id);
    write_member(w, "macSecretBase64", made.mac_secret_base64);
    write_member(w, "expirationTime", format_datetime(made.expiration));
    w.EndObject();
  });
}

Reply list_webhooks(const Base& base, SysTime now) {
  return to_json([&](JsonWriter& w) {
    w.StartObject();
    write_key(w, "webhooks");
    w.StartArray();
    for (const auto& h : base.webhooks) {
      w.StartObject();
      write_member(w, "id", h.id);
      write_key(w, "areNotificationsEnabled");
      w.Bool(h.notifications_enabled);
      write_key(w, "cursorForNextPayload");
      w.Int64(h.next_cursor);
      write_key(w, "isHookEnabled");
      w.Bool(h.enabled(now));
      write_optional_string(w, "lastSuccessfulNotificationTime",
                            h.last_successful_notification ? format_datetime(*h.last_successful_notification) : "");
      write_optional_string(w, "notificationUrl", h.notification_url);
      write_member(w, "expirationTime", format_datetime(h.expiration));
      write_key(w, "lastNotificationResult");
      if (h.last_result) {
        write_notification_result(w, *h.last_result);
      } else {
        w.Null();
      }
      write_key(w, "specification");
      w.RawValue(h.spec.json.data(), h.spec.json.size(), rapidjson::kObjectType);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

Reply refresh_webhook(Base& base, const std::string& webhook_id, SysTime now) {
  Webhook* hook = find_webhook(base, webhook_id);
  if (!hook) return std::unexpected(webhook_not_found(webhook_id));
  // Airtable extends a webhook only while it is still active.
  if (!hook->enabled(now))
    return std::unexpected(invalid_request("The webhook " + webhook_id +
                                           " is disabled (expired); create a new one"));
  hook->expiration = expiration_from(now);
  return to_json([&](JsonWriter& w) {
    w.StartObject();
    write_member(w, "expirationTime", format_datetime(hook->expiration));
    w.EndObject();
  });
}

Reply delete_webhook(Base& base, const std::string& webhook_id) {
  if (!find_webhook(base, webhook_id)) return std::unexpected(webhook_not_found(webhook_id));
  std::erase_if(base.webhooks, [&](const Webhook& h) { return h.id == webhook_id; });
  return std::string("{}");
}

Reply enable_webhook_notifications(Base& base, const std::string& webhook_id, element body) {
  Webhook* hook = find_webhook(base, webhook_id);
  if (!hook) return std::unexpected(webhook_not_found(webhook_id));
  bool enable = false;
  if (body["enable"].get(enable) != simdjson::SUCCESS)
    return std::unexpected(invalid_request("Invalid request: enable must be a boolean"));
  hook->notifications_enabled = enable;
  return std::string("{}");
}

Reply list_webhook_payloads(Base& base, const std::string& webhook_id, const Target& target,
                            SysTime now) {
  Webhook* hook = find_webhook(base, webhook_id);
  if (!hook) return std::unexpected(webhook_not_found(webhook_id));
  auto cursor = int_param(target, "cursor", 1, 1, std::numeric_limits<long long>::max());
  if (!cursor) return std::unexpected(cursor.error());
  auto limit = int_param(target, "limit", kMaxPayloadsPerListing, 1, kMaxPayloadsPerListing);
  if (!limit) return std::unexpected(limit.error());
  // Listing payloads keeps an active webhook alive, as refreshing it does.
  if (hook->enabled(now)) hook->expiration = expiration_from(now);
  // Payloads hold consecutive cursors; dropped ones are skipped to the oldest still kept.
  size_t first = 0;
  if (!hook->payloads.empty() && *cursor > hook->payloads.front().cursor)
    first = static_cast<size_t>(std::min<long long>(*cursor - hook->payloads.front().cursor,
                                                    static_cast<long long>(hook->payloads.size())));
  size_t end = std::min(hook->payloads.size(), first + static_cast<size_t>(*limit));
  long long next = end > first ? hook->payloads[end - 1].cursor + 1 : *cursor;
  return to_json([&](JsonWriter& w) {
    w.StartObject();
    write_key(w, "payloads");
    w.StartArray();
    for (size_t i = first; i < end; ++i)
      w.RawValue(hook->payloads[i].json.data(), hook->payloads[i].json.size(), rapidjson::kObjectType);
    w.EndArray();
    write_key(w, "cursor");
    w.Int64(next);
    write_key(w, "mightHaveMore");
    w.Bool(end < hook->payloads.size());
    w.EndObject();
  });
}

}  // namespace airtable_local
