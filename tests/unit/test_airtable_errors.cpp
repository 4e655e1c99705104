// Mapping Airtable's error answers to airreg::Error.
#include <catch2/catch.hpp>

#include "airtable/airtable_errors.hpp"

using namespace airreg;

namespace {
Error map(int status, const std::string& body, HttpHeaders headers = {}) {
  return airtable::error_from_response({status, std::move(headers), body}, "data.records:write", "appB");
}
std::string body(const std::string& type) { return R"({"error":{"type":")" + type + R"(","message":"m"}})"; }
}  // namespace

TEST_CASE("every Airtable error type maps to a code, a status and a retry decision", "[airtable][errors]") {
  struct Case {
    int status;
    std::string type;
    ErrorCode code;
    bool retryable;
  };
  std::vector<Case> cases{
      {401, "AUTHENTICATION_REQUIRED", ErrorCode::unauthorized, false},
      {403, "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND", ErrorCode::forbidden, false},
      {403, "INVALID_PERMISSIONS", ErrorCode::forbidden, false},
      {404, "NOT_FOUND", ErrorCode::not_found, false},
      {404, "MODEL_ID_NOT_FOUND", ErrorCode::not_found, false},
      {422, "INVALID_REQUEST_UNKNOWN", ErrorCode::invalid_request, false},
      {422, "UNKNOWN_FIELD_NAME", ErrorCode::invalid_request, false},
      {422, "INVALID_VALUE_FOR_COLUMN", ErrorCode::invalid_request, false},
      {422, "INVALID_MULTIPLE_CHOICE_OPTIONS", ErrorCode::invalid_request, false},
      {422, "INVALID_RECORDS", ErrorCode::invalid_request, false},
      {422, "INVALID_FILTER_BY_FORMULA", ErrorCode::invalid_request, false},
      {422, "LIST_RECORDS_ITERATOR_NOT_AVAILABLE", ErrorCode::invalid_request, false},
      {400, "INVALID_REQUEST_MISSING_FIELDS", ErrorCode::invalid_request, false},
      {413, "REQUEST_TOO_LARGE", ErrorCode::http_status, false},
      {429, "RATE_LIMIT_REACHED", ErrorCode::rate_limited, true},
      {500, "SERVER_ERROR", ErrorCode::server_error, true},
      {502, "BAD_GATEWAY", ErrorCode::server_error, true},
      {503, "SERVICE_UNAVAILABLE", ErrorCode::server_error, true},
  };
  for (const auto& c : cases) {
    INFO(c.status << " " << c.type);
    Error e = map(c.status, body(c.type));
    CHECK(e.code == c.code);
    CHECK(e.http_status == c.status);
    CHECK(e.type == c.type);
    CHECK(e.retryable == c.retryable);
  }
}

TEST_CASE("401 and 403 say what to fix, naming the scope, never the token", "[airtable][errors]") {
  Error unauthorized = map(401, body("AUTHENTICATION_REQUIRED"));
  CHECK(unauthorized.message.find("AIRTABLE_API_KEY") != std::string::npos);
  Error forbidden = map(403, body("INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND"));
  CHECK(forbidden.message.find("data.records:write") != std::string::npos);
  CHECK(forbidden.message.find("appB") != std::string::npos);
}

TEST_CASE("odd bodies still give a useful error", "[airtable][errors]") {
  CHECK(map(404, R"({"error":"NOT_FOUND"})").type == "NOT_FOUND");
  Error html = map(502, "<html>bad gateway</html>");
  CHECK(html.code == ErrorCode::server_error);
  CHECK(html.message.find("502") != std::string::npos);
  CHECK(map(500, "").retryable);
  Error with_wait = map(429, body("RATE_LIMIT_REACHED"), {{"retry-after", "7"}});
  REQUIRE(with_wait.retry_after.has_value());
  CHECK(*with_wait.retry_after == std::chrono::seconds(7));
}
