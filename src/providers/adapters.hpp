// The listing of each provider's API, read into a DiscoveryResult through a ListingBuilder.
// One function per API shape; each follows that API's paging and fields.
#pragma once

#include "airreg/discovery.hpp"
#include "providers/listing_builder.hpp"
#include "providers/listing_pieces.hpp"
#include "providers/provider_http.hpp"

namespace airreg::providers {

struct ListingJob {
  ProviderHttp& http;
  ListingBuilder& builder;
  DiscoveryResult& result;
  const DiscoveryConfig& config;
};

// Reads each object of `list` into a ModelInfo with read(model, entry) (and its minified JSON
// when the config keeps it) and offers it to the builder. A missing list is an error saying
// `what` was expected.
template <typename Read>
Result<void> read_entries(ListingJob& job, JsonListing& listing, std::optional<array> list, std::string_view what,
                          Read read) {
  if (!list) listing.expect(what);
  if (listing.failed()) return std::unexpected(listing.failure());
  job.builder.expect(list->size());
  size_t index = 0;
  for (value item : *list) {
    ++index;
    object entry;
    if (item.get(entry) != simdjson::SUCCESS) {
      listing.expect("a model object in each entry (entry " + std::to_string(index) + " is not one)");
      break;
    }
    ModelInfo model;
    if (job.config.keep_raw_json) model.raw_json = listing.minified(entry);
    read(model, entry);
    if (listing.failed()) break;
    job.builder.offer(std::move(model), entry, listing);
  }
  if (listing.failed()) return std::unexpected(listing.failure());
  return {};
}

// The array under `key` of the root object, when there is one.
inline std::optional<array> root_list(JsonListing& listing, std::optional<object>& root, std::string_view key) {
  root = listing.root_object();
  return root ? listing.array_at(*root, key) : std::nullopt;
}

// GETs `path` and reads the list under `key` of the answer's root object (the root itself
// when key is empty) with read(model, entry, listing): in pieces when it is long and nothing
// was read before it (providers/listing_pieces.hpp), else, or when the pieces give up, whole.
template <typename Read>
Result<void> fetch_and_read(ListingJob& job, const std::string& path, std::string_view key, Read read) {
  auto response = job.http.get(path);
  if (!response) return std::unexpected(response.error());
  if (job.builder.fresh()) {
    auto outcome = read_list_in_pieces(job.http.provider, response->body, key, job.config.listing_piece_bytes,
                                       [&](JsonListing& piece, array& list, size_t guess) {
                                         // A little over the guess: entries vary in length.
                                         if (guess) job.builder.expect(guess + guess / 8);
                                         auto each = [&](ModelInfo& m, object& entry) { read(m, entry, piece); };
                                         return read_entries(job, piece, list, "", each).has_value();
                                       });
    if (outcome == PiecesOutcome::read) return {};
    if (outcome == PiecesOutcome::abandoned) job.builder.restart();
  }
  JsonListing listing(job.http.provider, std::move(response->body));
  std::optional<object> root;
  auto list = key.empty() ? listing.root_array() : root_list(listing, root, key);
  std::string what = key.empty() ? "a list" : "a \"" + std::string(key) + "\" list";
  return read_entries(job, listing, list, what, [&](ModelInfo& m, object& entry) { read(m, entry, listing); });
}

// GET {base}/models, {"data":[{"id",...}]}: OpenAI, Groq, Mistral, xAI, OpenAI-compatible
// servers. Reads the optional fields of Groq (context_window, max_completion_tokens) and
// Mistral (max_context_length, capabilities, deprecation, name).
Result<void> list_openai_style(ListingJob& job);
// list_openai_style, then prices and modalities from /language-models when it answers.
Result<void> list_xai(ListingJob& job);
// GET /models?limit=..&after_id=.. while has_more.
Result<void> list_anthropic(ListingJob& job);
// GET /models?pageSize=..&pageToken=.. while nextPageToken; ids without "models/".
Result<void> list_google(ListingJob& job);
// GET /models: per-token decimal-string prices, expiration_date.
Result<void> list_openrouter(ListingJob& job);
// GET /api/tags; POST /api/show per model when config.ollama_context.
Result<void> list_ollama(ListingJob& job);
// GET /models: a top-level array with can_do_text_to_speech.
Result<void> list_elevenlabs(ListingJob& job);
// GET /cognitiveservices/voices/list: every voice a TTS model.
Result<void> list_azure_voices(ListingJob& job);

}  // namespace airreg::providers
