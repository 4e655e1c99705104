// TTS listings that are plain arrays: ElevenLabs' models and Azure Speech's voices.
#include "providers/adapters.hpp"

namespace airreg::providers {

namespace {

// Reads a top-level array of objects, each read(model, entry, listing).
template <typename Read>
Result<void> each_in_array(ListingJob& job, const std::string& path, Read read) {
  auto response = job.http.get(path);
  if (!response) return std::unexpected(response.error());
  JsonListing listing(job.http.provider, std::move(response->body));
  return read_entries(job, listing, listing.root_array(), "a list",
                      [&](ModelInfo& m, object& entry) { read(m, entry, listing); });
}

}  // namespace

Result<void> list_elevenlabs(ListingJob& job) {
  return each_in_array(job, "/models", [](ModelInfo& m, object& entry, JsonListing& listing) {
    m.id = listing.text(entry, "model_id").value_or("");
    m.display_name = listing.text(entry, "name").value_or(m.id);
  });
}

Result<void> list_azure_voices(ListingJob& job) {
  return each_in_array(job, "/cognitiveservices/voices/list", [](ModelInfo& m, object& entry, JsonListing& listing) {
    m.id = listing.text(entry, "ShortName").value_or("");
    std::string name = listing.text(entry, "DisplayName").value_or(m.id);
    std::string locale = listing.text(entry, "Locale").value_or("");
    m.display_name = locale.empty() ? name : name + " (" + locale + ")";
  });
}

}  // namespace airreg::providers
