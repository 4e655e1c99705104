#include "serve/json_answers.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include "core/time_text.hpp"
#include "json/member.hpp"
#include "registry/resolve.hpp"

namespace airreg::serve {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string text(const rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()); }

template <class T>
void member_or_null(Writer& w, const char* key, const std::optional<T>& v) {
  json::member(w, key, v);
}

void strings(Writer& w, const char* key, const std::vector<std::string>& items) {
  json::key(w, key);
  w.StartArray();
  for (const auto& s : items) json::value(w, s);
  w.EndArray();
}

void row(Writer& w, const RegistryRow& r) {
  w.StartObject();
  json::member(w, "id", r.model_id);
  json::member(w, "name", r.model_name);
  json::member(w, "category", to_string(r.category));
  json::member(w, "status", to_string(r.status));
  json::member(w, "usable", registry::servable(r));
  json::member(w, "available", r.available);
  json::member(w, "recommended", r.recommended);
  member_or_null(w, "sort_order", r.sort_order);
  member_or_null(w, "max_tokens", r.max_tokens);
  member_or_null(w, "max_output_tokens", r.max_output_tokens);
  member_or_null(w, "input_cost_per_1k", r.input_cost);
  member_or_null(w, "output_cost_per_1k", r.output_cost);
  strings(w, "features", r.features);
  strings(w, "regions", r.regions);
  json::member(w, "deprecation_date", r.deprecation_date.empty() ? std::optional<std::string>() : r.deprecation_date);
  json::member(w, "discovery_method", r.discovery_method);
  w.EndObject();
}

void list(Writer& w, const ModelList& l, SystemTime now) {
  w.StartObject();
  json::member(w, "provider", l.provider);
  json::member(w, "category", to_string(l.category));
  json::member(w, "source", to_string(l.source));
  json::member(w, "origin", to_string(l.origin));
  json::member(w, "degraded", l.degraded);
  json::member(w, "as_of", core::format_utc(l.as_of));
  json::member(w, "age_seconds",
               std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(now - l.as_of).count()));
  strings(w, "warnings", l.warnings);
  json::key(w, "models");
  w.StartArray();
  for (const auto& r : l.models) row(w, r);
  w.EndArray();
  w.EndObject();
}

long long created(const RegistryRow& r) {
  // OpenAI's "created" is when the model was made; the closest the registry knows is when the
  // provider first listed it.
  if (!r.first_seen) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(r.first_seen->time_since_epoch()).count();
}

void openai_entry(Writer& w, const ModelList& l, const RegistryRow& r, bool bare_id) {
  w.StartObject();
  json::member(w, "id", bare_id ? r.model_id : l.provider + "/" + r.model_id);
  json::member(w, "object", "model");
  json::member(w, "created", created(r));
  json::member(w, "owned_by", l.provider);
  w.EndObject();
}

}  // namespace

std::string model_list_json(const ModelList& l, SystemTime now) {
  rapidjson::StringBuffer b;
  Writer w(b);
  list(w, l, now);
  return text(b);
}

std::string model_lists_json(const std::vector<std::shared_ptr<const ModelList>>& lists, SystemTime now) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  json::key(w, "answers");
  w.StartArray();
  for (const auto& l : lists) list(w, *l, now);
  w.EndArray();
  w.EndObject();
  return text(b);
}

std::string openai_models_json(const std::vector<std::shared_ptr<const ModelList>>& lists, bool bare_ids) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  json::member(w, "object", "list");
  json::key(w, "data");
  w.StartArray();
  for (const auto& l : lists)
    for (const auto& r : l->models)
      if (registry::servable(r)) openai_entry(w, *l, r, bare_ids);
  w.EndArray();
  w.EndObject();
  return text(b);
}

std::string openai_model_json(const ModelList& l, const RegistryRow& r, bool bare_id) {
  rapidjson::StringBuffer b;
  Writer w(b);
  openai_entry(w, l, r, bare_id);
  return text(b);
}

std::string resolve_json(const std::string& provider, ModelCategory category, const std::string& requested,
                         const ModelChoice& choice) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  json::member(w, "provider", provider);
  json::member(w, "category", to_string(category));
  json::member(w, "requested", requested);
  json::member(w, "model", choice.model_id);
  json::member(w, "rule", to_string(choice.rule));
  json::member(w, "source", to_string(choice.source));
  w.EndObject();
  return text(b);
}

namespace {

// Error messages quote what a client sent (a path, a parameter): bytes that are not UTF-8
// become '?', so that the answer stays JSON a client can read.
std::string valid_utf8(const std::string& text) {
  if (simdjson::validate_utf8(text.data(), text.size())) return text;
  std::string out = text;
  for (char& c : out)
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  return out;
}

}  // namespace

std::string error_json(const std::string& message, const std::string& type, const std::string& param) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  json::key(w, "error");
  w.StartObject();
  json::member(w, "message", valid_utf8(message));
  json::member(w, "type", type);
  json::member(w, "param", param.empty() ? std::optional<std::string>() : std::optional<std::string>(valid_utf8(param)));
  w.EndObject();
  w.EndObject();
  return text(b);
}

}  // namespace airreg::serve
