// Where a fleet's Redis is: AIRREG_REDIS_URL as operators write it.
//   redis://[[user]:password@]host[:port][/db]    TCP (port 6379, db 0 by default)
//   unix:///path/to/redis.sock[?db=N]             a unix socket (a bare /path works too)
// rediss:// (TLS) is refused with a message: Debian's hiredis 0.14 has no TLS. The password
// never appears in `display` or in an error. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "airreg/error.hpp"

namespace airreg::fleet {

struct RedisUrl {
  std::string host;         // empty for a unix socket
  int port = 6379;
  std::string socket_path;  // set for a unix socket
  std::string user;         // ACL user (Redis 6+); empty: the default user
  std::string password;     // empty: no AUTH
  int db = 0;
  std::string display;      // the URL without its password, for messages and logs
};

Result<RedisUrl> parse_redis_url(std::string_view url);

}  // namespace airreg::fleet
