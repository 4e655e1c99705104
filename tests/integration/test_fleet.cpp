// A fleet of registry instances (separate processes with their own state directories, or
// registries in this process) on one base, against airtable-local with Airtable's own limit
// (5 req/s, a penalty after it is passed) and a real redis-server on a free loopback port.
#include <catch2/catch.hpp>
#include <signal.h>
#include <simdjson.h>

#include <thread>

#include "airreg/model_registry.hpp"
#include "airreg/sync.hpp"
#include "child_process.hpp"
#include "fleet_world.hpp"
#include "eventually.hpp"
#include "fixture_server.hpp"
#include "local_config.hpp"
#include "local_server.hpp"
#include "redis_server.hpp"
#include "registry_tables.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

using namespace std::chrono_literals;
using namespace airreg;
using airreg::test::ChildProcess;
using airreg::test::FixtureServer;
using airreg::test::LocalServer;
using airreg::test::provider_fixture;
using airreg::test::RedisServer;
using airreg::test::TempDir;
using Reply = FixtureServer::Reply;

namespace {

using airreg::test::FleetWorld;

// The fleet's keys in Redis, as redis-cli shows them.
std::string lease_key(const std::string& name) { return std::string("airreg:v1:{") + LocalServer::kBase + "}:lease:" + name; }

}  // namespace

TEST_CASE("a fleet of 10 starting at once with Redis: every instance answers, no 429, about the requests of one",
          "[fleet][integration]") {
  FleetWorld w(true);
  w.seed();
  size_t before = w.airtable.requests().size();
  std::vector<std::unique_ptr<ChildProcess>> fleet;
  for (int i = 0; i < 10; ++i) fleet.push_back(w.instance("i" + std::to_string(i), 3000, 500));
  size_t shared = 0;
  for (auto& p : fleet) {
    CHECK(p->wait() == 0);
    auto out = airreg::test::parse_instance_output(p->output());
    CAPTURE(p->output());
    REQUIRE(out.has_stats);
    REQUIRE(!out.answers.empty());
    for (const auto& a : out.answers) {
      CHECK(a.error.empty());
      CHECK(a.models > 0);
    }
    // Its last answers come from the table, read by it or by another instance.
    for (size_t k = out.answers.size() - 3; k < out.answers.size(); ++k)
      CHECK((out.answers[k].source == "airtable" || out.answers[k].source == "shared" || out.answers[k].source == "cache"));
    shared += out.shared_snapshots;
  }
  CHECK(w.airtable.rate_limited() == 0);
  // One instance costs the meta API once, the table (1 page of ~190 rows: 2) and the history
  // (1): 4. The fleet shares its binding and its snapshot: one instance reads for all.
  size_t requests = w.requests_since(before);
  UNSCOPED_INFO("Airtable requests of the fleet: " << requests << ", snapshots taken from Redis: " << shared);
  CHECK(requests <= 5);
  CHECK(shared >= 9);
}

TEST_CASE("a table lease holder killed mid-read: another instance takes over once the lease expires", "[fleet][integration]") {
  // Every answer takes a second: the reader is still reading when it dies.
  FleetWorld w(true, {"--rate-limit", "5", "--penalty-seconds", "30", "--latency-ms", "1000"});
  w.seed();
  std::map<std::string, std::string> quick{{"AIRREG_WAIT_FOR", "500"}, {"AIRREG_NEGATIVE_TTL", "1"}, {"AIRREG_STARTUP_JITTER", "0"}};
  auto holder = w.instance("holder", 60000, 1000, true, quick);
  REQUIRE(test::eventually([&] { return w.redis->cli("EXISTS " + lease_key("table")).find('1') != std::string::npos; }, 15s));
  std::string held_by = w.redis->cli("GET " + lease_key("table"));
  CHECK_THAT(held_by, Catch::Contains("holder~"));
  holder->signal(SIGKILL);
  holder->wait();
  // The lease outlives its holder by at most its TTL (10 s); then the next instance reads
  // the table itself.
  auto next = w.instance("next", 25000, 300, true, quick);
  REQUIRE(next->wait() == 0);
  auto out = airreg::test::parse_instance_output(next->output());
  REQUIRE(out.answers.size() > 3);
  for (const auto& a : out.answers) CHECK(a.error.empty());
  CHECK(out.answers.back().source != "curated");
  CHECK((out.answers.back().source == "airtable" || out.answers.back().source == "cache"));
  CHECK(w.airtable.rate_limited() == 0);
}

