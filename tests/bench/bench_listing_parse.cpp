// Parse-and-normalise benchmark: an OpenRouter listing of N entries (the recorded ones
// repeated with new ids, about 2 KB each) read by airreg's discovery (simdjson's DOM parser +
// the rules) and, in the same run, by RapidJSON's DOM reading the same fields.
// Prints one JSON line per reader: MB, ms (median of runs), MB/s, models. Then the cost of
// listings that repeat ids or name ids no rule classes, which a provider (or a server posing
// as one) may send: each id's bookkeeping must stay constant work, whatever came before it.
#include <rapidjson/document.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_line.hpp"
#include "repeated_listing.hpp"
#include "airreg/discovery.hpp"
#include "http/body_buffer.hpp"

namespace {

class BodyTransport : public airreg::HttpTransport {
 public:
  std::string body;
  // A copy of the body into a buffer made as curl_transport makes it (padding behind, huge
  // pages for a big one), in one piece: curl's doubling copies more.
  airreg::Result<airreg::HttpResponse> send(const airreg::HttpRequest&) override {
    airreg::HttpResponse response{200, {}, {}};
    airreg::http::append_to_body(response.body, body.data(), body.size());
    return response;
  }
};

// Whether the array member `key` of `object` holds the string `item`.
bool rapidjson_lists(const rapidjson::Value& object, const char* key, const char* item) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsArray()) return false;
  for (const auto& v : it->value.GetArray())
    if (v.IsString() && std::strcmp(v.GetString(), item) == 0) return true;
  return false;
}

// The same fields airreg reads, by RapidJSON's DOM (without airreg's rules).
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
    int64_t max_out = 0;
    if (e.HasMember("top_provider") && e["top_provider"].IsObject()) {
      const auto& top = e["top_provider"];
      if (top.HasMember("max_completion_tokens") && top["max_completion_tokens"].IsNumber())
        max_out = top["max_completion_tokens"].GetInt64();
    }
    int features = 0;
    if (e.HasMember("architecture") && e["architecture"].IsObject())
      features += rapidjson_lists(e["architecture"], "input_modalities", "image");
    for (const char* p : {"tools", "reasoning", "response_format"}) features += rapidjson_lists(e, "supported_parameters", p);
    std::string expires = e.HasMember("expiration_date") && e["expiration_date"].IsString() ? e["expiration_date"].GetString() : "";
    kept += !id.empty() && !name.empty() && in > -1e9 && out > -1e9 && context >= 0 && max_out >= 0 && features >= 0 &&
            expires.size() < 1000;
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

// An OpenAI-style listing of `entries` ids no rule classes, each listed once.
std::string unclassified_listing(int entries) {
  std::string body = R"({"object":"list","data":[)";
  for (int i = 0; i < entries; ++i) body += std::string(i ? "," : "") + R"({"id":"zz-unknown-)" + std::to_string(i) + R"(","object":"model"})";
  return body + "]}";
}

// A Mistral listing of `ids` ids, each first skipped (no chat completion), then kept.
std::string skipped_then_kept_listing(int ids) {
  std::string body = R"({"object":"list","data":[)";
  for (int pass = 0; pass < 2; ++pass)
    for (int i = 0; i < ids; ++i)
      body += std::string(pass || i ? "," : "") + R"({"id":"mistral-m-)" + std::to_string(i) +
              R"(","capabilities":{"completion_chat":)" + (pass ? "true" : "false") + "}}";
  return body + "]}";
}

// Reads `body` as `provider`'s listing: ms (median of 3), and the result's sizes.
void print_repeats_line(const std::string& name, const std::string& provider, const std::string& body, airreg::DiscoveryConfig config) {
  auto transport = std::make_shared<BodyTransport>();
  transport->body = body;
  config.base_urls[provider] = "http://127.0.0.1:1";
  auto discovery = airreg::Discovery::create(config, transport).value();
  airreg::DiscoveryResult result;
  double ms = median_ms(3, [&] { result = discovery->discover(provider, airreg::ModelCategory::text).value(); });
  airreg::bench::BenchLine(name)
      .add("provider", provider)
      .add("mb", std::round(static_cast<double>(body.size()) / 1e4) / 100)
      .add("ms", std::round(ms * 100) / 100)
      .add("models", result.models.size())
      .add("skipped", result.skipped.size())
      .add("unclassified", result.unclassified.size())
      .print();
}

}  // namespace

int main(int argc, char** argv) {
  int entries = argc > 1 ? std::atoi(argv[1]) : 5000;
  std::ifstream in(AIRREG_OPENROUTER_RECORDING);
  std::stringstream recorded;
  recorded << in.rdbuf();
  auto transport = std::make_shared<BodyTransport>();
  transport->body = airreg::test::repeated_listing(recorded.str(), entries);
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
  // The ceiling on this machine: simdjson's DOM parse of the body alone, reading no field.
  simdjson::dom::parser bare;
  simdjson::padded_string padded(transport->body);
  double parse_only_ms = median_ms(15, [&] { (void)bare.parse(padded).error(); });
  airreg::bench::BenchLine("listing_parse")
      .add("entries", entries)
      .add("mb", std::round(mb * 100) / 100)
      .add("simdjson_kernel", std::string(simdjson::get_active_implementation()->name()))
      .add("ms", std::round(airreg_ms * 100) / 100)
      .add("mb_per_s", std::round(mb / airreg_ms * 1000))
      .add("rapidjson_mb_per_s", std::round(mb / rapidjson_ms * 1000))
      .add("parse_only_mb_per_s", std::round(mb / parse_only_ms * 1000))
      .add("x_rapidjson", std::round(rapidjson_ms / airreg_ms * 100) / 100)
      .add("models", models)
      .add("rapidjson_models", rj_models)
      .print();
  config.environment["OPENAI_API_KEY"] = config.environment["MISTRAL_API_KEY"] = "bench";
  print_repeats_line("listing_unclassified", "openai", unclassified_listing(100'000), config);
  print_repeats_line("listing_skipped_then_kept", "mistral", skipped_then_kept_listing(50'000), config);
  return models == static_cast<size_t>(entries) ? 0 : 1;
}
