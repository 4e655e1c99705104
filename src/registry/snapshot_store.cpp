#include "registry/snapshot_store.hpp"

#include "core/durable_file.hpp"
#include "json/fields_json.hpp"

namespace airreg::registry {

namespace {

// Provider ids of OpenAI-compatible servers are chosen by people: keep file names plain.
std::filesystem::path file_for(const std::filesystem::path& dir, const std::string& base_id, const std::string& provider) {
  std::string name = "snapshot-" + base_id + "-" + provider;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return dir / (name + ".json");
}

}  // namespace

Result<void> save_snapshot(const std::filesystem::path& dir, const std::string& base_id, const std::string& provider,
                           const std::vector<AirtableRecord>& records) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("records");
  w.StartArray();
  for (const auto& r : records) {
    w.StartObject();
    w.Key("id"), json::write_string(w, r.id);
    w.Key("fields"), json::write_fields(w, r.fields);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  if (auto made = core::make_private_dir(dir); !made) return made;
  return core::replace_durably(file_for(dir, base_id, provider), json::to_string(buffer));
}

std::vector<AirtableRecord> load_snapshot(const std::filesystem::path& dir, const std::string& base_id,
                                          const std::string& provider) {
  std::vector<AirtableRecord> out;
  auto text = core::read_text(file_for(dir, base_id, provider));
  if (!text || text->empty()) return out;
  simdjson::dom::parser parser;
  simdjson::dom::array records;
  if (parser.parse(*text).get_object()["records"].get(records) != simdjson::SUCCESS) return out;
  for (auto r : records) {
    simdjson::dom::object fields;
    if (r["fields"].get(fields) != simdjson::SUCCESS) continue;
    out.push_back(AirtableRecord{json::text_at(r, "id"), "", json::fields_from(fields)});
  }
  return out;
}

}  // namespace airreg::registry
