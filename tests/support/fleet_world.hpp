// A fleet on one base, for the fleet tests and benchmarks: airtable-local (Airtable's limit
// unless told otherwise), three providers' recorded listings on loopback, a table synced once
// (so that every provider's listing is fresh), a redis-server when asked for, and server
// instances started as processes (registry_instance) whose JSON lines are read back.
// Not thread-safe; one owner.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "airreg/discovery.hpp"
#include "airreg/airtable_client.hpp"
#include "child_process.hpp"
#include "fixture_server.hpp"
#include "local_server.hpp"
#include "redis_server.hpp"
#include "temp_dir.hpp"

namespace airreg::test {

inline constexpr const char* kFleetProviders = "openai,anthropic,mistral";

// One answer line of registry_instance.
struct Answer {
  double t_ms = 0;
  std::string provider, source, error;
  size_t models = 0;
  double ms = 0;
};

struct InstanceOutput {
  std::vector<Answer> answers;
  size_t airtable_requests = 0, shared_snapshots = 0, rate_limited = 0;
  bool redis_ok = false, has_stats = false;
};

InstanceOutput parse_instance_output(const std::string& text);

struct FleetWorld {
  // Before the servers: they are destroyed after them (the providers' thread reads these).
  std::mutex listing_mutex;  // the server's thread reads the listing a test changes
  std::string openai;
  LocalServer airtable;
  FixtureServer providers;
  TempDir dir;
  std::optional<RedisServer> redis;

  explicit FleetWorld(bool with_redis,
                      std::vector<std::string> airtable_args = {"--rate-limit", "5", "--penalty-seconds", "30"});
  AirtableConfig airtable_config() const;
  DiscoveryConfig discovery() const;
  // Tables made and every provider synced, new models active: what a fleet starts on.
  void seed();
  // The environment of an instance named `name` (its own state directory).
  std::map<std::string, std::string> env(const std::string& name, bool use_redis) const;
  std::unique_ptr<ChildProcess> instance(const std::string& name, int duration_ms, int every_ms, bool use_redis = true,
                                         std::map<std::string, std::string> extra = {}) const;
  size_t requests_since(size_t before) const { return airtable.requests().size() - before; }
};

}  // namespace airreg::test
