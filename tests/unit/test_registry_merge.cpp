#include <catch2/catch.hpp>

#include "core/time_text.hpp"
#include "registry/merge.hpp"
#include "registry/resolve.hpp"
#include "registry/row_codec.hpp"
#include "registry_schema.hpp"

using namespace std::chrono_literals;
using namespace airreg;
using airreg::registry::merge_listing;
using airreg::registry::MergePolicy;
using airreg::registry::MergeResult;

namespace {

const airtable::Columns& names() { return test::registry_columns(); }

const SystemTime kNow = *core::parse_utc("2026-11-22T12:00:00Z");

ModelInfo model(const std::string& id, std::optional<int64_t> context = 128000) {
  ModelInfo m;
  m.id = id;
  m.display_name = "Name of " + id;
  m.context_window = context;
  m.features = {"chat"};
  return m;
}

DiscoveryResult listing(std::vector<ModelInfo> models) {
  DiscoveryResult r;
  r.provider = "openai";
  r.models = std::move(models);
  return r;
}

MergeResult merge(const DiscoveryResult* l, std::vector<RegistryRow> rows, SystemTime now = kNow, MergePolicy p = {}) {
  return merge_listing("openai", ModelCategory::text, l, std::move(rows), now, p, names());
}

// Applies a merge's writes to rows as Airtable would, and reads them back: a second sync
// then sees exactly what the first one left.
std::vector<RegistryRow> applied(const MergeResult& m) {
  std::vector<RegistryRow> rows;
  for (const auto& r : m.rows) rows.push_back(r);
  return rows;
}

const Fields* write_for(const MergeResult& m, const std::string& id) {
  for (const auto& w : m.writes)
    if (w.at("Model ID") == FieldValue(id)) return &w;
  return nullptr;
}

RegistryRow& row_of(std::vector<RegistryRow>& rows, const std::string& id) {
  for (auto& r : rows)
    if (r.model_id == id) return r;
  FAIL("no row " << id);
  return rows.front();
}

}  // namespace

TEST_CASE("a new model gets a full row entering as pending, or active when configured", "[merge]") {
  auto l = listing({model("gpt-4o")});
  auto m = merge(&l, {});
  CHECK(m.created == 1);
  CHECK(m.new_model_ids == std::vector<std::string>{"gpt-4o"});
  REQUIRE(m.writes.size() == 1);
  const Fields& w = m.writes[0];
  CHECK(w.at("Model Key") == FieldValue(std::string("openai/gpt-4o")));
  CHECK(w.at("Status") == FieldValue(std::string("pending")));
  CHECK(w.at("Available") == FieldValue(true));
  CHECK(w.at("Last Verified") == FieldValue(std::string("2026-11-22T12:00:00.000Z")));
  CHECK(w.at("First Seen") == FieldValue(std::string("2026-11-22T12:00:00.000Z")));
  CHECK(w.at("Discovery Method") == FieldValue(std::string("api")));
  CHECK(w.at("Model Name") == FieldValue(std::string("Name of gpt-4o")));
  CHECK(w.at("Max Tokens") == FieldValue(128000.0));
  CHECK(w.at("Category") == FieldValue(std::string("text")));
  CHECK_THAT(std::get<std::string>(w.at("Metadata")), Catch::Contains(R"("model_name":"Name of gpt-4o")"));
  CHECK(w.count("Recommended") == 0);  // people's fields are not written
  MergePolicy active;
  active.new_status = ModelStatus::active;
  CHECK(merge(&l, {}, kNow, active).writes[0].at("Status") == FieldValue(std::string("active")));
}

TEST_CASE("re-syncing an unchanged listing within the hour writes nothing", "[merge]") {
  auto l = listing({model("gpt-4o"), model("o3")});
  auto first = merge(&l, {});
  auto second = merge(&l, applied(first), kNow + 30min);
  CHECK(second.writes.empty());
  CHECK(second.unchanged == 2);
  // After the hour only Last Verified moves.
  auto later = merge(&l, applied(first), kNow + 61min);
  REQUIRE(later.writes.size() == 2);
  CHECK(later.writes[0].size() == 3);  // key cells and Last Verified
  CHECK(later.writes[0].count("Last Verified") == 1);
}

