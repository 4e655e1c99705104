// The MAC Airtable puts on a webhook notification, against RFC 4231's HMAC-SHA256 test vector.
#include <catch2/catch.hpp>

#include "serve/webhook_mac.hpp"

using airreg::serve::valid_webhook_mac;
using airreg::serve::webhook_mac;

TEST_CASE("a webhook ping's MAC is hmac-sha256= and the hex HMAC of the raw body under the decoded secret", "[serve][webhook]") {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  const std::string secret = "SmVmZQ==";  // "Jefe"
  const std::string body = "what do ya want for nothing?";
  const std::string expected = "hmac-sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  CHECK(webhook_mac(secret, body) == expected);
  CHECK(valid_webhook_mac(secret, body, expected));
  CHECK(!valid_webhook_mac(secret, body + " ", expected));              // another body
  CHECK(!valid_webhook_mac("SmVmZg==", body, expected));                // another secret
  CHECK(!valid_webhook_mac(secret, body, expected.substr(0, 40)));      // cut short
  CHECK(!valid_webhook_mac(secret, body, ""));
  CHECK(webhook_mac("not base64!", body).empty());                      // a broken secret checks nothing
  CHECK(!valid_webhook_mac("not base64!", body, "hmac-sha256="));
}
