// Percent-encoding for URL paths and query strings (RFC 3986 unreserved characters kept).
#pragma once

#include <string>
#include <string_view>

namespace airreg::http {

std::string url_encode(std::string_view text);

}  // namespace airreg::http
