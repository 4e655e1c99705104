// OpenRouter: GET /models, no key needed. Prices are USD per token as decimal strings
// ("0.0000012"), "-1" meaning unknown; expiration_date marks a deprecation.
#include <algorithm>

#include "providers/adapters.hpp"

namespace airreg::providers {

namespace {

std::optional<double> per_1k(std::optional<double> per_token) {
  if (!per_token || *per_token < 0) return std::nullopt;
  return *per_token * 1000.0;
}

bool contains(const std::vector<std::string>& list, const char* item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

Result<void> list_openrouter(ListingJob& job) {
  return fetch_and_read(job, "/models", "data", [](ModelInfo& m, object& entry, JsonListing& listing) {
    m.id = listing.text(entry, "id").value_or("");
    m.display_name = listing.text(entry, "name").value_or(m.id);
    m.context_window = listing.integer(entry, "context_length");
    if (auto pricing = listing.object_at(entry, "pricing")) {
      m.input_cost_per_1k = per_1k(listing.number(*pricing, "prompt"));
      m.output_cost_per_1k = per_1k(listing.number(*pricing, "completion"));
    }
    if (auto top = listing.object_at(entry, "top_provider")) m.max_output_tokens = listing.integer(*top, "max_completion_tokens");
    add_feature(m, "chat");
    if (auto arch = listing.object_at(entry, "architecture"))
      if (contains(listing.strings(*arch, "input_modalities"), "image")) add_feature(m, "vision");
    auto parameters = listing.strings(entry, "supported_parameters");
    if (contains(parameters, "tools")) add_feature(m, "tools");
    if (contains(parameters, "reasoning")) add_feature(m, "reasoning");
    if (contains(parameters, "response_format")) add_feature(m, "json");
    m.deprecation_date = date_part(listing.text(entry, "expiration_date").value_or(""));
  });
}

}  // namespace airreg::providers
