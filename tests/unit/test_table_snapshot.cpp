// A table snapshot's answers: the rows of a provider and category share the snapshot's rows
// (one copy of each row, however many answers), and are the rows the copy for a merge holds,
// on randomised tables with unreadable rows and duplicated keys among them.
#include <catch2/catch.hpp>

#include <random>

#include "registry/snapshot_changes.hpp"
#include "registry_schema.hpp"

using namespace airreg;

namespace {

const airtable::Columns& columns() { return test::registry_columns(); }

// A table of `n` records of a few providers, both categories, some unreadable (a status
// nobody knows) and some keys twice.
std::vector<AirtableRecord> random_table(std::mt19937& random, int n) {
  const std::vector<std::string> providers = {"openai", "mistral", "groq"};
  const std::vector<std::string> statuses = {"active", "pending", "disabled", "beta", "??"};
  std::vector<AirtableRecord> out;
  for (int i = 0; i < n; ++i) {
    auto pick = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
    std::string model = "m-" + std::to_string(random() % (n * 3 / 4 + 1));  // repeats make duplicates
    Fields f{{columns().cell("provider_id"), pick(providers)},
             {columns().cell("model_id"), model},
             {columns().cell("status"), pick(statuses)},
             {columns().cell("category"), std::string(random() % 3 ? "text" : "tts")}};
    if (random() % 2) f[columns().cell("features")] = std::vector<std::string>{"chat", "tools"};
    out.push_back(AirtableRecord{"rec" + std::to_string(i), "", std::move(f)});
  }
  return out;
}

}  // namespace

TEST_CASE("a snapshot's answers share its rows and hold what the copy for a merge holds", "[snapshot]") {
  std::mt19937 random(20261207);
  for (int round = 0; round < 20; ++round) {
    auto snap = registry::with_records({}, random_table(random, 5 + round * 7), columns(), SystemTime{});
    for (const std::string provider : {"openai", "mistral", "groq", "nobody"}) {
      auto copy = snap.rows_of(provider);
      for (ModelCategory category : {ModelCategory::text, ModelCategory::tts}) {
        RowList shared = snap.rows_in(provider, category);
        std::vector<RegistryRow> expected;
        for (const auto& r : copy)
          if (r.category == category) expected.push_back(r);
        REQUIRE(shared.size() == expected.size());
        for (size_t i = 0; i < shared.size(); ++i) {
          CHECK(shared[i].key() == expected[i].key());
          CHECK(shared[i].record_id == expected[i].record_id);
          CHECK(shared[i].status == expected[i].status);
          CHECK(shared[i].features == expected[i].features);
          // The very row of the snapshot, not a copy of it.
          bool in_snapshot = false;
          for (const auto& r : snap.parsed.rows) in_snapshot = in_snapshot || &r == &shared[i];
          CHECK(in_snapshot);
        }
      }
    }
  }
}
