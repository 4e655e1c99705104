// A webhook's notificationUrl, taken apart: the checks at creation (http or https, a host) and
// the loopback rule of the pinger (airtable-local only pings this machine). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace airtable_local {

struct HttpUrl {
  std::string scheme;  // http or https
  std::string host;    // as written; an IPv6 address keeps its brackets
  int port = 0;        // the scheme's default when the URL names none
  std::string target;  // path and query, at least "/"

  // scheme://host:port, as an HTTP client takes it.
  std::string origin() const;
  // localhost, 127.0.0.0/8 or [::1].
  bool is_loopback() const;
};

// Nothing unless it is an absolute http(s) URL with a host (no user info, no fragment).
std::optional<HttpUrl> parse_http_url(std::string_view text);

}  // namespace airtable_local
