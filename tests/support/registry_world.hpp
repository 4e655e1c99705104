// The read path's world for integration tests: airtable-local with the registry tables, the
// OpenAI listing recorded on a fixture server, a state directory and a fake clock for the
// TTLs; registries made on it, and the edits a person makes through the API. One owner.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <thread>

#include "airreg/model_registry.hpp"
#include "core/time_text.hpp"
#include "fake_clock.hpp"
#include "fixture_server.hpp"
#include "local_config.hpp"
#include "local_server.hpp"
#include "registry_tables.hpp"
#include "temp_dir.hpp"

namespace airreg::test {

using namespace std::chrono_literals;
using Reply = FixtureServer::Reply;

inline constexpr const char* kTable = "AI Model Registry";
inline constexpr const char* kHistory = "Model Sync History";

// The test's own edits wait out a 429 as the registry does: the servers here punish for 2 s.
inline AirtableConfig edits_config(const LocalServer& airtable) {
  AirtableConfig c = test::local_config(airtable);
  c.rate_limit_pause = std::chrono::seconds(2);
  return c;
}

// Reads of the table: full ones and revalidations (which read only what changed).
inline size_t table_reads(ModelRegistry& r) {
  auto s = r.stats();
  return s.airtable_reads + s.revalidations;
}

struct World {
  // Before the servers: they are destroyed after them (the provider server's thread reads these).
  std::string listing = provider_fixture("openai/2026-02/v1_models.json");
  std::atomic<bool> provider_down{false};
  std::atomic<int> provider_delay_ms{0};
  LocalServer airtable;
  FixtureServer providers;
  TempDir state;
  FakeClock clock;
  AirtableClient client{edits_config(airtable), make_curl_transport()};

  double max_rps = 0;  // the registry's pacing (0: none, the server has no limit either)

  explicit World(std::vector<std::string> airtable_args = {"--rate-limit", "0"}) : airtable(std::move(airtable_args)) {
    test::set_up_registry_tables(client);
    providers.on("GET", "/models", [this](const FixtureServer::Seen&) {
      if (int ms = provider_delay_ms.load()) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      return provider_down ? Reply{503, R"({"error":{"message":"down"}})", {}} : Reply{200, listing, {}};
    });
  }
  DiscoveryConfig discovery() const {
    DiscoveryConfig c;
    c.rules_path = AIRREG_TEST_SCHEMA_DIR "/provider_rules.json";
    c.curated_path = AIRREG_TEST_SCHEMA_DIR "/curated_models.json";
    c.base_urls["openai"] = providers.url();
    c.environment["OPENAI_API_KEY"] = "sk-world";
    c.max_attempts = 1;
    return c;
  }
  std::unique_ptr<ModelRegistry> registry(RegistryOptions o = {}, ModelStatus new_status = ModelStatus::active) {
    o.state_dir = state.path();
    o.flush_timeout = 5s;
    if (o.wait_for == RegistryOptions{}.wait_for) o.wait_for = 30s;  // these tests want the load's own answer
    o.new_status = new_status;  // active, so that the lists below are not empty
    AirtableConfig config = test::local_config(airtable);
    config.max_requests_per_second = max_rps;
    config.rate_limit_pause = 2s;  // the servers here punish for 2 s, not Airtable's 30
    return ModelRegistry::create(config, discovery(), RegistrySchemas::load(AIRREG_TEST_SCHEMA_DIR).value(),
                                 o, make_curl_transport(), clock.clock())
        .value();
  }
  size_t provider_calls() const { return providers.seen().size(); }
  std::vector<AirtableRecord> records() { return client.list(kTable).value(); }
  std::string record_of(const std::string& model) {
    for (const auto& r : records())
      if (r.fields.at("Model ID") == FieldValue(model)) return r.id;
    FAIL("no row " << model);
    return "";
  }
  void edit(const std::string& model, Fields cells) {
    REQUIRE(client.update(kTable, {AirtableRecord{record_of(model), "", std::move(cells)}}));
  }
  // Every row's Last Verified is `ago`.
  void verified_ago(std::chrono::minutes ago) {
    std::string when = core::format_utc(std::chrono::system_clock::now() - ago);
    for (const auto& rec : records()) REQUIRE(client.update(kTable, {AirtableRecord{rec.id, "", {{"Last Verified", when}}}}));
  }
  // Every history row says the listings were read `ago`.
  void listed_ago(std::chrono::minutes ago) {
    std::string when = core::format_utc(std::chrono::system_clock::now() - ago);
    auto runs = client.list(kHistory).value();  // held: a range-for over value() of a temporary dangles
    for (const auto& run : runs)
      REQUIRE(client.update(kHistory, {AirtableRecord{run.id, "", {{"Started", when}, {"Finished", when}}}}));
  }
};

template <typename Rows>  // a std::vector<RegistryRow> or a RowList
size_t count(const Rows& rows, const std::string& id) {
  return static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [&](const RegistryRow& r) { return r.model_id == id; }));
}


}  // namespace airreg::test
