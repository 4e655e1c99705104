// One HTTP exchange, behind an interface so that every layer above takes a transport in its
// constructor: libcurl in production (make_curl_transport), fakes in unit tests.
// Implementations must be safe to call from several threads at once.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "airreg/error.hpp"

namespace airreg {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  std::stop_token stop;  // once requested, the exchange is abandoned (ErrorCode::cancelled)
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names as sent; look up with header()
  std::string body;

  // Case-insensitive; the last value when a header repeats.
  std::optional<std::string> header(std::string_view name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // An HTTP answer of any status is a value; only transport failures (DNS, refused, reset,
  // timeout, TLS) are errors, each with its own ErrorCode and retryable set.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{10'000};  // to open a connection (ms)
  std::chrono::milliseconds total_timeout{30'000};    // for a whole exchange (ms)
  std::string ca_bundle;  // a CA bundle file; empty: the system's. Verification is always on.
  std::string user_agent;  // empty: airreg/<version>
};

// libcurl: keep-alive connections shared by all threads (one per host), HTTP/2 where the
// server offers it over TLS, gzip accepted, proxies from the usual environment variables
// (loopback is never proxied unless NO_PROXY says otherwise).
std::shared_ptr<HttpTransport> make_curl_transport(TransportOptions options = {});

}  // namespace airreg
