#include "service.hpp"

#include <simdjson.h>

#include <algorithm>
#include <iostream>

#include "json_out.hpp"
#include "meta_api.hpp"
#include "query.hpp"
#include "store_file.hpp"
#include "user_identity.hpp"
#include "webhook_payloads.hpp"
#include "webhooks_api.hpp"

namespace airtable_local {

namespace {

HttpAnswer error_answer(const ApiError& e) { return {e.status, error_json(e), {}}; }

HttpAnswer reply_answer(const Reply& r) { return r ? HttpAnswer{200, *r, {}} : error_answer(r.error()); }

// Airtable answers an unknown route with a bare string error, not an object.
HttpAnswer route_not_found() { return {404, R"({"error":"NOT_FOUND"})", {}}; }

bool valid_utf8(const std::string& s) { return simdjson::validate_utf8(s.data(), s.size()); }

ApiError billing_limit_exceeded() {
  return {429, "PUBLIC_API_BILLING_LIMIT_EXCEEDED",
          "API billing plan limit exceeded. You've reached the maximum number of requests allowed "
          "for this month."};
}

}  // namespace

Service::Service(ServiceOptions options, Store store)
    : options_(std::move(options)),
      store_(std::move(store)),
      ids_(options_.seed),
      limiter_(options_.rate_limit, options_.penalty) {
  for (const auto& id : options_.base_ids) {
    if (store_.find_base(id)) continue;
    Base base;
    base.id = id;
    store_.bases.push_back(std::move(base));
  }
  if (options_.ping_sender)
    pinger_ = std::make_unique<WebhookPinger>(
        options_.ping_sender,
        [this](const PingTarget& target, const NotificationResult& result) {
          record_notification(target, result);
        },
        options_.ping_options);
}

std::expected<void, std::string> Service::save_locked() {
  if (options_.data_path.empty()) return {};
  return save_store(store_, options_.data_path);
}

void Service::save() {
  std::lock_guard lock(mutex_);
  if (auto ok = save_locked(); !ok) std::cerr << "airtable-local: could not save " << ok.error() << "\n";
}

void Service::record_notification(const PingTarget& target, const NotificationResult& result) {
  std::lock_guard lock(mutex_);
  Base* base = store_.find_base(target.base_id);
  if (!base) return;
  for (auto& hook : base->webhooks) {
    if (hook.id != target.webhook_id) continue;
    hook.last_result = result;
    if (result.success) hook.last_successful_notification = result.completed;
  }
}

// Every authenticated call counts against --monthly-quota, whatever its answer.
std::optional<HttpAnswer> Service::count_call() {
  std::lock_guard lock(mutex_);
  uint64_t quota = options_.monthly_quota;
  if (quota > 0 && store_.api_calls >= quota) return error_answer(billing_limit_exceeded());
  ++store_.api_calls;
  // The call that uses the quota up is saved at once: a crash must not hand out more calls.
  if (quota > 0 && store_.api_calls == quota) {
    if (auto ok = save_locked(); !ok) std::cerr << "airtable-local: could not save " << ok.error() << "\n";
  }
  return std::nullopt;
}

HttpAnswer Service::handle(const HttpCall& call) {
  const std::string& auth = call.authorization;
  const std::string prefix = "Bearer ";
  std::string token = auth.rfind(prefix, 0) == 0 ? auth.substr(prefix.size()) : std::string();
  bool known = options_.tokens.empty()
                   ? !token.empty()
                   : std::find(options_.tokens.begin(), options_.tokens.end(), token) !=
                         options_.tokens.end();
  if (!known) return error_answer({401, "AUTHENTICATION_REQUIRED", "Authentication required"});
  if (auto refused = count_call()) return *refused;
  if (!valid_utf8(call.target) || !valid_utf8(call.body))
    return error_answer(invalid_request("the request is not valid UTF-8"));
  return route(call, token);
}

HttpAnswer Service::route(const HttpCall& call, const std::string& token) {
  Target target = parse_target(call.target);
  const auto& seg = target.segments;
  if (seg.empty() || seg[0] != "v0") return route_not_found();
  // /v0/meta/whoami belongs to no base, so no base's rate limit applies.
  if (seg.size() == 3 && seg[1] == "meta" && seg[2] == "whoami") {
    if (call.method != "GET") return route_not_found();
    return {200, whoami_json(identity_for_token(token)), {}};
  }
  bool meta = seg.size() >= 4 && seg[1] == "meta" && seg[2] == "bases";
  bool hooks = seg.size() >= 4 && seg[1] == "bases" && seg[3] == "webhooks";
  std::string base_id;
  if (meta) {
    base_id = seg[3];
  } else if (hooks) {
    base_id = seg[2];
  } else if (seg.size() >= 2) {
    base_id = seg[1];
  }
  if (base_id.empty()) return route_not_found();
  // The rate limit counts every authenticated request to the base, reads, meta and webhooks.
  if (!limiter_.admit(base_id)) {
    HttpAnswer refused = error_answer({429, "RATE_LIMIT_REACHED",
                                       "You have made too many requests in a single second. Please wait "
                                       "before making more requests."});
    if (options_.retry_after) {
      auto left = std::chrono::ceil<std::chrono::seconds>(limiter_.penalty_left(base_id));
      refused.headers.emplace_back("Retry-After", std::to_string(std::max<long long>(1, left.count())));
    }
    return refused;
  }

  simdjson::dom::parser parser;
  simdjson::dom::element body;
  bool has_body = call.method == "POST" || call.method == "PATCH" || call.method == "PUT";
  // Refreshing a webhook is a POST that carries nothing.
  if (hooks && seg.size() == 6 && seg[5] == "refresh") has_body = false;
  if (has_body && parser.parse(call.body).get(body) != simdjson::SUCCESS)
    return error_answer(invalid_request(
        "Invalid request: parameter validation failed. Check your request data."));

  auto now = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  Base* base = store_.find_base(base_id);
  if (!base) return error_answer(model_not_found());
  Routed routed;
  if (meta) {
    routed = route_meta(*base, seg, call.method, body);
  } else if (hooks) {
    routed = route_webhooks(*base, target, call.method, body, now);
  } else {
    routed = route_records(*base, target, call.method, body, now, token);
  }
  if (!routed.found) return route_not_found();
  if (routed.reply && routed.changed) {
    if (auto ok = save_locked(); !ok)
      return error_answer({500, "SERVER_ERROR", "could not save the data: " + ok.error()});
  }
  return reply_answer(routed.reply);
}

// /v0/meta/bases/{base}/tables[/{table}[/fields[/{field}]]]
Service::Routed Service::route_meta(Base& base, const std::vector<std::string>& seg,
                                    const std::string& m, simdjson::dom::element body) {
  Routed r;
  if (seg.size() < 5 || seg[4] != "tables") {
    r.found = false;
    return r;
  }
  Table* table = seg.size() >= 6 ? base.find_table(seg[5]) : nullptr;
  if (seg.size() >= 6 && !table) {
    r.reply = std::unexpected(model_not_found());
    return r;
  }
  r.changed = m != "GET";
  if (seg.size() == 5 && m == "GET") {
    r.reply = list_tables(base);
  } else if (seg.size() == 5 && m == "POST") {
    r.reply = create_table(base, body, ids_);
  } else if (seg.size() == 6 && m == "PATCH") {
    r.reply = update_table(*table, base, body);
  } else if (seg.size() == 7 && seg[6] == "fields" && m == "POST") {
    r.reply = create_field(*table, body, ids_);
  } else if (seg.size() == 8 && seg[6] == "fields" && m == "PATCH") {
    r.reply = update_field(*table, seg[7], body);
  } else {
    r.found = false;
  }
  return r;
}

// /v0/bases/{base}/webhooks[/{id}[/refresh | /payloads | /enableNotifications]]
Service::Routed Service::route_webhooks(Base& base, const Target& target, const std::string& m,
                                        simdjson::dom::element body, SysTime now) {
  const auto& seg = target.segments;
  Routed r;
  const std::string id = seg.size() >= 5 ? seg[4] : std::string();
  const std::string action = seg.size() == 6 ? seg[5] : std::string();
  r.changed = m != "GET";
  if (seg.size() == 4 && m == "GET") {
    r.reply = list_webhooks(base, now);
  } else if (seg.size() == 4 && m == "POST") {
    r.reply = create_webhook(base, body, ids_, now);
    // Airtable pings a new webhook's notificationUrl shortly after creating it.
    if (r.reply && pinger_) {
      if (auto target = ping_target(base, base.webhooks.back(), now)) pinger_->notify(*target);
    }
  } else if (seg.size() == 5 && m == "DELETE") {
    r.reply = delete_webhook(base, id);
  } else if (action == "refresh" && m == "POST") {
    r.reply = refresh_webhook(base, id, now);
  } else if (action == "enableNotifications" && m == "POST") {
    r.reply = enable_webhook_notifications(base, id, body);
  } else if (action == "payloads" && m == "GET") {
    r.reply = list_webhook_payloads(base, id, target, now);
  } else {
    r.found = false;
  }
  return r;
}

// /v0/{base}/{table}[/{record} | /listRecords]
Service::Routed Service::route_records(Base& base, const Target& target, const std::string& m,
                                       simdjson::dom::element body, SysTime now,
                                       const std::string& token) {
  const auto& seg = target.segments;
  Routed r;
  if (seg.size() < 3 || seg.size() > 4) {
    r.found = false;
    return r;
  }
  Table* table = base.find_table(seg[2]);
  if (!table) {
    r.reply = std::unexpected(model_not_found());
    return r;
  }
  bool by_id = false;
  if (auto* v = target.param("returnFieldsByFieldId")) by_id = *v == "true" || *v == "1";
  TableChanges changes;
  r.changed = m != "GET" && !(seg.size() == 4 && seg[3] == "listRecords");
  if (seg.size() == 3) {
    if (m == "GET") {
      auto options = list_options_from_query(target, *table);
      r.reply = options ? list_records(*table, *options, now, ids_) : std::unexpected(options.error());
    } else if (m == "POST") {
      r.reply = create_records(*table, body, ids_, now, changes);
    } else if (m == "PATCH" || m == "PUT") {
      r.reply = update_records(*table, body, m == "PUT", ids_, now, changes);
    } else if (m == "DELETE") {
      auto ids = target.all("records[]");
      if (ids.empty()) ids = target.all("records");
      r.reply = delete_records(*table, ids, false, changes);
    } else {
      r.found = false;
    }
  } else if (seg[3] == "listRecords" && m == "POST") {
    auto options = list_options_from_body(body, *table);
    r.reply = options ? list_records(*table, *options, now, ids_) : std::unexpected(options.error());
  } else if (m == "GET") {
    r.reply = get_record(*table, seg[3], by_id);
  } else if (m == "PATCH" || m == "PUT") {
    r.reply = update_record(*table, seg[3], body, m == "PUT", ids_, now, changes);
  } else if (m == "DELETE") {
    r.reply = delete_records(*table, {seg[3]}, true, changes);
  } else {
    r.found = false;
  }
  if (r.reply && !changes.empty()) {
    auto pings = record_payloads(base, *table, changes, identity_for_token(token), now);
    if (pinger_)
      for (const auto& ping : pings) pinger_->notify(ping);
  }
  return r;
}

}  // namespace airtable_local
