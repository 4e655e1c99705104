// Errors are values: every fallible call returns Result<T> = std::expected<T, Error>.
// Error carries a code, a message a person can act on, the HTTP status (0 when there was no
// answer), Airtable's or the provider's error type, and whether a retry may help.
// Plain value type; thread-safe to copy.
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace airreg {

enum class ErrorCode {
  invalid_argument,    // a caller or a person gave a value that cannot work
  config,              // missing or broken configuration (a variable, a file)
  io,                  // the local disk
  parse,               // a body that is not the JSON expected
  // Transport failures: no HTTP answer at all.
  dns,
  connection_refused,
  connection_reset,
  timeout,
  tls,
  transport,           // any other transport failure
  // HTTP answers.
  unauthorized,        // 401
  forbidden,           // 403
  not_found,           // 404
  invalid_request,     // 400, 422
  rate_limited,        // 429
  quota_exhausted,     // 429 PUBLIC_API_BILLING_LIMIT_EXCEEDED: the workspace's monthly calls are spent
  server_error,        // 5xx
  http_status,         // any other status
  cancelled,
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::transport;
  std::string message;
  int http_status = 0;
  bool retryable = false;
  std::string type;  // Airtable's error type (e.g. INVALID_VALUE_FOR_COLUMN), when given
  std::optional<std::chrono::milliseconds> retry_after;  // from Retry-After, when given

  // "message (HTTP 422 INVALID_VALUE_FOR_COLUMN)".
  std::string describe() const;
};

template <typename T>
using Result = std::expected<T, Error>;

inline Error make_error(ErrorCode code, std::string message, bool retryable = false) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  e.retryable = retryable;
  return e;
}

}  // namespace airreg
