// The PingSender of the airtable-local binary: cpp-httplib's client, with short timeouts so a
// silent receiver holds the pinger's thread for seconds at most. Header-only so that only the
// binary, which links cpp-httplib already, compiles it; the core library stays free of it.
#pragma once

#include <httplib.h>

#include <string>

#include "webhook_pinger.hpp"

namespace airtable_local {

inline PingDelivery send_ping_with_httplib(const HttpUrl& url, const std::string& body,
                                           const std::string& mac_header) {
  httplib::Client client(url.origin());
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  client.set_write_timeout(5, 0);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  // Only loopback receivers are pinged; a test's https receiver has a self-signed certificate.
  client.enable_server_certificate_verification(false);
#endif
  httplib::Headers headers{{"X-Airtable-Content-MAC", mac_header}};
  auto result = client.Post(url.target, headers, body, "application/json");
  if (!result) return {false, "the notification could not be delivered: " + httplib::to_string(result.error())};
  if (result->status < 200 || result->status > 299)
    return {false, "the notificationUrl answered HTTP " + std::to_string(result->status)};
  return {true, ""};
}

}  // namespace airtable_local
