// OpenAI's GET /models shape, shared by Groq, Mistral, xAI and OpenAI-compatible servers.
#include "providers/adapters.hpp"

namespace airreg::providers {

namespace {

void read_mistral_capabilities(object& entry, ModelInfo& m) {
  object caps;
  if (entry["capabilities"].get_object().get(caps) != simdjson::SUCCESS) return;
  bool b;
  if (caps["completion_chat"].get_bool().get(b) == simdjson::SUCCESS && b) add_feature(m, "chat");
  if (caps["function_calling"].get_bool().get(b) == simdjson::SUCCESS && b) add_feature(m, "tools");
  if (caps["vision"].get_bool().get(b) == simdjson::SUCCESS && b) add_feature(m, "vision");
  if (caps["audio"].get_bool().get(b) == simdjson::SUCCESS && b) add_feature(m, "audio");
}

}  // namespace

Result<void> list_openai_style(ListingJob& job) {
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
    m.context_window = integer_of(entry, "context_window");  // Groq
    if (!m.context_window) m.context_window = integer_of(entry, "max_context_length");  // Mistral
    m.max_output_tokens = integer_of(entry, "max_completion_tokens");  // Groq
    m.deprecation_date = date_part(text_of(entry, "deprecation").value_or(""));  // Mistral
    read_mistral_capabilities(entry, m);
    if (job.result.category == ModelCategory::text) add_feature(m, "chat");
    job.builder.offer(std::move(m), entry);
  }
  return {};
}

}  // namespace airreg::providers
