// ISO 8601 text <-> time, as airtable-local stores dates and dateTimes. Pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace airtable_local {

using SysTime = std::chrono::system_clock::time_point;

// Accepts YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fff]] followed by Z or +HH:MM / -HH:MM
// (no zone means UTC). Returns nothing for anything else, including impossible dates.
std::optional<SysTime> parse_iso8601(std::string_view text);

// 2024-05-01T12:00:00.000Z
std::string format_datetime(SysTime t);
// 2024-05-01
std::string format_date(SysTime t);

}  // namespace airtable_local
