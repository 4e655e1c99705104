// ModelRegistry, the read path, against airtable-local and recorded provider answers on
// loopback, on a fake clock for the TTLs.
#include <catch2/catch.hpp>

#include <thread>

#include "airreg/model_registry.hpp"
#include "airreg/sync.hpp"
#include "core/time_text.hpp"
#include "fake_clock.hpp"
#include "fixture_server.hpp"
#include "local_config.hpp"
#include "local_server.hpp"
#include "registry/row_reader.hpp"
#include "registry_tables.hpp"
#include "temp_dir.hpp"

using namespace std::chrono_literals;
using namespace airreg;
using airreg::test::FakeClock;
using airreg::test::FixtureServer;
using airreg::test::LocalServer;
using airreg::test::provider_fixture;
using airreg::test::TempDir;
using Reply = FixtureServer::Reply;

namespace {

std::string core_time(SystemTime t) { return core::format_utc(t); }

struct World {
  LocalServer airtable;
  FixtureServer providers;
  TempDir state;
  FakeClock clock;
  AirtableClient client{test::local_config(airtable), make_curl_transport()};
  std::string listing = provider_fixture("openai/2026-02/v1_models.json");
  bool provider_down = false;

  World() {
    test::set_up_registry_tables(client);
    providers.on("GET", "/models", [this](const FixtureServer::Seen&) {
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
  std::unique_ptr<ModelRegistry> registry(RegistryOptions o = {}) {
    o.state_dir = state.path();
    o.flush_timeout = 5s;
    o.new_status = ModelStatus::active;  // so that the lists below are not empty
    return ModelRegistry::create(test::local_config(airtable), discovery(), RegistrySchemas::load(AIRREG_TEST_SCHEMA_DIR).value(),
                                 o, make_curl_transport(), clock.clock())
        .value();
  }
  size_t provider_calls() const { return providers.seen().size(); }
  size_t rows_in_table() { return client.list("AI Model Registry").value().size(); }
};

}  // namespace

TEST_CASE("a cold read asks the provider, writes back, and the next instance reads fresh rows from Airtable", "[registry]") {
  World w;
  {
    auto r = w.registry();
    auto first = r->models("openai", ModelCategory::text).value();
    CHECK(first->source == "provider");
    CHECK(first->models.size() == 15);
    auto hit = r->models("openai", ModelCategory::text).value();
    CHECK(hit->source == "cache");
    CHECK(hit->models.size() == 15);
    CHECK(r->stats().hits == 1);
  }  // destruction flushes the write-back
  CHECK(w.rows_in_table() == 15);
  auto next = w.registry();
  auto read = next->models("openai", ModelCategory::text).value();
  CHECK(read->source == "airtable");
  CHECK(w.provider_calls() == 1);
}

TEST_CASE("32 threads missing the same key cause one upstream load", "[registry]") {
  World w;
  auto r = w.registry();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 32; ++i)
    threads.emplace_back([&] {
      if (auto list = r->models("openai", ModelCategory::text); list && (*list)->models.size() == 15) ++ok;
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 32);
  CHECK(w.provider_calls() == 1);
  CHECK(r->stats().upstream_calls == 2);  // one Airtable read, one provider listing
}

TEST_CASE("the cache expires after its TTL and reads Airtable again", "[registry]") {
  World w;
  RegistryOptions o;
  o.cache_ttl = 3600s;
  auto r = w.registry(o);
  r->models("openai", ModelCategory::text).value();
  auto calls = r->stats().upstream_calls;
  w.clock.advance(3599s);
  CHECK(r->models("openai", ModelCategory::text).value()->source == "cache");
  w.clock.advance(2s);
  CHECK(r->models("openai", ModelCategory::text).value()->source != "cache");
  CHECK(r->stats().upstream_calls > calls);
}

TEST_CASE("provider down: stale rows are served, marked stale, and the provider is not hammered", "[registry]") {
  World w;
  { w.registry()->models("openai", ModelCategory::text).value(); }
  w.provider_down = true;
  RegistryOptions o;
  o.fresh_for = 0h;  // every row is stale at once
  o.cache_ttl = 1s;
  auto r = w.registry(o);
  auto stale = r->models("openai", ModelCategory::text).value();
  CHECK(stale->source == "stale");
  CHECK(stale->models.size() == 15);
  CHECK_FALSE(stale->warnings.empty());
  size_t calls = w.provider_calls();
  w.clock.advance(30s);  // within the negative cache: served as it was, the provider left alone
  CHECK(r->models("openai", ModelCategory::text).value()->source == "stale");
  CHECK(w.provider_calls() == calls);
  w.clock.advance(271s);  // past the negative cache and the 5-minute discovery interval: asked once more
  CHECK(r->models("openai", ModelCategory::text).value()->source == "stale");
  CHECK(w.provider_calls() == calls + 1);
}

TEST_CASE("Airtable down: the provider's models are served with statuses from the last snapshot; rows wait in the outbox", "[registry]") {
  World w;
  {
    auto r = w.registry();
    r->models("openai", ModelCategory::text).value();
  }
  // A person disables gpt-4o; a registry reads it (and keeps the snapshot) before Airtable goes.
  auto rows = registry::read_rows(w.client, registry::FieldNames(RegistrySchemas::load(AIRREG_TEST_SCHEMA_DIR)->registry), "openai");
  (void)rows;
  auto records = w.client.list("AI Model Registry").value();
  std::string gpt4o;
  for (const auto& rec : records)
    if (rec.fields.at("Model ID") == FieldValue(std::string("gpt-4o"))) gpt4o = rec.id;
  REQUIRE(w.client.update("AI Model Registry", {AirtableRecord{gpt4o, "", {{"Status", std::string("disabled")}}}}));
  {
    RegistryOptions fresh_never;
    fresh_never.fresh_for = 0h;
    w.registry(fresh_never)->models("openai", ModelCategory::text).value();
  }
  w.airtable.stop();
  w.listing.replace(w.listing.find("\"gpt-4-0613\""), 12, "\"gpt-new-1\"");
  auto r = w.registry();
  auto list = r->models("openai", ModelCategory::text).value();
  CHECK(list->source == "provider");
  bool served_disabled = false, served_new = false;
  for (const auto& m : list->models) {
    served_disabled |= m.model_id == "gpt-4o";
    served_new |= m.model_id == "gpt-new-1";
  }
  CHECK_FALSE(served_disabled);  // the snapshot says a person disabled it
  CHECK(served_new);             // new models follow the new-model policy (active here)
  r.reset();                     // the flush fails: the write-back waits in the outbox
  CHECK(Outbox(w.state.path()).status().value().waiting > 0);
}

TEST_CASE("two instances on one base see each other's writes once their caches expire", "[registry]") {
  World w;
  RegistryOptions o;
  o.cache_ttl = 60s;
  auto a = w.registry(o);
  auto b = w.registry(o);
  a->models("openai", ModelCategory::text).value();
  a.reset();  // a's write-back lands
  CHECK(b->models("openai", ModelCategory::text).value()->source == "airtable");
  auto records = w.client.list("AI Model Registry").value();
  REQUIRE(w.client.update("AI Model Registry", {AirtableRecord{records[0].id, "", {{"Status", std::string("disabled")}}}}));
  CHECK(b->models("openai", ModelCategory::text).value()->models.size() == 15);  // cached
  w.clock.advance(61s);
  CHECK(b->models("openai", ModelCategory::text).value()->models.size() == 14);
}

TEST_CASE("resolve falls back by the rules, and to the curated default when nothing is known", "[registry]") {
  World w;
  auto r = w.registry();
  auto chosen = r->resolve("openai", ModelCategory::text, "gpt-4o").value();
  CHECK(chosen.model_id == "gpt-4o");
  CHECK(chosen.rule == "requested");
  auto other = r->resolve("openai", ModelCategory::text, "no-such-model").value();
  CHECK(other.rule == "sort order");
  w.provider_down = true;
  auto anthropic = r->resolve("anthropic", ModelCategory::text, "claude-haiku-4-5-20251001");  // no key, no rows
  REQUIRE(anthropic);
  CHECK(anthropic->rule == "requested");  // the curated list is served as usable
  CHECK(anthropic->source == "curated");
  auto unknown = r->resolve("anthropic", ModelCategory::text, "claude-x");
  REQUIRE(unknown);
  CHECK(unknown->rule == "sort order");
}

TEST_CASE("rows are fresh for 24 h minus this instance's jitter (here 2.5 %: 23.4 h)", "[registry]") {
  World w;
  { w.registry()->models("openai", ModelCategory::text).value(); }
  auto set_verified = [&](std::chrono::minutes ago) {
    auto when = core_time(std::chrono::system_clock::now() - ago);
    std::vector<AirtableRecord> updates;
    auto records = w.client.list("AI Model Registry").value();
    for (const auto& rec : records) {
      updates.push_back(AirtableRecord{rec.id, "", {{"Last Verified", when}}});
      if (updates.size() == 10) {
        REQUIRE(w.client.update("AI Model Registry", updates));
        updates.clear();
      }
    }
    if (!updates.empty()) REQUIRE(w.client.update("AI Model Registry", updates));
  };
  size_t calls = w.provider_calls();
  set_verified(23h + 18min);  // 23.3 h: trusted
  CHECK(w.registry()->models("openai", ModelCategory::text).value()->source == "airtable");
  CHECK(w.provider_calls() == calls);
  set_verified(23h + 30min);  // 23.5 h: past this instance's trust, the provider is asked
  CHECK(w.registry()->models("openai", ModelCategory::text).value()->source == "provider");
  CHECK(w.provider_calls() == calls + 1);
}
