// IdIndex against std::unordered_map: the same answers for ids added, found again, and
// re-pointed, across its growth.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "providers/id_index.hpp"

using airreg::providers::IdIndex;

TEST_CASE("IdIndex finds each id where it was put, across growth, as a map does", "[id_index]") {
  std::mt19937 random(7);
  std::vector<std::string> ids;  // where the ids live: the index refers to them by place
  std::unordered_map<std::string, IdIndex::Ref> map;
  IdIndex index;
  auto id_of = [&](IdIndex::Ref r) -> std::string_view { return ids.at(r); };
  for (int i = 0; i < 200'000; ++i) {
    // Short ids from a small alphabet: many share a prefix, and many repeat.
    std::string id = "m-" + std::to_string(random() % 60'000) + (random() % 2 ? "a" : "");
    auto [stored, fresh] = index.find_or_add(id, static_cast<IdIndex::Ref>(ids.size()), id_of);
    auto [it, map_fresh] = map.try_emplace(id, static_cast<IdIndex::Ref>(ids.size()));
    REQUIRE(fresh == map_fresh);
    REQUIRE(*stored == it->second);
    if (fresh) ids.push_back(id);
    if (!fresh && random() % 5 == 0) {  // re-pointed: a copy of the id elsewhere now stands for it
      ids.push_back(id);
      *stored = it->second = static_cast<IdIndex::Ref>(ids.size() - 1);
    }
    if (i % 50'000 == 0) index.reserve(index.size() + 1000);
  }
  CHECK(index.size() == map.size());
  for (const auto& [id, ref] : map) {
    auto [stored, fresh] = index.find_or_add(id, 0, id_of);
    CHECK_FALSE(fresh);
    CHECK(*stored == ref);
  }
  index.clear();
  CHECK(index.size() == 0);
  CHECK(index.find_or_add("m-1", 0, id_of).second);
}

TEST_CASE("IdIndex tells apart ids whose hashes place them in one run of slots", "[id_index]") {
  // 8 ids in the first 16 slots: runs of taken slots form, and a lookup walks past other ids.
  std::vector<std::string> ids;
  IdIndex index;
  auto id_of = [&](IdIndex::Ref r) -> std::string_view { return ids.at(r); };
  for (int i = 0; i < 8; ++i) {
    ids.push_back("id" + std::to_string(i));
    CHECK(index.find_or_add(ids.back(), static_cast<IdIndex::Ref>(i), id_of).second);
  }
  for (int i = 0; i < 8; ++i) CHECK(*index.find_or_add("id" + std::to_string(i), 99, id_of).first == static_cast<IdIndex::Ref>(i));
  CHECK(index.find_or_add("", 8, id_of).second);  // the empty id is an id like another
  CHECK(index.size() == 9);
}
