// OpenAI's GET /models shape, shared by Groq, Mistral, xAI and OpenAI-compatible servers.
#include "providers/adapters.hpp"

namespace airreg::providers {

namespace {

void read_mistral_capabilities(JsonListing& listing, object& entry, ModelInfo& m) {
  auto caps = listing.object_at(entry, "capabilities");
  if (!caps) return;
  if (listing.flag(*caps, "completion_chat") == true) add_feature(m, "chat");
  if (listing.flag(*caps, "function_calling") == true) add_feature(m, "tools");
  if (listing.flag(*caps, "vision") == true) add_feature(m, "vision");
  if (listing.flag(*caps, "audio") == true) add_feature(m, "audio");
}

}  // namespace

Result<void> list_openai_style(ListingJob& job) {
  return fetch_and_read(job, "/models", "data", [&](ModelInfo& m, object& entry, JsonListing& listing) {
    m.id = listing.text(entry, "id").value_or("");
    m.display_name = listing.text(entry, "name").value_or(m.id);
    m.context_window = listing.integer(entry, "context_window");  // Groq
    if (!m.context_window) m.context_window = listing.integer(entry, "max_context_length");  // Mistral
    m.max_output_tokens = listing.integer(entry, "max_completion_tokens");  // Groq
    m.deprecation_date = date_part(listing.text(entry, "deprecation").value_or(""));  // Mistral
    read_mistral_capabilities(listing, entry, m);
    if (job.result.category == ModelCategory::text) add_feature(m, "chat");
  });
}

}  // namespace airreg::providers
