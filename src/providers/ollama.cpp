// Ollama: GET /api/tags lists the local models; their context length is only in
// POST /api/show (model_info."<architecture>.context_length"), asked when configured.
#include "providers/adapters.hpp"

#include "json/fields_json.hpp"
#include "json/member.hpp"

namespace airreg::providers {

namespace {

std::optional<int64_t> context_from_show(ListingJob& job, const std::string& model) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  json::member(w, "model", model);
  w.EndObject();
  auto response = job.http.post_json("/api/show", json::to_string(buffer));
  if (!response) return std::nullopt;
  JsonListing listing(job.http.provider, std::move(response->body));
  auto root = listing.root_object();
  auto info = root ? listing.object_at(*root, "model_info") : std::nullopt;
  if (!info) return std::nullopt;
  for (auto field : *info)
    if (field.key.ends_with(".context_length")) return listing.integer(*info, field.key);
  return std::nullopt;
}

}  // namespace

Result<void> list_ollama(ListingJob& job) {
  auto read = fetch_and_read(job, "/api/tags", "models", [](ModelInfo& m, object& entry, JsonListing& listing) {
    m.id = listing.text(entry, "name").value_or("");
    m.display_name = m.id;
    add_feature(m, "chat");
  });
  if (!read) return read;
  if (job.config.ollama_context)
    for (auto& m : job.result.models) m.context_window = context_from_show(job, m.id);
  return {};
}

}  // namespace airreg::providers
