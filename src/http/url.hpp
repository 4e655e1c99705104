// URLs as airreg handles them: percent-encoding for paths and query strings (RFC 3986
// unreserved characters kept), the parts of a URL that may be named in a message, and the
// rule that a secret travels over plain http only to this machine. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "airreg/error.hpp"

namespace airreg::http {

std::string url_encode(std::string_view text);

// scheme://host[:port]/path: the userinfo, query and fragment left out (they may hold a
// password or a key), for error messages, logs and the history table.
std::string redacted_url(std::string_view url);
// The host of an http(s) URL, lower-cased, without brackets or port; "" when there is none.
std::string host_of(std::string_view url);
// localhost, 127.0.0.0/8 and ::1.
bool is_loopback_host(std::string_view host);
// A config error when `url` would carry the secret named by `what` (e.g. "OPENAI_API_KEY")
// over plain http to another machine.
std::optional<Error> refuse_plain_http(std::string_view url, std::string_view what);

}  // namespace airreg::http
