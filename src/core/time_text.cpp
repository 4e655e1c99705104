#include "core/time_text.hpp"

#include <fmt/format.h>

#include <charconv>

namespace airreg::core {

namespace {

bool number_at(std::string_view text, size_t at, size_t width, int& out) {
  if (at + width > text.size()) return false;
  auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + width, out);
  return ec == std::errc() && end == text.data() + at + width;
}

}  // namespace

std::string format_utc(SystemTime t) {
  using namespace std::chrono;
  auto ms = time_point_cast<milliseconds>(t);
  auto day = floor<days>(ms);
  year_month_day ymd{day};
  hh_mm_ss hms{ms - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

std::optional<SystemTime> parse_utc(std::string_view text) {
  using namespace std::chrono;
  int y, mo, d, h = 0, mi = 0, s = 0;
  if (!number_at(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !number_at(text, 5, 2, mo) ||
      text[7] != '-' || !number_at(text, 8, 2, d))
    return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  milliseconds fraction{0};
  if (text.size() > 10) {
    if (text[10] != 'T' || text.back() != 'Z' || !number_at(text, 11, 2, h) || text.size() < 20 || text[13] != ':' ||
        !number_at(text, 14, 2, mi) || text[16] != ':' || !number_at(text, 17, 2, s) || h > 23 || mi > 59 || s > 60)
      return std::nullopt;
    std::string_view rest = text.substr(19, text.size() - 20);
    if (!rest.empty()) {
      if (rest[0] != '.' || rest.size() < 2) return std::nullopt;
      int scale = 100, ms = 0;
      for (char c : rest.substr(1)) {
        if (c < '0' || c > '9') return std::nullopt;
        ms += (c - '0') * scale;
        scale /= 10;
      }
      fraction = milliseconds(ms);
    }
  }
  // In milliseconds, which hold any year; SystemTime counts nanoseconds in 64 bits, 1678 to
  // 2262. A time outside would overflow (a person's "1013-12-07" in a date cell, a broken
  // snapshot), so it is no time airreg reads. Checked on the time, not the year: the last
  // second of a year, and a leap second, can carry into the next one.
  auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + fraction;
  if (t < sys_days{year{kFirstYear} / 1 / 1} || t >= sys_days{year{kLastYear + 1} / 1 / 1}) return std::nullopt;
  return time_point_cast<SystemTime::duration>(t);
}

}  // namespace airreg::core
