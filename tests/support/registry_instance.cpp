// One server instance of a fleet, for the fleet tests and benchmarks: a ModelRegistry made as a
// server makes it (configuration from the environment: AIRTABLE_*, AIRREG_*, the providers'
// variables) asking for the models of some providers again and again, as requests would.
//
//   registry_instance PROVIDERS CATEGORY DURATION_MS EVERY_MS
//
// PROVIDERS is comma-separated. Prints one JSON line per answer,
//   {"t_ms":12,"provider":"openai","source":"airtable","models":120,"ms":3.1,"error":""}
// (error is empty when there was an answer)
// and, at the end (DURATION_MS passed, or SIGTERM), {"stats":{...}}.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "airreg/model_registry.hpp"
#include "json/member.hpp"

namespace {

std::atomic<bool> stopping{false};

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void print(const rapidjson::StringBuffer& line) {
  std::fwrite(line.GetString(), 1, line.GetSize(), stdout);
  std::fputc('\n', stdout);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: registry_instance PROVIDERS CATEGORY DURATION_MS EVERY_MS\n");
    return 2;
  }
  signal(SIGTERM, [](int) { stopping = true; });
  auto providers = split(argv[1]);
  auto category = std::string(argv[2]) == "tts" ? airreg::ModelCategory::tts : airreg::ModelCategory::text;
  auto duration = std::chrono::milliseconds(std::atoll(argv[3]));
  auto every = std::chrono::milliseconds(std::atoll(argv[4]));
  const char* schema_dir = std::getenv("AIRREG_SCHEMA_DIR");
  auto options = airreg::RegistryOptions::from_environment();
  auto discovery = airreg::DiscoveryConfig::from_environment(schema_dir ? schema_dir : "");
  auto schemas = airreg::RegistrySchemas::load(schema_dir ? schema_dir : "");
  if (!options || !discovery || !schemas) {
    std::fprintf(stderr, "%s\n", (!options ? options.error() : !discovery ? discovery.error() : schemas.error()).describe().c_str());
    return 2;
  }
  if (const char* dir = std::getenv("AIRREG_STATE_DIR")) options->state_dir = dir;
  auto started = std::chrono::steady_clock::now();
  auto registry = airreg::ModelRegistry::create(airreg::AirtableConfig::from_environment(), std::move(*discovery),
                                                std::move(*schemas), std::move(*options));
  if (!registry) {
    std::fprintf(stderr, "%s\n", registry.error().describe().c_str());
    return 1;
  }
  auto ms_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  };
  while (!stopping && std::chrono::steady_clock::now() - started < duration) {
    for (const auto& provider : providers) {
      auto asked = std::chrono::steady_clock::now();
      auto list = (*registry)->models(provider, category);
      double ms = ms_since(asked);
      rapidjson::StringBuffer line;
      Writer w(line);
      w.StartObject();
      airreg::json::member(w, "t_ms", ms_since(started));
      airreg::json::member(w, "provider", provider);
      airreg::json::member(w, "source", list ? std::string(airreg::to_string((*list)->source)) : "");
      airreg::json::member(w, "models", list ? (*list)->models.size() : 0);
      airreg::json::member(w, "ms", ms);
      airreg::json::member(w, "error", list ? std::string() : list.error().describe());
      w.EndObject();
      print(line);
    }
    std::fflush(stdout);
    std::this_thread::sleep_for(every);
  }
  auto s = (*registry)->stats();
  rapidjson::StringBuffer line;
  Writer w(line);
  w.StartObject();
  airreg::json::key(w, "stats");
  w.StartObject();
  airreg::json::member(w, "airtable_requests", s.airtable_requests);
  airreg::json::member(w, "airtable_reads", s.airtable_reads);
  airreg::json::member(w, "shared_snapshots", s.shared_snapshots);
  airreg::json::member(w, "rate_limited", s.rate_limited);
  airreg::json::member(w, "provider_calls", s.provider_calls);
  airreg::json::member(w, "redis_ok", s.redis_ok);
  airreg::json::member(w, "fleet_instances", s.fleet_instances);
  w.EndObject();
  w.EndObject();
  print(line);
  std::fflush(stdout);
  return 0;
}
