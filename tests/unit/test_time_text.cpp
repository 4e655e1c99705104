// Instants as text: parse_utc reads only times a SystemTime holds, and what format_utc writes
// of any time it read reads back as that time.
#include <catch2/catch.hpp>

#include "core/time_text.hpp"

using namespace airreg;

TEST_CASE("parse_utc reads the years 1700 to 2249, whatever carries into the next year", "[time_text]") {
  for (const char* good : {"1700-01-01T00:00:00Z", "1899-12-30", "1970-01-01T00:00:00.000Z", "2026-12-07T21:45:00.123Z",
                           "2249-12-31T23:59:59.999Z", "2249-12-31"}) {
    CAPTURE(good);
    auto t = core::parse_utc(good);
    REQUIRE(t);
    CHECK(core::parse_utc(core::format_utc(*t)) == t);  // round trip
  }
  // Outside what a SystemTime's nanoseconds hold, or carried past the last year by a leap
  // second: once an overflow, or a time written that did not read back.
  for (const char* bad : {"1013-12-07T09:59:00.000Z", "1699-12-31T23:59:59Z", "2249-12-31T23:59:60.500Z", "2250-01-01",
                          "9999-12-31T23:59:59.999Z", "0000-01-01"}) {
    CAPTURE(bad);
    CHECK_FALSE(core::parse_utc(bad));
  }
}
