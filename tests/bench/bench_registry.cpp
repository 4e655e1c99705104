// Registry benchmarks, against the airtable-local and provider fixture servers that
// scripts/bench.sh starts (AIRTABLE_ENDPOINT_URL, OPENAI_BASE_URL listing BENCH_MODELS models,
// FIVE_BASE_URL five providers of 100, BIG_OPENAI_BASE_URL many). One JSON line per figure:
//   {"bench":"sync_requests",...}   Airtable requests of a sync (first, again, five providers)
//   {"bench":"cold_read",...}       a cold models() on the synced base (one page per 100 rows)
//   {"bench":"cache_hit","api":"models_view"|"models",...}  hits per second summed over 1 and
//                                   2 threads, ns per hit, beside std::mutex + unordered_map
//   {"bench":"resolve_hit",...}     resolve_view() on a hit, beside models_view()
// `bench_registry rss` alone (a fresh process, so that nothing else counts):
//   {"bench":"registry_rss",...}    peak RSS of a registry refreshing BIG_MODELS models, into
//                                   an empty table or one that holds them (RSS_TABLE); as
//                                   an instance of a fleet with RSS_REDIS_URL ("fleet":true;
//                                   "shared_snapshots":1 when it took the table another shared)
#include <sys/resource.h>

#include <atomic>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "airreg/model_registry.hpp"
#include "bench_line.hpp"
#include "airreg/setup.hpp"
#include "airreg/sync.hpp"

namespace {

using Steady = std::chrono::steady_clock;

// Counts the requests that pass through it.
class CountingTransport : public airreg::HttpTransport {
 public:
  explicit CountingTransport(std::shared_ptr<airreg::HttpTransport> inner) : inner_(std::move(inner)) {}
  airreg::Result<airreg::HttpResponse> send(const airreg::HttpRequest& request) override {
    ++count;
    return inner_->send(request);
  }
  std::atomic<size_t> count{0};

 private:
  std::shared_ptr<airreg::HttpTransport> inner_;
};

std::filesystem::path temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "airreg-bench-XXXXXX").string();
  return ::mkdtemp(pattern.data());
}

struct HitRate {
  double hits_per_s = 0, ns_per_hit = 0;
};

// `threads` threads calling hit() per_thread times each: hits a second summed over the
// threads, and the time of one hit as each thread sees it.
template <typename Hit>
HitRate time_hits(int threads, long per_thread, Hit hit) {
  std::vector<std::thread> pool;
  auto start = Steady::now();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([hit, per_thread]() mutable {  // each thread its own copy, as a server's workers
      for (long i = 0; i < per_thread; ++i) hit();
    });
  for (auto& t : pool) t.join();
  double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  double total = static_cast<double>(threads) * static_cast<double>(per_thread);
  return HitRate{total / seconds, seconds * 1e9 / total * threads};
}

double peak_rss_mb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return std::round(static_cast<double>(usage.ru_maxrss) / 1024 * 10) / 10;
}

// A registry holding BIG_MODELS models, in a process that did nothing else before.
int registry_rss() {
  using namespace airreg;
  double before = peak_rss_mb();
  AirtableConfig airtable = AirtableConfig::from_environment();
  airtable.max_requests_per_second = 0;  // Airtable writes are not waited for
  auto schemas = RegistrySchemas::load().value();
  auto config = DiscoveryConfig::from_environment(default_schema_dir()).value();
  if (const char* big_url = std::getenv("BIG_OPENAI_BASE_URL")) config.base_urls["openai"] = big_url;
  RegistryOptions options;
  options.state_dir = temp_dir();
  options.flush_timeout = std::chrono::seconds(0);
  // RSS_REDIS_URL: an instance of a fleet, which shares the snapshot it reads through Redis.
  const char* redis = std::getenv("RSS_REDIS_URL");
  if (redis && *redis) options.redis_url = redis;
  auto big = ModelRegistry::create(airtable, config, schemas, options).value();
  auto many = big->refresh("openai", ModelCategory::text).value();
  auto all = big->models("openai", ModelCategory::text, true).value();
  // RSS_TABLE says what the table held before: "empty" (a first fill: every row written) or
  // "full" (the models' rows: the table is read, every row parsed and merged; the usual day).
  double peak = peak_rss_mb();  // before stats(), which reads the outbox through SQLite's page cache
  const char* table = std::getenv("RSS_TABLE");
  airreg::bench::BenchLine("registry_rss")
      .add("table", std::string(table && *table ? table : "empty"))
      .add("fleet", redis && *redis)
      .add("shared_snapshots", big->stats().shared_snapshots)  // tables taken from another instance
      .add("models", all->models.size())
      .add("peak_rss_mb", peak)
      .add("before_mb", before)
      .add("target_mb", 30)
      .print();
  (void)many;
  return 0;
}

