#include "fleet/redis_url.hpp"

#include <charconv>

namespace airreg::fleet {

namespace {

Error bad(std::string_view what, const std::string& shown) {
  return make_error(ErrorCode::config, "AIRREG_REDIS_URL " + std::string(what) + " (" + shown +
                                           "); expected redis://[:password@]host[:port][/db] or unix:///path/redis.sock");
}

bool to_int(std::string_view s, int& out, int lo, int hi) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < lo || v > hi) return false;
  out = v;
  return true;
}

// Percent-decoding for the userinfo (a password may hold '@' or ':' written as %40, %3A).
std::string percent_decoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    int hex = 0;
    if (s[i] == '%' && i + 2 < s.size() &&
        std::from_chars(s.data() + i + 1, s.data() + i + 3, hex, 16).ptr == s.data() + i + 3) {
      out.push_back(static_cast<char>(hex));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Result<RedisUrl> parse_socket(std::string_view rest) {
  RedisUrl u;
  auto query = rest.find('?');
  u.socket_path = std::string(rest.substr(0, query));
  u.display = "unix://" + u.socket_path;
  if (u.socket_path.empty() || u.socket_path.front() != '/') return std::unexpected(bad("needs an absolute socket path", u.display));
  if (query != std::string_view::npos) {
    std::string_view q = rest.substr(query + 1);
    if (q.rfind("db=", 0) != 0 || !to_int(q.substr(3), u.db, 0, 1 << 20))
      return std::unexpected(bad("has a query other than db=N", u.display));
    u.display += "?db=" + std::to_string(u.db);
  }
  return u;
}

}  // namespace

Result<RedisUrl> parse_redis_url(std::string_view url) {
  if (url.empty()) return std::unexpected(bad("is empty", ""));
  if (url.front() == '/') return parse_socket(url);
  if (url.rfind("unix://", 0) == 0) return parse_socket(url.substr(7));
  if (url.rfind("rediss://", 0) == 0)
    return std::unexpected(make_error(ErrorCode::config,
                                      "AIRREG_REDIS_URL uses rediss:// (TLS), which this build's hiredis cannot speak; "
                                      "reach Redis over loopback, a unix socket or a TLS tunnel (stunnel, spiped)"));
  if (url.rfind("redis://", 0) != 0) return std::unexpected(bad("has no redis:// or unix:// scheme", std::string(url.substr(0, url.find(':')))));
  std::string_view rest = url.substr(8);
  RedisUrl u;
  // The userinfo ends at the last '@' (a password may hold '/' or '@' unencoded; a host and a
  // database never hold '@'), and is never repeated in a message.
  auto at = rest.rfind('@');
  std::string_view after = at == std::string_view::npos ? rest : rest.substr(at + 1);
  auto slash = after.find('/');
  std::string_view hostport = after.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : after.substr(slash + 1);
  bool has_password = false;
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    auto colon = userinfo.find(':');
    u.user = percent_decoded(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) u.password = percent_decoded(userinfo.substr(colon + 1));
    has_password = !u.password.empty();
    if (colon == std::string_view::npos) {  // redis://password@host, as some tools write it
      u.password = u.user;
      u.user.clear();
      has_password = !u.password.empty();
    }
  }
  if (!hostport.empty() && hostport.front() == '[') {  // [::1]:6379
    auto close = hostport.find(']');
    if (close == std::string_view::npos) return std::unexpected(bad("has an unclosed [", std::string(hostport)));
    u.host = std::string(hostport.substr(1, close - 1));
    hostport = hostport.substr(close + 1);
    if (!hostport.empty() && hostport.front() == ':') {
      if (!to_int(hostport.substr(1), u.port, 1, 65535)) return std::unexpected(bad("has a bad port", std::string(hostport)));
    }
  } else {
    auto colon = hostport.rfind(':');
    u.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos && !to_int(hostport.substr(colon + 1), u.port, 1, 65535))
      return std::unexpected(bad("has a bad port", std::string(hostport.substr(colon))));
  }
  if (u.host.empty()) return std::unexpected(bad("has no host", "redis://"));
  if (!path.empty() && !to_int(path, u.db, 0, 1 << 20)) return std::unexpected(bad("has a database that is not a number", "/" + std::string(path)));
  u.display = "redis://" + std::string(has_password ? (u.user.empty() ? ":***@" : u.user + ":***@") : "") + u.host + ":" +
              std::to_string(u.port) + "/" + std::to_string(u.db);
  return u;
}

}  // namespace airreg::fleet
