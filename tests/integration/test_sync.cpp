// The sync story against airtable-local and recorded provider answers on loopback: new
// models arrive pending, a person's edits survive, a vanished model is marked missing, a
// garbage row is skipped and left alone, and a re-sync with nothing changed writes nothing.
#include <catch2/catch.hpp>

#include "airreg/formula.hpp"
#include "airreg/model_registry.hpp"
#include "airreg/sync.hpp"
#include "fixture_server.hpp"
#include "local_config.hpp"
#include "local_server.hpp"
#include "registry/resolve.hpp"
#include "registry/table_reader.hpp"
#include "registry_tables.hpp"
#include "temp_dir.hpp"

using namespace airreg;
using airreg::test::FixtureServer;
using airreg::test::LocalServer;
using airreg::test::provider_fixture;
using airreg::test::TempDir;
using Reply = FixtureServer::Reply;

namespace {

struct Story {
  LocalServer airtable;
  FixtureServer providers;
  TempDir state;
  AirtableClient client{test::local_config(airtable), make_curl_transport()};
  RegistrySchemas schemas = RegistrySchemas::load(AIRREG_TEST_SCHEMA_DIR).value();
  std::unique_ptr<Discovery> discovery;
  std::string openai_listing = provider_fixture("openai/2026-02/v1_models.json");

  Story() {
    test::set_up_registry_tables(client);
    providers.on("GET", "/models", [this](const FixtureServer::Seen&) { return Reply{200, openai_listing, {}}; });
    DiscoveryConfig config;
    config.rules_path = AIRREG_TEST_SCHEMA_DIR "/provider_rules.json";
    config.curated_path = AIRREG_TEST_SCHEMA_DIR "/curated_models.json";
    config.base_urls["openai"] = providers.url();
    config.environment["OPENAI_API_KEY"] = "sk-story";
    discovery = Discovery::create(config, make_curl_transport()).value();
  }

  SyncReport sync(bool force = true, bool dry_run = false,
                  std::vector<ModelCategory> categories = {ModelCategory::text}) {
    SyncOptions o;
    o.providers = {"openai"};
    o.categories = std::move(categories);
    o.force = force;
    o.dry_run = dry_run;
    o.instance = "test";
    SyncRunner runner(client, std::make_shared<Outbox>(state.path()), *discovery, schemas);
    return runner.run(o);
  }

  registry::TableSnapshot rows() {
    return registry::read_table(client, airtable::Columns::from_schema(schemas.registry),
                                airtable::Columns::from_schema(schemas.history), std::chrono::system_clock::now())
        .value();
  }
  const RegistryRow& row(const registry::TableSnapshot& read, const std::string& id) {
    for (const auto& r : read.parsed.rows)
      if (r.model_id == id) return r;
    FAIL("no row " << id);
    return read.parsed.rows.front();
  }
  std::string record_id(const std::string& model) { return row(rows(), model).record_id; }
  void person_edits(const std::string& model, Fields cells, bool typecast = false) {
    REQUIRE(client.update(schemas.registry.name, {AirtableRecord{record_id(model), "", std::move(cells)}}, false, typecast));
  }
  // The listing names a model (OpenAI's does not, so its Model Name is its id until then).
  void name_in_listing(const std::string& id, const std::string& name) {
    std::string at = "\"id\": \"" + id + "\",";
    size_t found = openai_listing.find(at);
    REQUIRE(found != std::string::npos);
    openai_listing.insert(found + at.size(), " \"name\": \"" + name + "\",");
  }
  // The listing without `drop` and with `add`, as the provider might answer tomorrow.
  void change_listing(const std::string& drop, const std::string& add) {
    size_t at = openai_listing.find("\"" + drop + "\"");
    REQUIRE(at != std::string::npos);
    openai_listing.replace(at, drop.size() + 2, "\"" + add + "\"");
  }
};

}  // namespace

