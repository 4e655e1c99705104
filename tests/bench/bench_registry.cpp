// Registry benchmarks, against the airtable-local and provider fixture server that
// scripts/bench.sh starts (AIRTABLE_ENDPOINT_URL, OPENAI_BASE_URL; the fixture lists
// BENCH_MODELS models). Prints one line per figure:
//   - Airtable requests for a sync of the listing (first time, then again: no writes)
//   - Airtable requests for a cold models() on the synced base (one page per 100 rows)
//   - cache hits per second and ns per hit, 1 and 2 threads, beside std::mutex + unordered_map
//   - peak RSS after a registry holding BIG_MODELS models answered (with a second listing)
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "airreg/model_registry.hpp"
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

template <typename Hit>
void time_hits(const char* what, int threads, long per_thread, Hit hit) {
  std::vector<std::thread> pool;
  auto start = Steady::now();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (long i = 0; i < per_thread; ++i) hit();
    });
  for (auto& t : pool) t.join();
  double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  double total = static_cast<double>(threads) * static_cast<double>(per_thread);
  std::printf("cache hits, %-28s %d thread(s): %12.0f hits/s  %6.1f ns/hit\n", what, threads, total / seconds,
              seconds * 1e9 / total * threads);
}

}  // namespace

int main() {
  using namespace airreg;
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
    size_t before = client.request_count();
    auto start = Steady::now();
    SyncRunner runner(client, std::make_shared<Outbox>(state), *discovery, schemas);
    auto report = runner.run(sync);
    double seconds = std::chrono::duration<double>(Steady::now() - start).count();
    std::printf("%-30s %4zu models: %4zu Airtable requests (%zu writes of rows, %zu 429s), %.1f s\n", run,
                report.providers.at(0).discovered, client.request_count() - before, report.registry_writes.requests,
                report.registry_writes.rate_limited, seconds);
  }

  RegistryOptions options;
  options.state_dir = state;
  auto counting = std::make_shared<CountingTransport>(transport);
  auto registry = ModelRegistry::create(airtable, discovery_config, schemas, options, counting).value();
  auto list = registry->models("openai", ModelCategory::text, true).value();
  std::printf("cold models() on the synced base: %zu rows, source %s, %zu HTTP requests (one page per 100 rows: %zu)\n",
              list->models.size(), std::string(airreg::to_string(list->source)).c_str(), counting->count.load(), (list->models.size() + 99) / 100);

  const long kHits = 2'000'000;
  for (int threads : {1, 2})
    time_hits("ModelRegistry::models()", threads, kHits / threads,
              [&] { (void)registry->models("openai", ModelCategory::text); });
  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<const ModelList>> baseline{{"openai/text", list}};
  for (int threads : {1, 2})
    time_hits("std::mutex + unordered_map", threads, kHits / threads, [&] {
      std::lock_guard lock(mutex);
      auto copy = baseline.find("openai/text")->second;
      (void)copy;
    });
  registry.reset();

  if (const char* big_url = std::getenv("BIG_OPENAI_BASE_URL")) {
    // A second provider instance listing many models; Airtable writes are not waited for.
    auto big_config = discovery_config;
    big_config.base_urls["openai"] = big_url;
    AirtableConfig unpaced = airtable;
    unpaced.max_requests_per_second = 0;
    RegistryOptions big_options;
    big_options.state_dir = temp_dir();
    big_options.flush_timeout = std::chrono::seconds(0);
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    long before_kb = usage.ru_maxrss;
    auto big = ModelRegistry::create(unpaced, big_config, schemas, big_options, transport).value();
    auto many = big->refresh("openai", ModelCategory::text).value();
    auto all = big->models("openai", ModelCategory::text, true).value();
    getrusage(RUSAGE_SELF, &usage);
    std::printf("registry holding %zu models: peak RSS %.1f MB (%.1f MB before)\n", all->models.size(),
                static_cast<double>(usage.ru_maxrss) / 1024, static_cast<double>(before_kb) / 1024);
    (void)many;
  }
  return 0;
}
