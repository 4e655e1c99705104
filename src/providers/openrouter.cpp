// OpenRouter: GET /models, no key needed. Prices are USD per token as decimal strings
// ("0.0000012"), "-1" meaning unknown; expiration_date marks a deprecation.
#include "providers/adapters.hpp"

namespace airreg::providers {

namespace {

std::optional<double> per_1k(std::optional<double> per_token) {
  if (!per_token || *per_token < 0) return std::nullopt;
  return *per_token * 1000.0;
}

}  // namespace

Result<void> list_openrouter(ListingJob& job) {
  return fetch_and_read(job, "/models", "data", [](ModelInfo& m, object& entry, JsonListing& listing) {
    // Entries are long (descriptions, many fields): every field wanted, in one pass.
    auto [id, name, context, pricing, top, arch, parameters, expires] = listing.pick<8>(
        entry, {"id", "name", "context_length", "pricing", "top_provider", "architecture", "supported_parameters",
                "expiration_date"});
    m.id = JsonListing::text(id).value_or("");
    m.display_name = JsonListing::text(name).value_or(m.id);
    m.context_window = JsonListing::integer(context);
    if (auto prices = JsonListing::object_of(pricing)) {
      m.input_cost_per_1k = per_1k(listing.number(*prices, "prompt"));
      m.output_cost_per_1k = per_1k(listing.number(*prices, "completion"));
    }
    if (auto provider = JsonListing::object_of(top)) m.max_output_tokens = listing.integer(*provider, "max_completion_tokens");
    auto modalities = JsonListing::object_of(arch);
    bool vision = modalities && listing.lists(*modalities, "input_modalities", "image");
    auto [tools, reasoning, json] = JsonListing::lists_each<3>(parameters, {"tools", "reasoning", "response_format"});
    m.features.reserve(1 + vision + tools + reasoning + json);  // one allocation, not one per feature
    add_feature(m, "chat");
    if (vision) add_feature(m, "vision");
    if (tools) add_feature(m, "tools");
    if (reasoning) add_feature(m, "reasoning");
    if (json) add_feature(m, "json");
    m.deprecation_date = date_part(JsonListing::text(expires).value_or(""));
  });
}

}  // namespace airreg::providers
