// Small wordings the commands share. Pure functions.
#pragma once

#include <chrono>
#include <string>

#include "airreg/batch_writer.hpp"

namespace airreg::cli {

// "45 s", "12 min", "3 h", "2 days".
std::string human_duration(std::chrono::seconds d);
// "3 min ago" for an ISO 8601 UTC instant; "" when the text is not one.
std::string age_of(const std::string& iso_utc);
// "wrote 29 row(s) (29 created, 0 updated) in 3 request(s); 0 retries, 0 429s".
std::string write_summary(const WriteReport& report);

}  // namespace airreg::cli