// Airtable requests of one sync, by what it wrote.
void sync_line(const char* run, airreg::AirtableClient& client, airreg::SyncRunner& runner, const airreg::SyncOptions& sync) {
  size_t before = client.request_count();
  auto start = Steady::now();
  auto report = runner.run(sync);
  double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  size_t discovered = 0;
  for (const auto& p : report.providers) discovered += p.discovered;
  airreg::bench::BenchLine("sync_requests")
      .add("run", std::string(run))
      .add("providers", report.providers.size())
      .add("models", discovered)
      .add("airtable_requests", client.request_count() - before)
      .add("row_write_requests", report.registry_writes.requests)
      .add("rate_limited", report.registry_writes.rate_limited)
      .add("seconds", std::round(seconds * 10) / 10)
      .print();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace airreg;
  if (argc > 1 && std::string(argv[1]) == "rss") return registry_rss();
  AirtableConfig airtable = AirtableConfig::from_environment();
  auto schemas = RegistrySchemas::load().value();
  auto discovery_config = DiscoveryConfig::from_environment(default_schema_dir()).value();
  auto transport = make_curl_transport();
  auto state = temp_dir();

  AirtableClient client(airtable, transport);
  auto plan = plan_setup({&schemas.registry, &schemas.history}, client.tables().value());
  if (plan.writes() && !apply_setup(client, plan)) return 1;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // setup's requests out of the window

  auto discovery = Discovery::create(discovery_config, transport).value();
  SyncOptions sync;
  sync.providers = {"openai"};
  sync.categories = {ModelCategory::text};
  sync.force = true;
  sync.instance = "bench";
  for (const char* run : {"first sync", "second sync, nothing changed"}) {
    SyncRunner runner(client, std::make_shared<Outbox>(state), *discovery, schemas);
    sync_line(run, client, runner, sync);
  }
  if (const char* five = std::getenv("FIVE_BASE_URL")) {
    // Five providers of 100 models each, on the same base (its table holds the rows above too).
    auto five_config = discovery_config;
    SyncOptions five_sync = sync;
    five_sync.providers = {"openai", "anthropic", "mistral", "groq", "openrouter"};
    for (const auto& p : five_sync.providers) {
      five_config.base_urls[p] = std::string(five) + "/" + p;
      std::string key = p == "openai" ? "OPENAI_API_KEY" : p == "anthropic" ? "ANTHROPIC_API_KEY" : p == "mistral" ? "MISTRAL_API_KEY"
                        : p == "groq" ? "GROQ_API_KEY" : "OPENROUTER_API_KEY";
      five_config.environment[key] = "bench";
    }
    auto five_discovery = Discovery::create(five_config, transport).value();
    auto five_outbox = std::make_shared<Outbox>(temp_dir());
    for (const char* run : {"five providers of 100 models, first sync", "five providers, again (a daily sync, nothing changed)"}) {
      SyncRunner runner(client, five_outbox, *five_discovery, schemas);
      sync_line(run, client, runner, five_sync);
    }
  }

  RegistryOptions options;
  options.state_dir = state;
  options.wait_for = std::chrono::seconds(60);  // the read's own answer, not the fallback after 2 s
  auto counting = std::make_shared<CountingTransport>(transport);
  auto registry = ModelRegistry::create(airtable, discovery_config, schemas, options, counting).value();
  auto list = registry->models("openai", ModelCategory::text, true).value();
  airreg::bench::BenchLine("cold_read")
      .add("rows", list->models.size())
      .add("source", std::string(airreg::to_string(list->source)))
      .add("http_requests", counting->count.load())
      .print();

  // The baseline: a std::mutex and an unordered_map of shared_ptrs, looked up by a string.
  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<const ModelList>> baseline{{"openai/text", list}};
  auto baseline_hit = [&] {
    std::lock_guard lock(mutex);
    auto copy = baseline.find("openai/text")->second;
    (void)copy;
  };
  // As a server's handler holds them: the registry's address and the provider's handle.
  ModelRegistry* server_registry = registry.get();
  auto openai = registry->handle("openai");
  const long kHits = 20'000'000;
  HitRate one_thread;
  for (int threads : {1, 2}) {
    auto base = time_hits(threads, kHits / 10 / threads, baseline_hit);
    auto view = time_hits(threads, kHits / threads, [server_registry, openai] {
      auto answer = server_registry->models_view(openai, ModelCategory::text);
      asm volatile("" : : "r"(answer.has_value()) : "memory");
    });
    auto shared = time_hits(threads, kHits / 10 / threads, [&] { (void)registry->models("openai", ModelCategory::text); });
    if (threads == 1) one_thread = view;
    airreg::bench::BenchLine("cache_hit")
        .add("api", std::string("models_view"))
        .add("threads", threads)
        .add("hits_per_s", std::round(view.hits_per_s))
        .add("ns_per_hit", std::round(view.ns_per_hit * 10) / 10)
        .add("baseline_hits_per_s", std::round(base.hits_per_s))
        .add("baseline_ns_per_hit", std::round(base.ns_per_hit * 10) / 10)
        .add("x_baseline", std::round(view.hits_per_s / base.hits_per_s * 10) / 10)
        .add("x_one_thread", std::round(view.hits_per_s / one_thread.hits_per_s * 100) / 100)
        .print();
    airreg::bench::BenchLine("cache_hit")
        .add("api", std::string("models (shared_ptr)"))
        .add("threads", threads)
        .add("hits_per_s", std::round(shared.hits_per_s))
        .add("ns_per_hit", std::round(shared.ns_per_hit * 10) / 10)
        .add("baseline_hits_per_s", std::round(base.hits_per_s))
        .add("baseline_ns_per_hit", std::round(base.ns_per_hit * 10) / 10)
        .print();
  }
  auto resolved = time_hits(1, kHits, [server_registry, openai] {
    auto choice = server_registry->resolve_view(openai, ModelCategory::text, "gpt-5-bench-1");
    asm volatile("" : : "r"(choice.has_value()) : "memory");
  });
  airreg::bench::BenchLine("resolve_hit")
      .add("threads", 1)
      .add("hits_per_s", std::round(resolved.hits_per_s))
      .add("ns_per_hit", std::round(resolved.ns_per_hit * 10) / 10)
      .add("models_view_ns_per_hit", std::round(one_thread.ns_per_hit * 10) / 10)
      .add("x_models_view", std::round(resolved.ns_per_hit / one_thread.ns_per_hit * 100) / 100)
      .print();
  return 0;
}