TEST_CASE("sync story: pending arrivals, a person's edits kept, vanished models marked, nothing rewritten twice", "[sync][integration]") {
  Story s;
  // 1. First sync: every text model arrives as pending, with one history row.
  auto first = s.sync();
  REQUIRE(first.providers.size() == 1);
  CHECK(first.providers[0].outcome == SyncOutcome::success);
  CHECK(first.providers[0].created == 15);
  CHECK(first.registry_writes.written == 15);
  CHECK(first.ok());
  auto read = s.rows();
  REQUIRE(read.parsed.rows.size() == 15);
  for (const auto& r : read.parsed.rows) {
    CHECK(r.status == ModelStatus::pending);
    CHECK(r.available);
    CHECK(r.discovery_method == "api");
  }
  auto history = s.client.list(s.schemas.history.name).value();
  REQUIRE(history.size() == 1);
  CHECK(history[0].fields.at("Outcome") == FieldValue(std::string("success")));
  CHECK(history[0].fields.at("New") == FieldValue(15.0));
  CHECK(history[0].fields.at("Instance") == FieldValue(std::string("test")));

  // 2. Without --force the rows are fresh: nothing is asked.
  size_t asked = s.providers.seen().size();
  CHECK(s.sync(false).providers[0].outcome == SyncOutcome::skipped);
  CHECK(s.providers.seen().size() == asked);

  // 3. A person approves and annotates; two syncs later every edit is still there.
  s.person_edits("gpt-4o", {{"Status", std::string("active")}, {"Recommended", true}, {"Notes", std::string("ours")},
                            {"Model Name", std::string("GPT-4o (house)")}, {"Cost per 1K tokens", 0.002}});
  s.person_edits("gpt-4-0613", {{"Status", std::string("active")}});
  s.sync();
  size_t before = s.client.request_count();
  auto quiet = s.sync();
  CHECK(quiet.registry_writes.requests == 0);  // nothing changed, within the hour: no write
  CHECK(quiet.providers[0].unchanged == 15);
  (void)before;
  read = s.rows();
  const auto& mine = s.row(read, "gpt-4o");
  CHECK(mine.status == ModelStatus::active);
  CHECK(mine.recommended);
  CHECK(mine.notes == "ours");
  CHECK(mine.model_name == "GPT-4o (house)");
  CHECK(mine.input_cost == 0.002);

  // 4. Tomorrow's listing: gpt-4-0613 gone, gpt-9 new.
  s.change_listing("gpt-4-0613", "gpt-9");
  auto third = s.sync();
  CHECK(third.providers[0].created == 1);
  CHECK(third.providers[0].missing == 1);
  CHECK(third.providers[0].new_model_ids == std::vector<std::string>{"gpt-9"});
  read = s.rows();
  CHECK(read.parsed.rows.size() == 16);
  const auto& gone = s.row(read, "gpt-4-0613");
  CHECK_FALSE(gone.available);
  CHECK(gone.missing_since.has_value());
  CHECK(gone.status == ModelStatus::active);  // a person's field: not touched before the grace period
  CHECK(s.row(read, "gpt-9").status == ModelStatus::pending);
  // 5. Asking for the vanished model falls back to the recommended one.
  auto chosen = registry::resolve_model(read.parsed.rows, "gpt-4-0613", std::nullopt);
  CHECK(chosen.model_id == "gpt-4o");
  CHECK(chosen.rule == ResolveRule::recommended);
  CHECK(s.client.list(s.schemas.history.name).value().size() == 5);  // one per sync, the skipped one too
}

TEST_CASE("a garbage row is skipped with a warning naming it and left exactly as the person left it", "[sync][integration]") {
  Story s;
  s.sync();
  s.person_edits("gpt-4o", {{"Status", std::string("actve")}, {"Max Tokens", 5.0}}, /*typecast=*/true);
  auto report = s.sync();
  CHECK(report.providers[0].skipped_rows == 1);
  bool named = false;
  for (const auto& note : report.providers[0].notes) named |= note.find("(openai/gpt-4o)") != std::string::npos;
  CHECK(named);
  ListQuery query;
  query.filter_by_formula = formula::equals("Model ID", "gpt-4o");
  auto records = s.client.list(s.schemas.registry.name, query).value();
  REQUIRE(records.size() == 1);  // no duplicate created for the unreadable row
  CAPTURE(std::get<std::string>(records[0].fields.at("Status")));
  CHECK(records[0].fields.at("Status") == FieldValue(std::string("actve")));
  CHECK(records[0].fields.at("Max Tokens") == FieldValue(5.0));
}

TEST_CASE("columns a person renamed are followed by their marker", "[sync][integration]") {
  Story s;
  auto tables = s.client.tables().value();
  for (const auto& t : tables)
    if (t.name == "AI Model Registry") {
      const FieldSpec* name = t.field_by_name("Model Name");
      REQUIRE(name);
      REQUIRE(s.client.update_field(t.id, name->id, std::string("Display Name"), std::nullopt));
    }
  auto report = s.sync();
  CHECK(report.ok());
  CHECK(report.providers[0].created == 15);
  auto records = s.client.list("AI Model Registry").value();
  REQUIRE(records.size() == 15);
  CHECK(records[0].fields.count("Display Name") == 1);
  CHECK(records[0].fields.count("Model Name") == 0);
}

