// A row nobody edited keeps its seeded fields' last-written values as bits, not copies
// (registry/seeded_cells.hpp). These cases compare that with the plain map it replaces, on
// randomised rows: the same values read back, the same Metadata written, the same merge.
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "airtable/row_diff.hpp"
#include "core/time_text.hpp"
#include "registry/merge.hpp"
#include "registry/row_codec.hpp"
#include "registry/seeded_cells.hpp"
#include "registry_schema.hpp"

using namespace airreg;
using namespace airreg::registry;

namespace {

const airtable::Columns& names() { return test::registry_columns(); }

// A few values of each seeded field, the empty cell among them, so that a cell and its
// last-written value are often equal and often not; and values Airtable deems equal without
// being the same (features in another order, a cost 1e-15 apart).
FieldValue pick(std::mt19937& rng, std::string_view field) {
  int n = static_cast<int>(rng() % 4);
  if (n == 0 && field != "category") return FieldValue{};
  if (field == "model_name") return std::string(n == 1 ? "Model A" : "Model B");
  if (field == "category") return std::string(n == 2 ? "tts" : "text");
  if (field == "features")
    return n == 1 ? std::vector<std::string>{"chat"}
                  : n == 2 ? std::vector<std::string>{"chat", "vision"} : std::vector<std::string>{"vision", "chat"};
  if (field == "input_cost" || field == "output_cost") return n == 1 ? 0.5 : n == 2 ? 0.25 : 0.25 + 1e-15;
  return n == 1 ? 8192.0 : 128000.0;
}

struct RandomRow {
  AirtableRecord record;
  Fields seeded;  // the Metadata's last-written values, as a plain map
};

RandomRow random_row(std::mt19937& rng, int i) {
  RandomRow out;
  Fields& cells = out.record.fields;
  out.record.id = "rec" + std::to_string(i);
  cells[names().cell("provider_id")] = std::string("openai");
  cells[names().cell("model_id")] = "model-" + std::to_string(i % 40);
  cells[names().cell("available")] = rng() % 2 == 0;
  cells[names().cell("discovery_method")] = std::string("api");
  std::set<std::string> people;
  for (std::string_view field : kSeededFields) {
    FieldValue cell = pick(rng, field);
    if (!std::holds_alternative<std::monostate>(cell)) cells[names().cell(std::string(field))] = cell;
    if (rng() % 4 != 0) out.seeded[std::string(field)] = rng() % 2 == 0 ? cell : pick(rng, field);
    if (rng() % 6 == 0) people.emplace(field);
  }
  RegistryRow plain;
  if (!out.seeded.empty()) plain.book.edit_seeded() = out.seeded;
  if (!people.empty()) plain.book.edit_people() = people;
  cells[names().cell("metadata")] = write_metadata(plain);
  return out;
}

// The row as it was before the bits: every last-written value in the map.
RegistryRow unfolded(RegistryRow row) {
  unfold_seeded(row);
  return row;
}

ModelInfo listed(std::mt19937& rng, int i) {
  ModelInfo m;
  m.id = "model-" + std::to_string(i);
  if (rng() % 2) m.display_name = rng() % 2 ? "Model A" : "Model C";
  if (rng() % 2) m.context_window = rng() % 2 ? 8192 : 200000;
  if (rng() % 2) m.input_cost_per_1k = rng() % 2 ? 0.5 : 0.75;
  if (rng() % 2) m.features = rng() % 2 ? std::vector<std::string>{"chat"} : std::vector<std::string>{"chat", "tools"};
  return m;
}

}  // namespace

TEST_CASE("seeded values kept as bits read back and write as the plain map did", "[seeded]") {
  std::mt19937 rng(20261204);
  for (int i = 0; i < 2000; ++i) {
    auto made = random_row(rng, i);
    auto row = parse_row(made.record, names());
    REQUIRE(row);
    REQUIRE(row->seeded_in_cells == 0);  // parse_row keeps copies; parse_rows folds, as here
    fold_seeded(*row);
    INFO("row " << i << ": " << std::get<std::string>(made.record.fields.at(names().cell("metadata"))));
    for (std::string_view field : kSeededFields) {
      auto kept = made.seeded.find(std::string(field));
      auto last = last_seeded(*row, field);
      REQUIRE(last.has_value() == (kept != made.seeded.end()));
      if (last) CHECK(airtable::cells_equal(*last, kept->second));
    }
    CHECK(write_metadata(*row) == write_metadata(unfolded(*row)));
    CHECK(write_metadata(*row) == std::get<std::string>(made.record.fields.at(names().cell("metadata"))));
  }
}

