// RowList: an answer's rows, shared by its views instead of copied per view.
#include <catch2/catch.hpp>

#include <algorithm>

#include "airreg/row_list.hpp"

using airreg::RegistryRow;
using airreg::RowList;

namespace {

RegistryRow row(const std::string& id, bool recommended = false) {
  RegistryRow r;
  r.provider_id = "openai";
  r.model_id = id;
  r.recommended = recommended;
  return r;
}

}  // namespace

TEST_CASE("a filtered list shares its rows and reads like a vector", "[row_list]") {
  RowList all(std::vector<RegistryRow>{row("a", true), row("b"), row("c", true)});
  RowList picked = all.filtered([](const RegistryRow& r) { return r.recommended; });
  REQUIRE(picked.size() == 2);
  CHECK(&picked[0] == &all[0]);  // the same row, not a copy
  CHECK(&picked[1] == &all[2]);
  CHECK(picked.front().model_id == "a");
  CHECK(picked.back().model_id == "c");
  std::vector<std::string> ids;
  for (const auto& r : picked) ids.push_back(r.model_id);
  CHECK(ids == std::vector<std::string>{"a", "c"});
  CHECK(std::count_if(all.begin(), all.end(), [](const RegistryRow& r) { return r.recommended; }) == 2);
  CHECK(std::find_if(picked.begin(), picked.end(), [](const RegistryRow& r) { return r.model_id == "c"; }) - picked.begin() == 1);
  CHECK(picked.to_vector().size() == 2);
  RowList none = all.filtered([](const RegistryRow&) { return false; });
  CHECK(none.empty());
  CHECK(none.begin() == none.end());
  CHECK(RowList().empty());
}

TEST_CASE("push_back on a shared list leaves the other lists as they were", "[row_list]") {
  RowList all(std::vector<RegistryRow>{row("a"), row("b")});
  RowList copy = all;  // an answer and its cache hit
  RowList picked = all.filtered([](const RegistryRow& r) { return r.model_id == "b"; });
  copy.push_back(row("c"));
  CHECK(copy.size() == 3);
  CHECK(all.size() == 2);
  CHECK(picked.size() == 1);
  CHECK(picked[0].model_id == "b");
  picked.push_back(row("d"));
  CHECK(picked.size() == 2);
  CHECK(picked[1].model_id == "d");
  CHECK(all.size() == 2);
  RowList fresh;
  fresh.push_back(row("x"));
  CHECK(fresh.size() == 1);
}