TEST_CASE("a dry run reports and writes nothing; a provider failing marks nothing missing", "[sync][integration]") {
  Story s;
  auto dry = s.sync(true, true);
  CHECK(dry.providers[0].created == 15);
  CHECK(s.rows().parsed.rows.empty());
  s.sync();
  s.providers.on("GET", "/models", [](const FixtureServer::Seen&) { return Reply{500, R"({"error":{"message":"down"}})", {}}; });
  auto failed = s.sync();
  CHECK(failed.providers[0].outcome == SyncOutcome::failed);
  CHECK_FALSE(failed.ok());
  for (const auto& r : s.rows().parsed.rows) CHECK(r.available);
}

TEST_CASE("a Category a person changed is theirs: text and tts syncs keep the row, its status and name", "[sync][integration]") {
  Story s;
  auto both = std::vector<ModelCategory>{ModelCategory::text, ModelCategory::tts};
  s.sync(true, false, both);
  size_t rows_before = s.rows().parsed.rows.size();
  s.person_edits("gpt-4o", {{"Category", std::string("tts")}, {"Status", std::string("active")},
                            {"Model Name", std::string("Our voice model")}});
  auto again = s.sync(true, false, both);
  CHECK(again.ok());
  auto second = s.sync(true, false, both);
  for (const auto& p : second.providers) {
    CAPTURE(to_string(p.category));
    CHECK(p.created == 0);
    CHECK(p.missing == 0);  // before: the tts pass marked the text model missing
  }
  auto read = s.rows();
  CHECK(read.parsed.rows.size() == rows_before);  // no second row, no warning of a duplicate
  CHECK(read.parsed.warnings.empty());
  const auto& moved = s.row(read, "gpt-4o");
  CHECK(moved.category == ModelCategory::tts);
  CHECK(moved.status == ModelStatus::active);  // before: reset to pending by a "new" row
  CHECK(moved.model_name == "Our voice model");
  CHECK(moved.available);
  CHECK(moved.book.people().count("category") == 1);
}

TEST_CASE("a replay after an outage never overwrites a cell a person changed meanwhile", "[sync][integration]") {
  Story s;
  s.sync();
  // Tomorrow the listing names two models: seeded updates for both rows.
  s.name_in_listing("gpt-4o", "GPT-4o (listing)");
  s.name_in_listing("gpt-4", "GPT-4 (listing)");
  // Airtable dies while the provider answers: the sync read the table, its writes cannot land.
  s.providers.on("GET", "/models", [&](const FixtureServer::Seen&) {
    s.airtable.stop();
    return Reply{200, s.openai_listing, {}};
  });
  auto cut = s.sync();
  CHECK_FALSE(cut.ok());
  REQUIRE(Outbox(s.state.path()).status().value().waiting >= 2);
  // Airtable comes back; a person names gpt-4o (and approves it) before the replay.
  s.airtable.restart();
  s.person_edits("gpt-4o", {{"Model Name", std::string("Our GPT-4o")}, {"Status", std::string("active")}});
  BatchWriter flush(s.client, std::make_shared<Outbox>(s.state.path()), BatchWriterOptions{});  // as `airreg flush`
  auto replay = flush.flush();
  CHECK(replay.waiting == 0);
  CHECK(replay.conflicts == 1);
  auto read = s.rows();
  CHECK(s.row(read, "gpt-4o").model_name == "Our GPT-4o");  // before: overwritten by the replay
  CHECK(s.row(read, "gpt-4o").status == ModelStatus::active);
  CHECK(s.row(read, "gpt-4").model_name == "GPT-4 (listing)");  // nobody changed it: the update lands
  // The next sync sees the person's name as theirs from then on.
  s.providers.on("GET", "/models", [&](const FixtureServer::Seen&) { return Reply{200, s.openai_listing, {}}; });
  s.sync();
  read = s.rows();
  CHECK(s.row(read, "gpt-4o").model_name == "Our GPT-4o");
  CHECK(s.row(read, "gpt-4o").book.people().count("model_name") == 1);
}

TEST_CASE("new model families are classed by patterns; ids no rule knows are named, in the report and the history", "[sync][integration]") {
  Story s;
  s.change_listing("gpt-4-0613", "o7-mini");     // a new o-series member: "o" and a digit
  s.change_listing("gpt-3.5-turbo", "omni-x");   // an unknown family
  auto report = s.sync();
  REQUIRE(report.providers.size() == 1);
  const auto& p = report.providers[0];
  CHECK(std::find(p.new_model_ids.begin(), p.new_model_ids.end(), "o7-mini") != p.new_model_ids.end());
  CHECK(p.unclassified == std::vector<std::string>{"omni-x"});
  bool noted = false;
  for (const auto& n : p.notes) noted |= n.find("unclassified: omni-x: add a rule in schema/provider_rules.json") != std::string::npos;
  CHECK(noted);
  auto history = s.client.list(s.schemas.history.name).value();
  REQUIRE(history.size() == 1);
  CHECK(history[0].fields.at("Unclassified IDs") == FieldValue(std::string("omni-x")));
}
