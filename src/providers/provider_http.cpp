#include "providers/provider_http.hpp"

#include <simdjson.h>

#include <charconv>

#include "core/backoff.hpp"
#include "http/url.hpp"

namespace airreg::providers {

namespace {

using namespace std::chrono_literals;

// A wait a server asks for, in ms, as an integer: a huge or broken number (1e300, inf, NaN)
// must not reach a cast to an integer (undefined behaviour); a day is more than anyone waits.
constexpr long long kLongestWaitMs = 86'400'000;
std::chrono::milliseconds clamped_ms(double ms) {
  if (!(ms > 0)) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(ms >= static_cast<double>(kLongestWaitMs) ? kLongestWaitMs : static_cast<long long>(ms));
}

// The provider's own words for an error, from the usual body shapes.
std::string provider_message(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return "";
  std::string_view s;
  if (doc["error"]["message"].get(s) == simdjson::SUCCESS) return std::string(s);
  if (doc["error"].get(s) == simdjson::SUCCESS) return std::string(s);
  if (doc["detail"].get(s) == simdjson::SUCCESS) return std::string(s);
  if (doc["message"].get(s) == simdjson::SUCCESS) return std::string(s);
  return "";
}

// Gemini answers a bad key with 400 API_KEY_INVALID, xAI with 400 and "API key" in the text.
bool key_refused(const HttpResponse& r) {
  if (r.status == 401 || r.status == 403) return true;
  if (r.status != 400) return false;
  return r.body.find("API_KEY_INVALID") != std::string::npos || r.body.find("API key") != std::string::npos ||
         r.body.find("api key") != std::string::npos;
}

}  // namespace

std::string redact(std::string message, const std::string& secret) {
  if (secret.size() < 4) return message;  // too short to hide reliably, and to be a real key
  for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at + 3))
    message.replace(at, secret.size(), "***");
  return message;
}

std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text) {
  double total_ms = 0;
  bool any = false;
  while (!text.empty()) {
    double n;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc()) return std::nullopt;
    text.remove_prefix(static_cast<size_t>(end - text.data()));
    double unit;
    if (text.starts_with("ms")) {
      unit = 1, text.remove_prefix(2);
    } else if (text.starts_with("s")) {
      unit = 1000, text.remove_prefix(1);
    } else if (text.starts_with("m")) {
      unit = 60'000, text.remove_prefix(1);
    } else if (text.starts_with("h")) {
      unit = 3'600'000, text.remove_prefix(1);
    } else {
      return std::nullopt;
    }
    total_ms += n * unit;
    any = true;
  }
  if (!any) return std::nullopt;
  return clamped_ms(total_ms);
}

std::optional<std::chrono::milliseconds> requested_wait(const HttpResponse& r) {
  if (auto ms = r.header("retry-after-ms")) {
    long long v = 0;
    if (std::from_chars(ms->data(), ms->data() + ms->size(), v).ec == std::errc() && v > 0)
      return std::chrono::milliseconds(std::min<long long>(v, kLongestWaitMs));
  }
  if (auto s = r.header("retry-after")) {
    double v = 0;
    if (std::from_chars(s->data(), s->data() + s->size(), v).ec == std::errc() && v >= 0)
      return clamped_ms(v * 1000);
  }
  if (auto reset = r.header("x-ratelimit-reset-requests")) return parse_go_duration(*reset);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array details;
  if (parser.parse(r.body).get(doc) == simdjson::SUCCESS && doc["error"]["details"].get(details) == simdjson::SUCCESS) {
    std::string_view delay;
    for (auto d : details)
      if (d["retryDelay"].get(delay) == simdjson::SUCCESS) return parse_go_duration(delay);
  }
  return std::nullopt;
}

Result<HttpResponse> ProviderHttp::get(const std::string& path_and_query) {
  return send(HttpRequest{"GET", base_url + path_and_query, auth_headers, "", stop});
}

Result<HttpResponse> ProviderHttp::post_json(const std::string& path, const std::string& body) {
  HttpRequest request{"POST", base_url + path, auth_headers, body, stop};
  request.headers.emplace_back("Content-Type", "application/json");
  return send(std::move(request));
}

Error ProviderHttp::failure(const HttpResponse& r) const {
  Error e;
  e.http_status = r.status;
  if (key_refused(r)) {
    e.code = r.status == 403 ? ErrorCode::forbidden : ErrorCode::unauthorized;
    if (!key.empty()) {
      e.message = "the key in " + key_variable + " was refused by " + provider;
    } else {
      e.message = provider + " refused the request without a key" +
                  (key_variable.empty() ? std::string() : ": set " + key_variable);
    }
    return e;  // the provider's words may quote the key: leave them out
  }
  std::string said = redact(provider_message(r.body), key);
  e.code = r.status == 429 ? ErrorCode::rate_limited
           : r.status >= 500 ? ErrorCode::server_error
           : r.status == 404 ? ErrorCode::not_found
                             : ErrorCode::http_status;
  e.retryable = r.status == 429 || r.status >= 500;
  e.message = provider + " answered HTTP " + std::to_string(r.status) + (said.empty() ? "" : ": " + said);
  return e;
}

Result<HttpResponse> ProviderHttp::send(HttpRequest request) {
  if (!key.empty())
    if (auto refused = http::refuse_plain_http(request.url, key_variable.empty() ? "the " + provider + " key" : key_variable))
      return std::unexpected(*refused);
  int failures = 0, limited = 0;
  for (;;) {
    ++requests;
    auto response = transport->send(request);
    std::chrono::milliseconds wait{0};
    if (response && response->status >= 200 && response->status < 300) return response;
    if (response && response->status == 429) {
      Error e = failure(*response);
      auto asked = requested_wait(*response);
      if (++limited > config->max_rate_limited_retries) return std::unexpected(e);
      if (asked && *asked > config->max_rate_limit_wait) {
        e.message += " (it asks to wait " + std::to_string(asked->count() / 1000) + " s; try again later)";
        return std::unexpected(e);
      }
      wait = asked.value_or(core::backoff_delay(limited, config->backoff_base, config->backoff_cap, clock->uniform()));
    } else {
      Error e = response ? failure(*response) : response.error();
      if (!response) e.message = redact(e.message, key);
      if (!e.retryable || ++failures >= config->max_attempts) return std::unexpected(e);
      wait = core::backoff_delay(failures, config->backoff_base, config->backoff_cap, clock->uniform());
    }
    if (stop.stop_requested()) return std::unexpected(make_error(ErrorCode::cancelled, provider + ": stopped"));
    clock->sleep_until(clock->now() + wait, stop);
  }
}

}  // namespace airreg::providers
