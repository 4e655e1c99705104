#include "cli/human_text.hpp"

#include "core/time_text.hpp"

namespace airreg::cli {

std::string human_duration(std::chrono::seconds d) {
  long s = static_cast<long>(d.count());
  if (s < 0) s = 0;
  if (s < 120) return std::to_string(s) + " s";
  if (s < 2 * 3600) return std::to_string(s / 60) + " min";
  if (s < 2 * 86400) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86400) + " days";
}

std::string age_of(const std::string& iso_utc) {
  auto t = core::parse_utc(iso_utc);
  if (!t) return "";
  auto age = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *t);
  return human_duration(age) + " ago";
}

std::string write_summary(const WriteReport& r) {
  return "wrote " + std::to_string(r.written) + " row(s) (" + std::to_string(r.created) + " created, " +
         std::to_string(r.updated) + " updated) in " + std::to_string(r.requests) + " request(s); " +
         std::to_string(r.retries) + " retries, " + std::to_string(r.rate_limited) + " 429s";
}

}  // namespace airreg::cli
