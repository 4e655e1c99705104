// OpenRouter: GET /models, no key needed. Prices are USD per token as decimal strings
// ("0.0000012"), "-1" meaning unknown; expiration_date marks a deprecation.
#include "providers/adapters.hpp"

namespace airreg::providers {

namespace {

std::optional<double> per_1k(std::optional<double> per_token) {
  if (!per_token || *per_token < 0) return std::nullopt;
  return *per_token * 1000.0;
}

bool list_has(object& entry, std::string_view key, std::string_view wanted) {
  array list;
  if (entry[key].get_array().get(list) != simdjson::SUCCESS) return false;
  for (auto item : list) {
    std::string_view s;
    if (item.get_string().get(s) == simdjson::SUCCESS && s == wanted) return true;
  }
  return false;
}

}  // namespace

Result<void> list_openrouter(ListingJob& job) {
  auto response = job.http.get("/models");
  if (!response) return std::unexpected(response.error());
  JsonListing listing(job.http.provider, std::move(response->body));
  auto doc = listing.document();
  if (!doc) return std::unexpected(doc.error());
  array data;
  if (auto err = (**doc)["data"].get_array().get(data); err) return std::unexpected(listing.error(err, "a \"data\" list"));
  for (auto item : data) {
    object entry;
    if (auto err = item.get_object().get(entry); err) return std::unexpected(listing.error(err, "a model object"));
    ModelInfo m;
    m.raw_json = minified(entry);
    m.id = text_of(entry, "id").value_or("");
    m.display_name = text_of(entry, "name").value_or(m.id);
    m.context_window = integer_of(entry, "context_length");
    object pricing, top, arch;
    if (entry["pricing"].get_object().get(pricing) == simdjson::SUCCESS) {
      m.input_cost_per_1k = per_1k(number_of(pricing, "prompt"));
      m.output_cost_per_1k = per_1k(number_of(pricing, "completion"));
    }
    if (entry["top_provider"].get_object().get(top) == simdjson::SUCCESS)
      m.max_output_tokens = integer_of(top, "max_completion_tokens");
    add_feature(m, "chat");
    if (entry["architecture"].get_object().get(arch) == simdjson::SUCCESS && list_has(arch, "input_modalities", "image"))
      add_feature(m, "vision");
    if (list_has(entry, "supported_parameters", "tools")) add_feature(m, "tools");
    if (list_has(entry, "supported_parameters", "reasoning")) add_feature(m, "reasoning");
    if (list_has(entry, "supported_parameters", "response_format")) add_feature(m, "json");
    m.deprecation_date = date_part(text_of(entry, "expiration_date").value_or(""));
    job.builder.offer(std::move(m), entry);
  }
  return {};
}

}  // namespace airreg::providers
