// Small wordings the commands share. Pure functions.
#pragma once

#include <chrono>
#include <string>

namespace airreg::cli {

// "45 s", "12 min", "3 h", "2 days".
std::string human_duration(std::chrono::seconds d);
// "3 min ago" for an ISO 8601 UTC instant; "" when the text is not one.
std::string age_of(const std::string& iso_utc);

}  // namespace airreg::cli