// Two passes, as a refresh of a provider's two categories: the second merges the first's rows.
TEST_CASE("a merge of rows with seeded bits writes and keeps what it did with the plain map", "[seeded]") {
  std::mt19937 rng(4);
  const SystemTime now = *core::parse_utc("2026-12-04T12:00:00Z");
  MergePolicy as_bits;
  as_bits.seeded_as_bits = true;
  for (int round = 0; round < 200; ++round) {
    std::vector<RegistryRow> rows, plain_rows;
    std::set<std::string> ids;
    for (int i = 0; i < 30; ++i) {
      auto row = parse_row(random_row(rng, static_cast<int>(rng() % 1000)).record, names());
      REQUIRE(row);
      fold_seeded(*row);  // as parse_rows does
      if (!ids.insert(row->model_id).second) continue;
      plain_rows.push_back(unfolded(*row));
      rows.push_back(std::move(*row));
    }
    for (ModelCategory category : {ModelCategory::text, ModelCategory::tts}) {
      DiscoveryResult listing;
      listing.provider = "openai";
      for (int i = 0; i < 40; ++i)
        if (rng() % 3 != 0) listing.models.push_back(listed(rng, i));
      auto bits = merge_listing("openai", category, &listing, rows, now, as_bits, names());
      auto plain = merge_listing("openai", category, &listing, plain_rows, now, {}, names());
      INFO("round " << round << ", " << to_string(category));
      REQUIRE(bits.writes == plain.writes);
      CHECK(bits.warnings == plain.warnings);
      CHECK(bits.missing == plain.missing);
      REQUIRE(bits.rows.size() == plain.rows.size());
      for (size_t i = 0; i < bits.rows.size(); ++i) {
        CHECK(write_metadata(bits.rows[i]) == write_metadata(plain.rows[i]));
        CHECK(bits.rows[i].book.people() == plain.rows[i].book.people());
        CHECK(listed_category(bits.rows[i]) == listed_category(plain.rows[i]));
        CHECK(plain.rows[i].seeded_in_cells == 0);
        // A merged row holds bookkeeping only when there is some to hold.
        const auto& book = bits.rows[i].book;
        CHECK(book.held() == (!book.seeded().empty() || !book.people().empty()));
      }
      rows = std::move(bits.rows);
      plain_rows = std::move(plain.rows);
    }
  }
}

TEST_CASE("a merge without bits takes a cell edited in memory for a person's, in a row parse_row read", "[seeded]") {
  // Read with Input Cost 0.5 as both cell and last-written value; then a person's edit played
  // in memory, and a listing with another price. parse_rows would fold it into a bit.
  AirtableRecord record;
  record.id = "recEDIT";
  record.fields[names().cell("provider_id")] = std::string("openai");
  record.fields[names().cell("model_id")] = std::string("gpt-4o");
  record.fields[names().cell("available")] = true;
  record.fields[names().cell("discovery_method")] = std::string("api");
  record.fields[names().cell("input_cost")] = 0.5;
  record.fields[names().cell("metadata")] = std::string(R"({"airreg":1,"seeded":{"input_cost":0.5},"people":[]})");
  auto folded = parse_rows({record}, names());
  REQUIRE(folded.rows.size() == 1);
  CHECK(folded.rows[0].seeded_in_cells != 0);
  auto row = parse_row(record, names());
  REQUIRE(row);
  row->input_cost = 0.002;  // a person's price
  DiscoveryResult listing;
  listing.provider = "openai";
  ModelInfo m;
  m.id = "gpt-4o";
  m.input_cost_per_1k = 0.0025;
  listing.models.push_back(m);
  auto merged = merge_listing("openai", ModelCategory::text, &listing, {*row}, *core::parse_utc("2026-12-04T12:00:00Z"), {},
                              names());
  for (const auto& write : merged.writes) CHECK(write.count(names().cell("input_cost")) == 0);
  REQUIRE(merged.rows.size() == 1);
  CHECK(merged.rows[0].input_cost == 0.002);
  CHECK(merged.rows[0].book.people().count("input_cost") == 1);
}

TEST_CASE("a row keeps bookkeeping only when a person edited it, and a copy keeps its own", "[seeded]") {
  // 96 bytes of empty map and set were in every row, and in every copy of the table.
  std::mt19937 rng(20261207);
  size_t held = 0, edited = 0;
  for (int i = 0; i < 2000; ++i) {
    auto made = random_row(rng, i);
    auto row = parse_row(made.record, names());
    REQUIRE(row);
    fold_seeded(*row);
    bool kept_something = !row->book.seeded().empty() || !row->book.people().empty();
    CHECK(row->book.held() == kept_something);
    held += row->book.held();
    edited += kept_something;
    // Metadata written back is the one read, held or not.
    CHECK(write_metadata(*row) == std::get<std::string>(made.record.fields.at(names().cell("metadata"))));
  }
  CHECK(edited > 0);
  CHECK(edited < 2000);  // rows nobody edited are among the random ones
  CHECK(held < 2000);

  RegistryRow original;
  original.book.edit_people().emplace("model_name");
  original.book.edit_seeded()["category"] = std::string("tts");
  RegistryRow copy = original;
  copy.book.edit_people().emplace("input_cost");
  copy.book.edit_seeded().clear();
  CHECK(original.book.people() == std::set<std::string>{"model_name"});
  CHECK(original.book.seeded().at("category") == FieldValue(std::string("tts")));
  RegistryRow assigned;
  assigned = copy;
  CHECK(assigned.book.people() == std::set<std::string>{"input_cost", "model_name"});
  RegistryRow moved = std::move(assigned);
  CHECK(moved.book.people().size() == 2);
  CHECK_FALSE(assigned.book.held());  // a moved-from row holds nothing
  assigned = moved;
  const RegistryRow& same = assigned;
  assigned = same;  // assigned to itself, it keeps what it held
  CHECK(assigned.book.people().size() == 2);
  RegistryRow nobody;
  CHECK_FALSE(nobody.book.held());
  CHECK(nobody.book.people().empty());
  CHECK_FALSE(RegistryRow(nobody).book.held());
}
