#include "http/url.hpp"

#include <cctype>

namespace airreg::http {

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace airreg::http

namespace airreg::http {

namespace {

// [scheme://][userinfo@]authority[/path][?query][#fragment]
struct UrlParts {
  std::string_view scheme, authority, path;
};

UrlParts split(std::string_view url) {
  UrlParts p;
  size_t sep = url.find("://");
  std::string_view rest = url;
  if (sep != std::string_view::npos) {
    p.scheme = url.substr(0, sep);
    rest = url.substr(sep + 3);
  }
  size_t end = rest.find_first_of("/?#");
  p.authority = rest.substr(0, end);
  if (size_t at = p.authority.rfind('@'); at != std::string_view::npos) p.authority.remove_prefix(at + 1);
  if (end != std::string_view::npos && rest[end] == '/') {
    std::string_view tail = rest.substr(end);
    p.path = tail.substr(0, tail.find_first_of("?#"));
  }
  return p;
}

}  // namespace

std::string redacted_url(std::string_view url) {
  UrlParts p = split(url);
  std::string out;
  if (!p.scheme.empty()) (out += p.scheme) += "://";
  out += p.authority;
  out += p.path;
  return out;
}

std::string host_of(std::string_view url) {
  std::string_view authority = split(url).authority;
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    host = host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  std::string out(host);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

std::optional<Error> refuse_plain_http(std::string_view url, std::string_view what) {
  if (!url.starts_with("http://")) return std::nullopt;
  std::string host = host_of(url);
  if (is_loopback_host(host)) return std::nullopt;
  return make_error(ErrorCode::config, "refusing to send " + std::string(what) + " over plain http to " + host +
                                           ": use an https:// URL (plain http is allowed only to this machine)");
}

}  // namespace airreg::http