TEST_CASE("a person's edits survive: people fields never written, a changed seeded cell is theirs", "[merge]") {
  auto l = listing({model("gpt-4o", 128000)});
  auto rows = applied(merge(&l, {}));
  RegistryRow& r = row_of(rows, "gpt-4o");
  r.status = ModelStatus::active;        // approved
  r.recommended = true;
  r.notes = "our default";
  r.model_name = "GPT-4o (ours)";        // a seeded cell a person changed
  r.input_cost = 0.002;                   // a seeded cell the listing never filled
  auto changed = listing({model("gpt-4o", 256000)});
  changed.models[0].display_name = "GPT-4o new name";
  changed.models[0].input_cost_per_1k = 0.0025;
  auto m = merge(&changed, rows, kNow + 2h);
  const Fields* w = write_for(m, "gpt-4o");
  REQUIRE(w);
  CHECK(w->at("Max Tokens") == FieldValue(256000.0));  // still the connector's: updated
  CHECK(w->count("Model Name") == 0);
  CHECK(w->count("Cost per 1K tokens") == 0);
  CHECK(w->count("Status") == 0);
  CHECK(w->count("Recommended") == 0);
  CHECK(w->count("Notes") == 0);
  auto after = applied(m);
  CHECK(row_of(after, "gpt-4o").book.people() == std::set<std::string>{"input_cost", "model_name"});
  // And on the next sync too, even when the listing changes the name again.
  changed.models[0].display_name = "GPT-4o newer";
  auto again = merge(&changed, after, kNow + 4h);
  const Fields* w2 = write_for(again, "gpt-4o");
  CHECK((w2 == nullptr || w2->count("Model Name") == 0));
}

TEST_CASE("a missing model is marked unavailable, then deprecated after the grace period", "[merge]") {
  auto both = listing({model("gpt-4o"), model("old")});
  auto rows = applied(merge(&both, {}));
  row_of(rows, "old").status = ModelStatus::active;
  auto only = listing({model("gpt-4o")});
  auto day1 = merge(&only, rows, kNow + 1h);
  CHECK(day1.missing == 1);
  const Fields* w = write_for(day1, "old");
  REQUIRE(w);
  CHECK(w->at("Available") == FieldValue(false));
  CHECK(w->at("Missing Since") == FieldValue(std::string("2026-11-22T13:00:00.000Z")));
  CHECK(w->count("Status") == 0);
  auto rows1 = applied(day1);
  auto day3 = merge(&only, rows1, kNow + 72h);
  CHECK(day3.missing == 0);
  CHECK(write_for(day3, "old") == nullptr);
  auto day8 = merge(&only, applied(day3), kNow + 1h + 7 * 24h);
  CHECK(day8.deprecated == 1);
  w = write_for(day8, "old");
  REQUIRE(w);
  CHECK(w->at("Status") == FieldValue(std::string("deprecated")));
  CHECK(w->at("Deprecation Date") == FieldValue(std::string("2026-11-29")));
  // A model that comes back is available again, Missing Since cleared; its status stays.
  auto back = merge(&both, applied(day8), kNow + 9 * 24h);
  w = write_for(back, "old");
  REQUIRE(w);
  CHECK(w->at("Available") == FieldValue(true));
  CHECK(w->at("Missing Since") == FieldValue{});
  CHECK(w->count("Status") == 0);
}

TEST_CASE("a failed or shrunken listing marks nothing missing", "[merge]") {
  std::vector<ModelInfo> ten;
  for (int i = 0; i < 10; ++i) ten.push_back(model("m" + std::to_string(i)));
  auto full = listing(ten);
  auto rows = applied(merge(&full, {}));
  auto failed = merge(nullptr, rows, kNow + 2h);
  CHECK(failed.writes.empty());
  CHECK(failed.missing == 0);
  REQUIRE(failed.warnings.size() == 1);
  auto four = listing({ten.begin(), ten.begin() + 4});
  auto shrunk = merge(&four, rows, kNow + 2h);
  CHECK(shrunk.missing == 0);
  CHECK_THAT(shrunk.warnings.at(0), Catch::Contains("under half of the 10"));
  auto five = listing({ten.begin(), ten.begin() + 5});
  CHECK(merge(&five, rows, kNow + 2h).missing == 5);  // half is still trusted
}

TEST_CASE("rows people added are never marked missing, and are adopted with their fields kept", "[merge]") {
  RegistryRow manual;
  manual.record_id = "recM";
  manual.provider_id = "openai";
  manual.model_id = "gpt-private";
  manual.model_name = "Our private model";
  manual.discovery_method = "manual";
  manual.status = ModelStatus::active;
  auto other = listing({model("gpt-4o")});
  auto m = merge(&other, {manual});
  CHECK(write_for(m, "gpt-private") == nullptr);
  auto listed = listing({model("gpt-4o"), model("gpt-private")});
  auto adopted = merge(&listed, {manual});
  const Fields* w = write_for(adopted, "gpt-private");
  REQUIRE(w);
  CHECK(w->at("Available") == FieldValue(true));
  CHECK(w->count("Model Name") == 0);        // a person's value
  CHECK(w->count("Discovery Method") == 0);  // stays manual
  CHECK(w->count("Status") == 0);
}

TEST_CASE("a listed model whose row could not be read is not written", "[merge]") {
  auto l = listing({model("gpt-4o"), model("o3")});
  auto m = merge_listing("openai", ModelCategory::text, &l, {}, kNow, {}, names(), {"openai/gpt-4o"});
  CHECK(m.created == 1);
  CHECK(write_for(m, "gpt-4o") == nullptr);
}

