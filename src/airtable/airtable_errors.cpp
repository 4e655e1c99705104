#include "airtable/airtable_errors.hpp"

#include <simdjson.h>

#include <charconv>

namespace airreg::airtable {

namespace {

ErrorCode code_for(int status) {
  switch (status) {
    case 400:
    case 422: return ErrorCode::invalid_request;
    case 401: return ErrorCode::unauthorized;
    case 403: return ErrorCode::forbidden;
    case 404: return ErrorCode::not_found;
    case 429: return ErrorCode::rate_limited;
    default: return status >= 500 ? ErrorCode::server_error : ErrorCode::http_status;
  }
}

bool retryable(int status) { return status == 429 || status == 500 || status == 502 || status == 503 || status == 504; }

// Airtable sends {"error":{"type","message"}} and, for unknown routes, {"error":"NOT_FOUND"}.
void read_body(const std::string& body, std::string& type, std::string& message) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return;
  std::string_view s;
  if (doc["error"].get(s) == simdjson::SUCCESS) {
    type = s;
    return;
  }
  if (doc["error"]["type"].get(s) == simdjson::SUCCESS) type = s;
  if (doc["error"]["message"].get(s) == simdjson::SUCCESS) message = s;
}

}  // namespace

Error error_from_response(const HttpResponse& response, const std::string& scope, const std::string& base_id) {
  Error e;
  e.http_status = response.status;
  e.code = code_for(response.status);
  e.retryable = retryable(response.status);
  std::string message;
  read_body(response.body, e.type, message);
  if (message.empty()) message = e.type.empty() ? "Airtable answered HTTP " + std::to_string(response.status) : e.type;
  if (response.status == 401) {
    message = "Airtable refused the token (" + message +
              "): check AIRTABLE_API_KEY; it must be a valid personal access token";
  } else if (response.status == 403) {
    message = "Airtable refused access (" + message + "): the token probably lacks the scope " + scope +
              ", or has no access to base " + base_id;
  } else if (response.status == 429 && e.type == "PUBLIC_API_BILLING_LIMIT_EXCEEDED") {
    // Not a pace to wait out: nothing succeeds until the workspace's next billing month.
    e.code = ErrorCode::quota_exhausted;
    e.retryable = false;
    message = "Airtable's monthly API call quota of this workspace is spent (" + message +
              "): nothing reaches Airtable until the next billing month or a bigger plan; "
              "answers come from what was read before, marked with their age";
  } else if (response.status == 429) {
    message = "Airtable rate limit reached (" + message + ")";
  }
  e.message = std::move(message);
  if (auto after = response.header("Retry-After")) {
    int seconds = 0;
    auto [end, ec] = std::from_chars(after->data(), after->data() + after->size(), seconds);
    // Airtable's penalty is 30 s; an hour bounds a broken header.
    if (ec == std::errc() && seconds >= 0) e.retry_after = std::chrono::seconds(std::min(seconds, 3600));
  }
  return e;
}

}  // namespace airreg::airtable
