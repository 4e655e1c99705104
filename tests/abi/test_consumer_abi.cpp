// A program as a user writes one: it includes simdjson.h itself and links libairreg.a, but
// takes neither simdjson's CMake target (so not its compile definitions) nor -pthread. The
// classes of simdjson differ with and without SIMDJSON_THREADS_ENABLED; both layouts in one
// binary crashed at exit. airreg exports the define, and keeps no parser alive per thread.
#include <catch2/catch.hpp>
#include <simdjson.h>

#include <thread>

#include "airreg/discovery.hpp"

#ifdef SIMDJSON_THREADS_ENABLED
constexpr bool kThreadsEnabled = true;
#else
constexpr bool kThreadsEnabled = false;
#endif

TEST_CASE("a consumer that includes simdjson.h sees the same simdjson as libairreg.a", "[abi]") {
  CHECK(kThreadsEnabled);  // before: false here, true inside the library
}

TEST_CASE("the consumer's parsers and the library's live side by side on several threads and exit cleanly", "[abi]") {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      simdjson::dom::parser mine;
      std::string doc = R"({"a":[1,2,3]})";
      if (mine.parse(doc).error() == simdjson::SUCCESS) ++ok;
      // The library parses too (its rules file), with its own parsers.
      airreg::DiscoveryConfig config;
      config.rules_path = AIRREG_TEST_SCHEMA_DIR "/provider_rules.json";
      config.curated_path = AIRREG_TEST_SCHEMA_DIR "/curated_models.json";
      if (airreg::Discovery::create(config, airreg::make_curl_transport())) ++ok;
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 8);
}