TEST_CASE("Redis killed mid-run: the instances keep answering, and share again once it is back", "[fleet][integration]") {
  FleetWorld w(true);
  w.seed();
  std::vector<std::unique_ptr<ChildProcess>> fleet;
  // An hour of 2 s; airtable-local shares this clock, so no skew margin (with the default 60 s
  // every revalidation would read the seed's rows again: three requests instead of one).
  std::map<std::string, std::string> short_cache{{"AIRREG_CACHE_TTL", "2"}, {"AIRREG_CLOCK_SKEW", "0"}};
  for (int i = 0; i < 3; ++i) fleet.push_back(w.instance("r" + std::to_string(i), 11000, 200, true, short_cache));
  // Long enough for the instances to have counted each other (they beat every 2 s).
  std::this_thread::sleep_for(4500ms);
  w.redis->kill();
  std::this_thread::sleep_for(3000ms);
  w.redis->start();
  for (auto& p : fleet) {
    CHECK(p->wait() == 0);
    auto out = airreg::test::parse_instance_output(p->output());
    CAPTURE(p->output());
    REQUIRE(out.has_stats);
    for (const auto& a : out.answers) CHECK(a.error.empty());
    CHECK(out.answers.size() > 20);
    CHECK(out.redis_ok);  // back again by the end
  }
  std::string timeline;  // the requests around a 429, when there was one
  auto log = w.airtable.requests();
  for (size_t i = 0; i < log.size(); ++i)
    if (log[i].status == 429)
      for (size_t j = i >= 8 ? i - 8 : 0; j <= i; ++j)
        timeline += std::to_string(log[j].t_ms) + " " + log[j].method + " " + log[j].path.substr(0, 60) + " " +
                    std::to_string(log[j].status) + "\n";
  INFO(timeline);
  CHECK(w.airtable.rate_limited() == 0);
}

TEST_CASE("a write-back's change notice reaches the other instances, which serve the new rows", "[fleet][integration]") {
  FleetWorld w(true);
  w.seed();
  auto make = [&](const std::string& name) {
    RegistryOptions o;
    o.redis_url = w.redis->url();
    o.state_dir = w.dir.path() / name;
    o.instance = name;
    o.startup_jitter = 0ms;
    o.new_status = ModelStatus::active;
    return ModelRegistry::create(w.airtable_config(), w.discovery(), RegistrySchemas::load(AIRREG_TEST_SCHEMA_DIR).value(), o)
        .value();
  };
  auto a = make("a");
  auto b = make("b");
  auto c = make("c");
  auto has = [](ModelRegistry& r, const std::string& id) {
    auto list = r.models("openai", ModelCategory::text);
    if (!list) return false;
    for (const auto& m : (*list)->models)
      if (m.model_id == id) return true;
    return false;
  };
  REQUIRE(has(*b, "gpt-4o"));
  REQUIRE(has(*c, "gpt-4o"));
  CHECK_FALSE(has(*b, "gpt-9-fleet"));
  // The provider lists a new model; instance a asks it and writes the row back.
  {
    std::lock_guard lock(w.listing_mutex);
    size_t at = w.openai.find("\"gpt-4o\"");
    REQUIRE(at != std::string::npos);
    w.openai.insert(at, "\"gpt-9-fleet\", \"object\": \"model\", \"created\": 1, \"owned_by\": \"x\"}, {\"id\": ");
  }
  REQUIRE(a->refresh("openai", ModelCategory::text));
  // b and c cached the old list for an hour; the notice makes them read again.
  CHECK(test::eventually([&] { return has(*b, "gpt-9-fleet") && has(*c, "gpt-9-fleet"); }, 10s));
  CHECK(b->stats().shared_snapshots + c->stats().shared_snapshots >= 1);
}

TEST_CASE("without Redis, 20 instances starting at once all answer, and the fleet converges to the table", "[fleet][integration]") {
  // A 2 s penalty instead of 30, said in Retry-After, so that convergence fits in a test.
  FleetWorld w(false, {"--rate-limit", "5", "--penalty-seconds", "2", "--retry-after"});
  w.seed();
  std::map<std::string, std::string> settings{{"AIRREG_NEGATIVE_TTL", "2"}, {"AIRREG_READ_ATTEMPTS", "6"}};
  std::vector<std::unique_ptr<ChildProcess>> fleet;
  for (int i = 0; i < 20; ++i) fleet.push_back(w.instance("n" + std::to_string(i), 45000, 1000, false, settings));
  size_t converged = 0;
  std::string stragglers;  // the sources each one served, by second
  for (auto& p : fleet) {
    CHECK(p->wait() == 0);
    auto out = airreg::test::parse_instance_output(p->output());
    CAPTURE(p->output());
    REQUIRE(out.answers.size() >= 3);
    for (const auto& a : out.answers) CHECK(a.error.empty());
    const auto& last = out.answers.back();
    bool ok = last.source == "airtable" || last.source == "cache";
    if (!ok) {
      std::string trail;
      for (const auto& a : out.answers)
        if (a.provider == "openai") trail += std::to_string(static_cast<int>(a.t_ms / 1000)) + ":" + a.source + " ";
      stragglers += trail + " requests " + std::to_string(out.airtable_requests) + ", 429s " +
                    std::to_string(out.rate_limited) + "\n";
    }
    converged += ok;
  }
  INFO(stragglers);
  CHECK(converged == 20);
}
