// xAI: the OpenAI-style listing gives ids only; /language-models adds prices (USD cents per
// 100 million tokens) and modalities. The second is optional: when it fails, a warning.
#include <unordered_map>

#include "providers/adapters.hpp"

namespace airreg::providers {

namespace {

// Cents per 100M tokens -> USD per 1K tokens.
double cents_per_100m_to_usd_per_1k(double cents) { return cents / 100.0 / 100'000'000.0 * 1000.0; }

struct Extra {
  std::optional<double> input, output;
  bool vision = false;
};

std::unordered_map<std::string, Extra> read_language_models(JsonListing& listing) {
  std::unordered_map<std::string, Extra> extras;
  auto root = listing.root_object();
  auto models = root ? listing.array_at(*root, "models") : std::nullopt;
  if (!models) return extras;
  for (auto item : *models) {
    auto entry = listing.as_object(item, "a model object");
    if (!entry) break;
    Extra x;
    auto id = listing.text(*entry, "id");
    if (auto p = listing.number(*entry, "prompt_text_token_price")) x.input = cents_per_100m_to_usd_per_1k(*p);
    if (auto p = listing.number(*entry, "completion_text_token_price")) x.output = cents_per_100m_to_usd_per_1k(*p);
    for (const auto& m : listing.strings(*entry, "input_modalities")) x.vision |= m == "image";
    auto aliases = listing.strings(*entry, "aliases");
    if (listing.failed()) break;
    if (!id) continue;
    extras[*id] = x;
    for (const auto& a : aliases) extras[a] = x;
  }
  return extras;
}

}  // namespace

Result<void> list_xai(ListingJob& job) {
  if (auto listed = list_openai_style(job); !listed) return listed;
  auto response = job.http.get("/language-models");
  if (!response) {
    job.result.warnings.push_back("no prices: /language-models failed (" + response.error().message + ")");
    return {};
  }
  JsonListing listing(job.http.provider, std::move(response->body));
  auto extras = read_language_models(listing);
  if (listing.failed() || extras.empty()) {
    job.result.warnings.push_back("no prices: /language-models is not the JSON expected");
    return {};
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
