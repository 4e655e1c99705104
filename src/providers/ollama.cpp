// Ollama: GET /api/tags lists the local models; their context length is only in
// POST /api/show (model_info."<architecture>.context_length"), asked when configured.
#include "providers/adapters.hpp"

#include "json/fields_json.hpp"

namespace airreg::providers {

namespace {

std::optional<int64_t> context_from_show(ListingJob& job, const std::string& model) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("model"), json::write_string(w, model);
  w.EndObject();
  auto response = job.http.post_json("/api/show", json::to_string(buffer));
  if (!response) return std::nullopt;
  JsonListing listing(job.http.provider, std::move(response->body));
  auto doc = listing.document();
  object info;
  if (!doc || (**doc)["model_info"].get_object().get(info) != simdjson::SUCCESS) return std::nullopt;
  for (auto field : info) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) break;
    if (!key.ends_with(".context_length")) continue;
    int64_t n;
    if (field.value().get_int64().get(n) == simdjson::SUCCESS) return n;
  }
  return std::nullopt;
}

}  // namespace

Result<void> list_ollama(ListingJob& job) {
  auto response = job.http.get("/api/tags");
  if (!response) return std::unexpected(response.error());
  JsonListing listing(job.http.provider, std::move(response->body));
  auto doc = listing.document();
  if (!doc) return std::unexpected(doc.error());
  array models;
  if (auto err = (**doc)["models"].get_array().get(models); err) return std::unexpected(listing.error(err, "a \"models\" list"));
  for (auto item : models) {
    object entry;
    if (auto err = item.get_object().get(entry); err) return std::unexpected(listing.error(err, "a model object"));
    ModelInfo m;
    m.raw_json = minified(entry);
    m.id = text_of(entry, "name").value_or("");
    m.display_name = m.id;
    add_feature(m, "chat");
    job.builder.offer(std::move(m), entry);
  }
  if (job.config.ollama_context)
    for (auto& m : job.result.models) m.context_window = context_from_show(job, m.id);
  return {};
}

}  // namespace airreg::providers
