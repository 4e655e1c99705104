// Parse-and-normalise benchmark: an OpenRouter listing of N entries (the recorded ones
// repeated with new ids, about 2 KB each) read by airreg's discovery (simdjson validation +
// On-Demand + rules) and, in the same run, by RapidJSON's DOM reading the same fields.
// Prints one JSON line per reader: MB, ms (median of runs), MB/s, models.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_line.hpp"
#include "airreg/discovery.hpp"

namespace {

class BodyTransport : public airreg::HttpTransport {
 public:
  std::string body;
  airreg::Result<airreg::HttpResponse> send(const airreg::HttpRequest&) override {
    return airreg::HttpResponse{200, {}, body};
  }
};

std::string listing_of(const std::string& recorded, int entries) {
  rapidjson::Document in;
  in.Parse(recorded.c_str());
  const auto& data = in["data"].GetArray();
  rapidjson::Document out(rapidjson::kObjectType);
  rapidjson::Value list(rapidjson::kArrayType);
  for (int i = 0; i < entries; ++i) {
    rapidjson::Value entry(data[static_cast<rapidjson::SizeType>(i) % data.Size()], out.GetAllocator());
    std::string id = std::string(entry["id"].GetString()) + "-" + std::to_string(i);
    entry["id"].SetString(id.c_str(), out.GetAllocator());
    list.PushBack(entry, out.GetAllocator());
  }
  out.AddMember("data", list, out.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  out.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// The same fields airreg reads, by RapidJSON's DOM.
size_t rapidjson_read(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError()) return 0;
  size_t kept = 0;
  for (const auto& e : doc["data"].GetArray()) {
    std::string id = e["id"].GetString();
    std::string name = e.HasMember("name") && e["name"].IsString() ? e["name"].GetString() : id;
    double in = 0, out = 0;
    if (e.HasMember("pricing") && e["pricing"].IsObject()) {
      const auto& p = e["pricing"];
      if (p.HasMember("prompt") && p["prompt"].IsString()) in = std::atof(p["prompt"].GetString()) * 1000;
      if (p.HasMember("completion") && p["completion"].IsString()) out = std::atof(p["completion"].GetString()) * 1000;
    }
    int64_t context = e.HasMember("context_length") && e["context_length"].IsNumber() ? e["context_length"].GetInt64() : 0;
    rapidjson::StringBuffer raw;
    rapidjson::Writer<rapidjson::StringBuffer> w(raw);
    e.Accept(w);  // the raw entry, as airreg keeps it
    kept += !id.empty() && !name.empty() && in > -1e9 && out > -1e9 && context >= 0 && raw.GetSize() > 0;
  }
  return kept;
}

template <typename Run>
double median_ms(int runs, Run run) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    run();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int entries = argc > 1 ? std::atoi(argv[1]) : 5000;
  std::ifstream in(AIRREG_OPENROUTER_RECORDING);
  std::stringstream recorded;
  recorded << in.rdbuf();
  auto transport = std::make_shared<BodyTransport>();
  transport->body = listing_of(recorded.str(), entries);
  double mb = static_cast<double>(transport->body.size()) / 1e6;

  airreg::DiscoveryConfig config;
  config.rules_path = AIRREG_SCHEMA_DIR "/provider_rules.json";
  config.curated_path = AIRREG_SCHEMA_DIR "/curated_models.json";
  config.base_urls["openrouter"] = "http://127.0.0.1:1";
  auto discovery = airreg::Discovery::create(config, transport).value();
  size_t models = 0;
  double airreg_ms = median_ms(15, [&] { models = discovery->discover("openrouter", airreg::ModelCategory::text).value().models.size(); });
  size_t rj_models = 0;
  double rapidjson_ms = median_ms(15, [&] { rj_models = rapidjson_read(transport->body); });
  airreg::bench::BenchLine("listing_parse")
      .add("entries", entries)
      .add("mb", std::round(mb * 100) / 100)
      .add("simdjson_kernel", std::string(simdjson::get_active_implementation()->name()))
      .add("ms", std::round(airreg_ms * 100) / 100)
      .add("mb_per_s", std::round(mb / airreg_ms * 1000))
      .add("rapidjson_mb_per_s", std::round(mb / rapidjson_ms * 1000))
      .add("x_rapidjson", std::round(rapidjson_ms / airreg_ms * 100) / 100)
      .add("models", models)
      .add("rapidjson_models", rj_models)
      .print();
  return models == static_cast<size_t>(entries) ? 0 : 1;
}
