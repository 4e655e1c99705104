// SHA-256, HMAC-SHA256 (OpenSSL's libcrypto), base64 and hex for airtable-local's webhooks (the
// ping's X-Airtable-Content-MAC, user ids derived from tokens). Pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace airtable_local {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);
// Lower-case hex, as the ping's MAC header carries it.
std::string to_hex(const uint8_t* data, size_t size);
std::string base64_encode(std::string_view bytes);
// Standard alphabet with padding; nothing for anything else.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace airtable_local
