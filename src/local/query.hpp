// Splits a request target ("/v0/app/Table%20Name?fields%5B%5D=a") into decoded path segments
// and query parameters. Pure functions; any bytes in, never a crash.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace airtable_local {

struct Target {
  std::vector<std::string> segments;  // percent-decoded, empty ones dropped
  std::vector<std::pair<std::string, std::string>> params;  // in order, keys may repeat

  // The first value of a parameter, or nullptr.
  const std::string* param(std::string_view key) const;
  std::vector<std::string> all(std::string_view key) const;
};

// plus_is_space: '+' means ' ' in a query string but not in a path.
std::string percent_decode(std::string_view s, bool plus_is_space);
Target parse_target(std::string_view target);

}  // namespace airtable_local
