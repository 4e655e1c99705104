#include "http_url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace airtable_local {

std::string HttpUrl::origin() const { return scheme + "://" + host + ":" + std::to_string(port); }

bool HttpUrl::is_loopback() const {
  std::string h = host;
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
  if (h == "localhost" || h == "[::1]") return true;
  // 127.x.y.z, each part a number.
  if (h.rfind("127.", 0) != 0) return false;
  int parts = 0;
  size_t start = 0;
  while (start <= h.size()) {
    size_t dot = h.find('.', start);
    std::string_view part(h.data() + start, (dot == std::string::npos ? h.size() : dot) - start);
    int value = -1;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size() || value > 255) return false;
    ++parts;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

std::optional<HttpUrl> parse_http_url(std::string_view text) {
  HttpUrl url;
  size_t colon = text.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  url.scheme = std::string(text.substr(0, colon));
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
  std::string_view rest = text.substr(colon + 3);
  size_t path = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path);
  std::string_view tail = path == std::string_view::npos ? std::string_view{} : rest.substr(path);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  if (tail.find('#') != std::string_view::npos) return std::nullopt;
  for (char c : text)
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f) return std::nullopt;
  url.port = url.scheme == "https" ? 443 : 80;
  size_t port_colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  if (port_colon != std::string_view::npos && (bracket == std::string_view::npos || port_colon > bracket)) {
    std::string_view digits = authority.substr(port_colon + 1);
    int port = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port < 1 ||
        port > 65535)
      return std::nullopt;
    url.port = port;
    authority = authority.substr(0, port_colon);
  }
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[' && authority.back() != ']') return std::nullopt;
  url.host = std::string(authority);
  url.target = tail.empty() ? "/" : std::string(tail);
  if (url.target.front() == '?') url.target = "/" + url.target;
  return url;
}

}  // namespace airtable_local