TEST_CASE("resolve: requested, else recommended, else sort order then name, else curated", "[resolve]") {
  auto row = [](const std::string& id, ModelStatus s, bool available = true) {
    RegistryRow r;
    r.provider_id = "openai";
    r.model_id = id;
    r.status = s;
    r.available = available;
    r.discovery_method = "api";
    return r;
  };
  std::vector<RegistryRow> rows{row("a", ModelStatus::active), row("b", ModelStatus::pending), row("c", ModelStatus::beta),
                                row("gone", ModelStatus::active, false), row("d", ModelStatus::disabled)};
  using airreg::registry::resolve_model;
  using airreg::ResolveRule;
  CHECK(resolve_model(rows, "a", {}).rule == ResolveRule::requested);
  CHECK(resolve_model(rows, "b", {}).model_id == "a");  // pending: by name, a before c
  CHECK(resolve_model(rows, "b", {}).rule == ResolveRule::sort_order);
  rows[2].sort_order = 1;
  CHECK(resolve_model(rows, "gone", {}).model_id == "c");  // sort order first
  rows[0].recommended = true;
  auto r = resolve_model(rows, "gone", {});
  CHECK(r.model_id == "a");
  CHECK(r.rule == ResolveRule::recommended);
  std::vector<RegistryRow> none{row("b", ModelStatus::pending)};
  CHECK(resolve_model(none, "b", std::string("gpt-4o-mini")).rule == ResolveRule::curated_default);
  CHECK(resolve_model(none, "b", {}).model_id.empty());
  // The curated default is checked against the rows like any other: a person disabled it.
  std::vector<RegistryRow> refused{row("b", ModelStatus::pending), row("gpt-4o-mini", ModelStatus::disabled)};
  CHECK(resolve_model(refused, "b", std::string("gpt-4o-mini")).model_id.empty());
  std::vector<RegistryRow> deprecated{row("gpt-4o-mini", ModelStatus::deprecated)};
  CHECK(resolve_model(deprecated, "x", std::string("gpt-4o-mini")).model_id.empty());
}

TEST_CASE("a row whose Category a person changed is still the model's row: matched by key, theirs kept", "[merge]") {
  auto text = listing({model("gpt-4o"), model("gpt-4o-mini")});
  auto rows = applied(merge(&text, {}));
  RegistryRow& moved = row_of(rows, "gpt-4o-mini");
  moved.category = ModelCategory::tts;  // a person moved it
  moved.status = ModelStatus::active;
  moved.model_name = "Mini (ours)";
  auto again = merge(&text, rows, kNow + 2h);
  CHECK(again.created == 0);  // before: taken for new, its Status reset to pending
  CHECK(again.new_model_ids.empty());
  const Fields* w = write_for(again, "gpt-4o-mini");
  REQUIRE(w);
  CHECK(w->count("Status") == 0);
  CHECK(w->count("Category") == 0);
  CHECK(w->count("Model Name") == 0);
  CHECK(w->count("Model Key") == 0);
  auto after = applied(again);
  CHECK(row_of(after, "gpt-4o-mini").book.people().count("category") == 1);
  CHECK(row_of(after, "gpt-4o-mini").book.people().count("model_name") == 1);
  // The tts listing does not know it: it must not mark a model the text listing has as missing.
  DiscoveryResult tts;
  tts.provider = "openai";
  tts.category = ModelCategory::tts;
  tts.models = {model("tts-1")};
  auto tts_pass = merge_listing("openai", ModelCategory::tts, &tts, after, kNow + 2h, {}, names());
  CHECK(tts_pass.missing == 0);
  CHECK(write_for(tts_pass, "gpt-4o-mini") == nullptr);
  CHECK(row_of(tts_pass.rows, "gpt-4o-mini").available);
}

TEST_CASE("select values are written only when the base offers them", "[merge]") {
  TableSchema schema = test::registry_schema();
  TableSpec base = schema.to_table_spec();
  for (auto& f : base.fields) {
    if (f.name == "Features") f.choices = {"chat"};  // the base lacks "vision"
    if (f.name == "Status") f.choices = {"active", "disabled"};  // and "pending"
  }
  auto columns = airtable::Columns::bind(schema, base);
  auto m0 = model("gpt-4o");
  m0.features = {"chat", "vision"};
  auto l = listing({m0});
  auto m = merge_listing("openai", ModelCategory::text, &l, {}, kNow, {}, columns);
  REQUIRE(m.writes.size() == 1);
  CHECK(m.writes[0].at("Features") == FieldValue(std::vector<std::string>{"chat"}));
  CHECK(m.writes[0].count("Status") == 0);
  REQUIRE_FALSE(m.warnings.empty());
  CHECK_THAT(m.warnings[0], Catch::Contains("\"Status\" has no option \"pending\""));
}
