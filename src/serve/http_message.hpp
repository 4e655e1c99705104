// A request and its answer as the serve layer sees them, independent of the HTTP library, so
// that the router is a pure function of its inputs (unit-tested and fuzzed without a socket).
// Plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace airreg::serve {

struct ServeRequest {
  std::string method;
  std::string path;  // decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  bool from_loopback = true;

  // The first value of a query parameter or header (names compared as given / lower-case).
  std::optional<std::string> param(std::string_view name) const;
  std::optional<std::string> header(std::string_view lower_name) const;
};

struct ServeResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Parses "a=1&b=x%20y" (also '+' for a space), as browsers and clients send it.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);
std::string percent_decode(std::string_view text, bool plus_is_space);

}  // namespace airreg::serve
