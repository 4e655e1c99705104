#include "fleet_world.hpp"

#include <simdjson.h>

#include <sstream>
#include <thread>

#include "airreg/sync.hpp"
#include "local_config.hpp"
#include "registry_tables.hpp"

namespace airreg::test {

namespace {

constexpr const char* kToken = "pat-fleet-test";
using Reply = FixtureServer::Reply;

}  // namespace

InstanceOutput parse_instance_output(const std::string& text) {
  InstanceOutput out;
  simdjson::dom::parser parser;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    simdjson::dom::object o;
    if (parser.parse(line).get(o) != simdjson::SUCCESS) continue;
    simdjson::dom::object stats;
    if (o["stats"].get(stats) == simdjson::SUCCESS) {
      out.has_stats = true;
      out.airtable_requests = static_cast<size_t>(stats["airtable_requests"].get_uint64().value_unsafe());
      out.shared_snapshots = static_cast<size_t>(stats["shared_snapshots"].get_uint64().value_unsafe());
      out.rate_limited = static_cast<size_t>(stats["rate_limited"].get_uint64().value_unsafe());
      out.redis_ok = stats["redis_ok"].get_bool().value_unsafe();
      continue;
    }
    Answer a;
    a.t_ms = o["t_ms"].get_double().value_unsafe();
    a.provider = std::string(o["provider"].get_string().value_unsafe());
    a.source = std::string(o["source"].get_string().value_unsafe());
    a.error = std::string(o["error"].get_string().value_unsafe());
    a.models = static_cast<size_t>(o["models"].get_uint64().value_unsafe());
    a.ms = o["ms"].get_double().value_unsafe();
    out.answers.push_back(a);
  }
  return out;
}


FleetWorld::FleetWorld(bool with_redis, std::vector<std::string> airtable_args)
    : openai(provider_fixture("openai/2026-02/v1_models.json")),
      airtable([&] {
        airtable_args.insert(airtable_args.end(), {"--token", kToken});
        return airtable_args;
      }()) {
  if (with_redis) redis.emplace();
  providers.on("GET", "/openai/models", [this](const FixtureServer::Seen&) {
    std::lock_guard lock(listing_mutex);
    return Reply{200, openai, {}};
  });
  providers.reply("GET", "/anthropic/models", Reply{200, provider_fixture("anthropic/2026-02/v1_models.json"), {}});
  providers.reply("GET", "/mistral/models", Reply{200, provider_fixture("mistral/2026-02/v1_models.json"), {}});
}

AirtableConfig FleetWorld::airtable_config() const {
  AirtableConfig c = local_config(airtable, kToken);
  c.max_requests_per_second = 5;
  return c;
}

DiscoveryConfig FleetWorld::discovery() const {
  DiscoveryConfig c;
  c.rules_path = AIRREG_TEST_SCHEMA_DIR "/provider_rules.json";
  c.curated_path = AIRREG_TEST_SCHEMA_DIR "/curated_models.json";
  for (const char* p : {"openai", "anthropic", "mistral"}) c.base_urls[p] = providers.url() + "/" + p;
  c.environment = {{"OPENAI_API_KEY", "sk-fleet"}, {"ANTHROPIC_API_KEY", "sk-ant-fleet"}, {"MISTRAL_API_KEY", "mi-fleet"}};
  c.max_attempts = 1;
  return c;
}

void FleetWorld::seed() {
  AirtableClient client(airtable_config(), make_curl_transport());
  set_up_registry_tables(client);
  auto d = Discovery::create(discovery(), make_curl_transport());
  if (!d) throw std::runtime_error(d.error().describe());
  SyncOptions o;
  o.providers = {"openai", "anthropic", "mistral"};
  o.categories = {ModelCategory::text};
  o.new_status = ModelStatus::active;
  o.instance = "seed";
  TempDir state;
  auto report = SyncRunner(client, std::make_shared<Outbox>(state.path()), **d, RegistrySchemas::load(AIRREG_TEST_SCHEMA_DIR).value())
                    .run(o);
  if (!report.ok()) throw std::runtime_error("the fleet's table could not be seeded");
  // The seed's requests end a second before the fleet starts: a window of its own.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
}

std::map<std::string, std::string> FleetWorld::env(const std::string& name, bool use_redis) const {
  std::map<std::string, std::string> e{
      {"AIRTABLE_API_KEY", kToken},
      {"AIRTABLE_BASE_ID", LocalServer::kBase},
      {"AIRTABLE_ENDPOINT_URL", airtable.url()},
      {"AIRREG_SCHEMA_DIR", AIRREG_TEST_SCHEMA_DIR},
      {"AIRREG_STATE_DIR", (dir.path() / name).string()},
      {"AIRREG_INSTANCE", name},
      {"OPENAI_API_KEY", "sk-fleet"},
      {"OPENAI_BASE_URL", providers.url() + "/openai"},
      {"ANTHROPIC_API_KEY", "sk-ant-fleet"},
      {"ANTHROPIC_BASE_URL", providers.url() + "/anthropic"},
      {"MISTRAL_API_KEY", "mi-fleet"},
      {"MISTRAL_BASE_URL", providers.url() + "/mistral"},
  };
  if (use_redis && redis) e["AIRREG_REDIS_URL"] = redis->url();
  return e;
}

std::unique_ptr<ChildProcess> FleetWorld::instance(const std::string& name, int duration_ms, int every_ms, bool use_redis,
                                                   std::map<std::string, std::string> extra) const {
  auto e = env(name, use_redis);
  for (auto& [k, v] : extra) e[k] = v;
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{REGISTRY_INSTANCE_BIN, kFleetProviders, "text", std::to_string(duration_ms), std::to_string(every_ms)},
      (dir.path() / (name + ".out")).string(), e);
}

}  // namespace airreg::test
