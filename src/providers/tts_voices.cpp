// TTS listings that are plain arrays: ElevenLabs' models and Azure Speech's voices.
#include "providers/adapters.hpp"

namespace airreg::providers {

namespace {

// Reads a top-level array, handing each object to read(); errors name the byte.
template <typename Read>
Result<void> each_in_array(ListingJob& job, const std::string& path, Read read) {
  auto response = job.http.get(path);
  if (!response) return std::unexpected(response.error());
  JsonListing listing(job.http.provider, std::move(response->body));
  auto doc = listing.document();
  if (!doc) return std::unexpected(doc.error());
  array list;
  if (auto err = (**doc).get_array().get(list); err) return std::unexpected(listing.error(err, "a list"));
  for (auto item : list) {
    object entry;
    if (auto err = item.get_object().get(entry); err) return std::unexpected(listing.error(err, "an object"));
    read(entry);
  }
  return {};
}

}  // namespace

Result<void> list_elevenlabs(ListingJob& job) {
  return each_in_array(job, "/models", [&](object& entry) {
    ModelInfo m;
    m.raw_json = minified(entry);
    m.id = text_of(entry, "model_id").value_or("");
    m.display_name = text_of(entry, "name").value_or(m.id);
    job.builder.offer(std::move(m), entry);
  });
}

Result<void> list_azure_voices(ListingJob& job) {
  return each_in_array(job, "/cognitiveservices/voices/list", [&](object& entry) {
    ModelInfo m;
    m.raw_json = minified(entry);
    m.id = text_of(entry, "ShortName").value_or("");
    std::string name = text_of(entry, "DisplayName").value_or(m.id);
    std::string locale = text_of(entry, "Locale").value_or("");
    m.display_name = locale.empty() ? name : name + " (" + locale + ")";
    job.builder.offer(std::move(m), entry);
  });
}

}  // namespace airreg::providers
