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
// The years parse_utc reads: inside what a SystemTime holds (1678 to 2262), and wide enough
// for a spreadsheet's zero date (1899-12-30).
inline constexpr int kFirstYear = 1700, kLastYear = 2249;

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" and fractions of a second, from the first
// instant of kFirstYear to the last of kLastYear; nothing else.
std::optional<SystemTime> parse_utc(std::string_view text);

}  // namespace airreg::core
