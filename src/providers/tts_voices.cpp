// TTS listings that are plain arrays: ElevenLabs' models and Azure Speech's voices.
#include "providers/adapters.hpp"

namespace airreg::providers {

Result<void> list_elevenlabs(ListingJob& job) {
  return fetch_and_read(job, "/models", "", [](ModelInfo& m, object& entry, JsonListing& listing) {
    m.id = listing.text(entry, "model_id").value_or("");
    m.display_name = listing.text(entry, "name").value_or(m.id);
  });
}

Result<void> list_azure_voices(ListingJob& job) {
  return fetch_and_read(job, "/cognitiveservices/voices/list", "", [](ModelInfo& m, object& entry, JsonListing& listing) {
    m.id = listing.text(entry, "ShortName").value_or("");
    std::string name = listing.text(entry, "DisplayName").value_or(m.id);
    std::string locale = listing.text(entry, "Locale").value_or("");
    m.display_name = locale.empty() ? name : name + " (" + locale + ")";
  });
}

}  // namespace airreg::providers
