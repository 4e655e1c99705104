// A table snapshot: its answers (the rows of a provider and category) share the snapshot's
// rows and are the rows the copy for a merge holds; its records, packed, come back exactly;
// a batch of writes is diffed against the same records as when the whole table was held as
// maps. On randomised tables with unreadable rows and duplicated keys among them.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>

#include "airtable/row_diff.hpp"
#include "registry/record_store.hpp"
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

TEST_CASE("a snapshot's answers share its rows and hold what a merge copies", "[snapshot]") {
  std::mt19937 random(20261207);
  for (int round = 0; round < 20; ++round) {
    auto snap = registry::with_records({}, random_table(random, 5 + round * 7), columns(), SystemTime{});
    for (const std::string provider : {"openai", "mistral", "groq", "nobody"}) {
      auto copy = snap.rows_in(provider);
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

namespace {

// A record of every kind of cell, drawn at random: empty, flags, numbers to the last bit,
// texts (empty, long, with NULs and UTF-8), lists (empty ones too).
AirtableRecord random_record(std::mt19937& random, int i) {
  auto number = [&] {
    switch (random() % 4) {
      case 0: return static_cast<double>(random() % 1000) / 7.0;
      case 1: return 1e-15 * static_cast<double>(random() % 10);
      case 2: return -0.0;
      default: return std::ldexp(static_cast<double>(random()), -40);
    }
  };
  auto text = [&] {
    switch (random() % 4) {
      case 0: return std::string();
      case 1: return std::string("gpt-") + std::to_string(random() % 100);
      case 2: return std::string("a\0b", 3) + "Ünïcødé ✓";
      default: return std::string(300 + random() % 100, 'x');
    }
  };
  Fields f;
  int cells = static_cast<int>(random() % 8);
  for (int c = 0; c < cells; ++c) {
    std::string name = "fld" + std::to_string(random() % 20);
    switch (random() % 5) {
      case 0: f[name] = std::monostate{}; break;
      case 1: f[name] = random() % 2 == 0; break;
      case 2: f[name] = number(); break;
      case 3: f[name] = text(); break;
      default: {
        std::vector<std::string> list(random() % 4);
        for (auto& item : list) item = text();
        f[name] = list;
      }
    }
  }
  return AirtableRecord{"rec" + std::to_string(i), "", std::move(f)};
}

// The same cells, a number to the bit (== would take -0.0 for 0.0).
bool same_cells(const Fields& a, const Fields& b) {
  if (a.size() != b.size()) return false;
  for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y) {
    if (x->first != y->first || x->second.index() != y->second.index()) return false;
    if (auto d = std::get_if<double>(&x->second)) {
      double e = std::get<double>(y->second);
      if (std::memcmp(d, &e, sizeof e) != 0) return false;
    } else if (x->second != y->second) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("a packed record comes back with the very cells it was added with", "[snapshot]") {
  std::mt19937 random(7);
  registry::RecordStore store;
  std::vector<AirtableRecord> added;
  for (int i = 0; i < 2000; ++i) {
    added.push_back(random_record(random, i));
    store.add(added.back());
  }
  // Replaced and erased ones too, as a revalidation and a webhook payload do.
  added[5] = random_record(random, 5);
  store.set(5, added[5]);
  added.erase(added.begin() + 9);
  store.erase(9);
  REQUIRE(store.size() == added.size());
  for (size_t i = 0; i < added.size(); ++i) {
    auto back = store.record(i);
    CHECK(back.id == added[i].id);
    CHECK(same_cells(back.fields, added[i].fields));
    CHECK(store.find(added[i].id) == std::optional<size_t>(i));
    for (const auto& [name, value] : added[i].fields) {
      CHECK(same_cells(store.cells(i, {name, "fldnone"}), Fields{{name, value}}));
    }
  }
  CHECK_FALSE(store.find("recnone"));
}

TEST_CASE("a batch's records are the provider's records of its keys, as the whole table's were", "[snapshot]") {
  std::mt19937 random(11);
  for (int round = 0; round < 20; ++round) {
    auto table = random_table(random, 10 + round * 9);
    auto snap = registry::with_records({}, table, columns(), SystemTime{});
    auto merge_on = columns().merge_on();
    for (const std::string provider : {"openai", "mistral"}) {
      // A batch of writes: some keys the table has (duplicates among them), some it lacks.
      std::vector<Fields> batch;
      for (int w = 0; w < 6; ++w)
        batch.push_back(Fields{{columns().cell("provider_id"), provider},
                               {columns().cell("model_id"), "m-" + std::to_string(random() % (table.size() + 3))}});
      auto decoded = snap.records_of(provider, columns(), batch);
      // The old way: every record of the provider, by key.
      std::vector<AirtableRecord> all_of_provider;
      for (const auto& r : table)
        if (r.fields.at(columns().cell("provider_id")) == FieldValue(provider)) all_of_provider.push_back(r);
      auto old_held = airtable::cells_by_key(cells_of(all_of_provider), merge_on);
      auto new_held = airtable::cells_by_key(decoded.cells, merge_on);
      for (const auto& row : batch) {
        auto key = airtable::row_key(row, merge_on);
        auto was = old_held.find(key);
        auto is = new_held.find(key);
        REQUIRE((was == old_held.end()) == (is == new_held.end()));
        if (was != old_held.end()) CHECK(same_cells(*was->second, *is->second));
      }
      // No record the batch does not write.
      for (const auto& r : decoded.records) {
        bool written = false;
        for (const auto& row : batch) written = written || airtable::row_key(row, merge_on) == airtable::row_key(r.fields, merge_on);
        CHECK(written);
      }
    }
  }
}
