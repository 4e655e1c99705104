// Instants as Airtable writes them: ISO 8601 in UTC with milliseconds
// ("2026-11-22T10:00:00.000Z"). Pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace airreg::core {

using SystemTime = std::chrono::system_clock::time_point;

std::string format_utc(SystemTime t);
// The years parse_utc reads: well inside what a SystemTime holds.
inline constexpr int kFirstYear = 1900, kLastYear = 2200;

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" and fractions of a second, of the years
// kFirstYear to kLastYear; nothing else.
std::optional<SystemTime> parse_utc(std::string_view text);

}  // namespace airreg::core
