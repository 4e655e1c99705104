// Change notices as they travel on the fleet's channel:
//   {"kind":"changed"|"snapshot","origin":"host:pid","providers":["openai"],"seq":12}
// A message that is not such an object decodes as nothing (it may come from another
// program on the channel). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fleet/fleet.hpp"

namespace airreg::fleet {

std::string encode_notice(const Notice& notice);
std::optional<Notice> decode_notice(std::string_view message);

}  // namespace airreg::fleet
