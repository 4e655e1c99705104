// xAI: the OpenAI-style listing gives ids only; /language-models adds prices (USD cents per
// 100 million tokens) and modalities. The second is optional: when it fails, a warning.
#include "providers/adapters.hpp"

namespace airreg::providers {

namespace {

// Cents per 100M tokens -> USD per 1K tokens.
double cents_per_100m_to_usd_per_1k(double cents) { return cents / 100.0 / 100'000'000.0 * 1000.0; }

struct Extra {
  std::optional<double> input, output;
  bool vision = false;
};

}  // namespace

Result<void> list_xai(ListingJob& job) {
  if (auto listed = list_openai_style(job); !listed) return listed;
  auto response = job.http.get("/language-models");
  if (!response) {
    job.result.warnings.push_back("no prices: /language-models failed (" + response.error().message + ")");
    return {};
  }
  JsonListing listing(job.http.provider, std::move(response->body));
  auto doc = listing.document();
  array models;
  if (!doc || (**doc)["models"].get_array().get(models) != simdjson::SUCCESS) {
    job.result.warnings.push_back("no prices: /language-models is not the JSON expected");
    return {};
  }
  std::unordered_map<std::string, Extra> extras;
  for (auto item : models) {
    object entry;
    if (item.get_object().get(entry) != simdjson::SUCCESS) break;
    Extra x;
    auto id = text_of(entry, "id");
    if (auto p = number_of(entry, "prompt_text_token_price")) x.input = cents_per_100m_to_usd_per_1k(*p);
    if (auto p = number_of(entry, "completion_text_token_price")) x.output = cents_per_100m_to_usd_per_1k(*p);
    array modalities;
    if (entry["input_modalities"].get_array().get(modalities) == simdjson::SUCCESS)
      for (auto m : modalities) {
        std::string_view s;
        if (m.get_string().get(s) == simdjson::SUCCESS && s == "image") x.vision = true;
      }
    if (!id) continue;
    extras[*id] = x;
    array aliases;
    if (entry["aliases"].get_array().get(aliases) == simdjson::SUCCESS)
      for (auto a : aliases) {
        std::string_view s;
        if (a.get_string().get(s) == simdjson::SUCCESS) extras[std::string(s)] = x;
      }
  }
  for (auto& m : job.result.models) {
    auto it = extras.find(m.id);
    if (it == extras.end()) continue;
    m.input_cost_per_1k = it->second.input;
    m.output_cost_per_1k = it->second.output;
    if (it->second.vision) add_feature(m, "vision");
  }
  return {};
}

}  // namespace airreg::providers
