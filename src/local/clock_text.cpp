#include "clock_text.hpp"

#include <cstdio>

namespace airtable_local {

namespace {
bool read_digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}
bool expect(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}
}  // namespace

std::optional<SysTime> parse_iso8601(std::string_view s) {
  using namespace std::chrono;
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!read_digits(s, pos, 4, y) || !expect(s, pos, '-') || !read_digits(s, pos, 2, mo) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, d))
    return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  int offset_minutes = 0;
  if (pos < s.size()) {
    if (!expect(s, pos, 'T') && !expect(s, pos, ' ')) return std::nullopt;
    if (!read_digits(s, pos, 2, h) || !expect(s, pos, ':') || !read_digits(s, pos, 2, mi))
      return std::nullopt;
    if (expect(s, pos, ':')) {
      if (!read_digits(s, pos, 2, sec)) return std::nullopt;
      if (expect(s, pos, '.')) {
        size_t start = pos;
        int digit = 0, scale = 100;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          read_digits(s, pos, 1, digit);
          ms += digit * scale;
          scale /= 10;
        }
        if (pos == start) return std::nullopt;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    if (expect(s, pos, 'Z')) {
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
      int sign = s[pos] == '-' ? -1 : 1;
      ++pos;
      int oh = 0, om = 0;
      if (!read_digits(s, pos, 2, oh)) return std::nullopt;
      expect(s, pos, ':');
      if (!read_digits(s, pos, 2, om)) return std::nullopt;
      offset_minutes = sign * (oh * 60 + om);
    }
    if (pos != s.size()) return std::nullopt;
  }
  auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + milliseconds{ms} -
           minutes{offset_minutes};
  // The clock's ticks (nanoseconds) reach from 1677 to 2262: a date beyond is no date here,
  // rather than an overflow.
  if (t < time_point_cast<milliseconds>(SysTime::min()) || t > time_point_cast<milliseconds>(SysTime::max()))
    return std::nullopt;
  return time_point_cast<SysTime::duration>(t);
}

std::string format_datetime(SysTime t) {
  using namespace std::chrono;
  auto ms_total = time_point_cast<milliseconds>(t);
  auto day_start = floor<days>(ms_total);
  year_month_day ymd{day_start};
  hh_mm_ss hms{ms_total - day_start};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                long(hms.minutes().count()), long(hms.seconds().count()),
                long(hms.subseconds().count()));
  return buf;
}

std::string format_date(SysTime t) { return format_datetime(t).substr(0, 10); }

}  // namespace airtable_local
