// Durations as operators write them in flags and variables: a bare number in the setting's
// own unit ("3600" for a TTL in seconds), or a number with a unit: ms, s, m (or min), h, d
// ("500ms", "6h", "1.5h"). Negative, non-finite and absurd (over ten years) values are refused.
// Pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace airreg::core {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::chrono::milliseconds bare_unit);
// "90s", "6h", "250ms": the shortest exact way to write it.
std::string format_duration(std::chrono::milliseconds d);

}  // namespace airreg::core
