// Airtable signs each webhook notification: X-Airtable-Content-MAC is "hmac-sha256=" and the
// lowercase hex HMAC-SHA256 of the raw body, keyed with the webhook's MAC secret (given base64
// when the webhook was created). Compared in constant time. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace airreg::serve {

// The header's value for `body`; empty when the secret is not base64.
std::string webhook_mac(std::string_view secret_base64, std::string_view body);
bool valid_webhook_mac(std::string_view secret_base64, std::string_view body, std::string_view header);

}  // namespace airreg::serve
