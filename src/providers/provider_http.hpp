// One provider's HTTP side: its base URL, its auth headers, and requests that retry what a
// retry can fix (a 429 after the provider's stated wait; a 5xx, timeout or reset with
// backoff) and turn a refused key into "the key in VARIABLE was refused by PROVIDER" without
// the key. Thread-safe as long as each discovery has its own (the counter is not shared).
#pragma once

#include <string>

#include "airreg/clock.hpp"
#include "airreg/discovery.hpp"
#include "airreg/http_transport.hpp"

namespace airreg::providers {

struct ProviderHttp {
  std::string provider;      // as the user names it: "openai", "deepseek"
  std::string base_url;      // without a trailing slash
  std::string key;           // secret; "" when the provider needs none
  std::string key_variable;  // where the key came from, for messages
  HttpHeaders auth_headers;  // e.g. Authorization: Bearer <key>
  const DiscoveryConfig* config = nullptr;
  HttpTransport* transport = nullptr;
  const Clock* clock = nullptr;
  std::stop_token stop;  // cuts waits and requests short
  size_t requests = 0;

  Result<HttpResponse> get(const std::string& path_and_query);
  Result<HttpResponse> post_json(const std::string& path, const std::string& body);

 private:
  Result<HttpResponse> send(HttpRequest request);
  Error failure(const HttpResponse& response) const;
};

// The wait a 429 asks for: Retry-After / retry-after-ms headers, OpenAI's
// x-ratelimit-reset-requests ("6m0s", "20ms"), Gemini's RetryInfo.retryDelay ("12s") in the
// body. Empty when the answer names none.
std::optional<std::chrono::milliseconds> requested_wait(const HttpResponse& response);
// "1.5s", "6m0s", "20ms", "1h2m3s" -> milliseconds.
std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text);
// The message with every occurrence of secret replaced by "***".
std::string redact(std::string message, const std::string& secret);

}  // namespace airreg::providers
