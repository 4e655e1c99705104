#include <catch2/catch.hpp>

#include "airtable/row_diff.hpp"

using airreg::AirtableRecord;
using airreg::FieldValue;
using airreg::Fields;
using airreg::airtable::cells_equal;
using airreg::airtable::diff_rows;

namespace {

const std::vector<std::string> kKey{"Provider ID", "Model ID"};

Fields row(const std::string& model, Fields more = {}) {
  more["Provider ID"] = std::string("openai");
  more["Model ID"] = model;
  return more;
}

}  // namespace

TEST_CASE("cells compare the way Airtable stores them", "[row_diff]") {
  using V = std::vector<std::string>;
  CHECK(cells_equal(FieldValue{}, std::string("")));
  CHECK(cells_equal(FieldValue{}, false));
  CHECK(cells_equal(FieldValue{}, V{}));
  CHECK_FALSE(cells_equal(FieldValue{}, true));
  CHECK_FALSE(cells_equal(FieldValue{}, 0.0));  // 0 is a number, not an empty cell
  CHECK(cells_equal(1.0, 1.0));
  CHECK(cells_equal(0.1 + 0.2, 0.3));
  CHECK_FALSE(cells_equal(0.003, 0.0031));
  CHECK(cells_equal(std::string("2026-11-22T10:00:00Z"), std::string("2026-11-22T10:00:00.000Z")));
  CHECK(cells_equal(std::string("2026-11-22T10:00:00.5Z"), std::string("2026-11-22T10:00:00.500Z")));
  CHECK_FALSE(cells_equal(std::string("2026-11-22T10:00:01Z"), std::string("2026-11-22T10:00:00.000Z")));
  CHECK_FALSE(cells_equal(std::string("gpt-4o"), std::string("GPT-4o")));
  CHECK(cells_equal(V{"chat", "vision"}, V{"vision", "chat"}));
  CHECK_FALSE(cells_equal(V{"chat"}, V{"chat", "tools"}));
  CHECK_FALSE(cells_equal(std::string("1"), 1.0));
}

TEST_CASE("only rows whose cells changed are sent, with only the changed cells and the key", "[row_diff]") {
  std::vector<AirtableRecord> current{
      {"rec1", "", row("gpt-4o", {{"Model Name", std::string("GPT-4o")}, {"Max Tokens", 128000.0}})},
      {"rec2", "", row("gpt-4.1", {{"Model Name", std::string("GPT-4.1")}})},
  };
  auto diff = diff_rows({row("gpt-4o", {{"Model Name", std::string("GPT-4o")}, {"Max Tokens", 128000.0}}),
                         row("gpt-4.1", {{"Model Name", std::string("GPT 4.1")}, {"Max Tokens", 1047576.0}}),
                         row("o3", {{"Model Name", std::string("o3")}})},
                        current, kKey);
  CHECK(diff.unchanged == 1);
  REQUIRE(diff.changed.size() == 2);
  CHECK(diff.changed[0] == row("gpt-4.1", {{"Model Name", std::string("GPT 4.1")}, {"Max Tokens", 1047576.0}}));
  CHECK(diff.changed[1] == row("o3", {{"Model Name", std::string("o3")}}));
}

TEST_CASE("a cell the row does not mention is left alone, and a cell set to empty is sent", "[row_diff]") {
  std::vector<AirtableRecord> current{{"rec1", "", row("gpt-4o", {{"Notes", std::string("keep")}})}};
  auto same = diff_rows({row("gpt-4o")}, current, kKey);
  CHECK(same.changed.empty());
  CHECK(same.unchanged == 1);
  auto cleared = diff_rows({row("gpt-4o", {{"Notes", FieldValue{}}})}, current, kKey);
  REQUIRE(cleared.changed.size() == 1);
  CHECK(cleared.changed[0].at("Notes") == FieldValue{});
}

TEST_CASE("rows of one key are merged in order before the diff, the later cell winning", "[row_diff]") {
  std::vector<AirtableRecord> current{{"rec1", "", row("gpt-4o", {{"Available", true}})}};
  auto diff = diff_rows({row("gpt-4o", {{"Available", false}}), row("gpt-4o", {{"Available", true}})}, current, kKey);
  CHECK(diff.changed.empty());
  CHECK(diff.unchanged == 1);
}

TEST_CASE("a row without its key cells cannot be upserted and is set apart", "[row_diff]") {
  Fields no_model{{"Provider ID", std::string("openai")}, {"Model ID", std::string("")}};
  auto diff = diff_rows({no_model, row("o3")}, airreg::ReadCells{}, kKey);
  CHECK(diff.invalid.size() == 1);
  CHECK(diff.changed.size() == 1);
  CHECK(airreg::airtable::row_label(row("o3"), kKey) == "openai/o3");
}
