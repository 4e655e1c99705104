#include <catch2/catch.hpp>

#include "core/time_text.hpp"
#include "registry/row_codec.hpp"
#include "registry_schema.hpp"

using namespace airreg;
using airreg::registry::parse_row;
using airreg::registry::parse_rows;

namespace {

AirtableRecord record(const std::string& id, Fields more) {
  Fields f{{"Provider ID", std::string("openai")}, {"Model ID", std::string("gpt-4o")}};
  for (auto& [k, v] : more) f[k] = v;
  return AirtableRecord{id, "", f};
}

}  // namespace

TEST_CASE("a row reads back with its types and the connector's bookkeeping", "[registry_rows]") {
  const airtable::Columns& names = test::registry_columns();
  auto row = parse_row(record("rec1", {{"Status", std::string("active")},
                                       {"Category", std::string("text")},
                                       {"Available", true},
                                       {"Last Verified", std::string("2026-11-22T10:00:00.000Z")},
                                       {"Max Tokens", 128000.0},
                                       {"Cost per 1K tokens", 0.0025},
                                       {"Features", std::vector<std::string>{"chat", "vision"}},
                                       {"Recommended", true},
                                       {"Sort Order", 2.0},
                                       {"Metadata", std::string(R"({"airreg":1,"seeded":{"model_name":"GPT-4o"},"people":["input_cost"]})")}}),
                       names);
  REQUIRE(row);
  CHECK(row->key() == "openai/gpt-4o");
  CHECK(row->status == ModelStatus::active);
  CHECK(row->available);
  CHECK(row->last_verified == core::parse_utc("2026-11-22T10:00:00Z"));
  CHECK(row->max_tokens == 128000);
  CHECK(row->input_cost == 0.0025);
  CHECK(row->recommended);
  CHECK(row->sort_order == 2.0);
  CHECK(row->book.seeded().at("model_name") == FieldValue(std::string("GPT-4o")));
  CHECK(row->book.people().count("input_cost") == 1);
  auto metadata = registry::write_metadata(*row);
  CHECK(metadata == R"({"airreg":1,"seeded":{"model_name":"GPT-4o"},"people":["input_cost"]})");
}

TEST_CASE("garbage a person typed skips that row with a message naming it", "[registry_rows]") {
  const airtable::Columns& names = test::registry_columns();
  struct Case {
    Fields cells;
    const char* says;
  };
  std::vector<Case> cases{
      {{{"Status", std::string("actve")}}, "\"Status\" is \"actve\", not a known status"},
      {{{"Max Tokens", std::string("lots")}}, "\"Max Tokens\" is not a number"},
      {{{"Metadata", std::string("{broken")}}, "\"Metadata\" is not JSON"},
      {{{"Model ID", std::string("")}}, "\"Model ID\" is empty"},
      {{{"Category", std::string("video")}}, "not text or tts"},
      {{{"Last Verified", std::string("yesterday")}}, "\"Last Verified\" is not a date and time"},
      // Outside the nanoseconds of a SystemTime (1678-2262): once an overflow, now refused.
      {{{"Last Verified", std::string("1013-12-07T09:59:00.000Z")}}, "\"Last Verified\" is not a date and time"},
      {{{"First Seen", std::string("9999-12-31T23:59:59.999Z")}}, "\"First Seen\" is not a date and time"},
      {{{"Available", std::string("yes")}}, "\"Available\" is not a checkbox"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.says);
    auto row = parse_row(record("recBAD", c.cells), names);
    REQUIRE_FALSE(row);
    CHECK_THAT(row.error().message, Catch::StartsWith("row recBAD ("));
    CHECK_THAT(row.error().message, Catch::Contains(c.says));
    CHECK_THAT(row.error().message, Catch::Contains("left as it is"));
  }
}

TEST_CASE("the rest goes on: bad rows and later duplicates are skipped with a warning each", "[registry_rows]") {
  const airtable::Columns& names = test::registry_columns();
  auto parsed = parse_rows({record("rec1", {}), record("rec2", {{"Status", std::string("??")}}),
                            record("rec3", {}), record("rec4", {{"Model ID", std::string("o3")}})},
                           names);
  // rec1 and rec3 share a key: neither can be upserted safely, so both are left alone.
  REQUIRE(parsed.rows.size() == 1);
  CHECK(parsed.rows[0].model_id == "o3");
  REQUIRE(parsed.warnings.size() == 2);
  CHECK_THAT(parsed.warnings[1], Catch::Contains("rec3 (openai/gpt-4o): another row has the same"));
  CHECK(parsed.untouchable == std::set<std::string>{"openai/gpt-4o"});
}
