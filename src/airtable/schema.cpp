#include "airreg/schema.hpp"

#include <simdjson.h>

#include <cstdlib>
#include <filesystem>

#ifndef AIRREG_SOURCE_SCHEMA_DIR
#define AIRREG_SOURCE_SCHEMA_DIR ""
#endif
#ifndef AIRREG_INSTALLED_SCHEMA_DIR
#define AIRREG_INSTALLED_SCHEMA_DIR ""
#endif

namespace airreg {

namespace {

using simdjson::dom::element;

const char* owner_text(const std::string& owner) {
  if (owner == "connector") return "Written by airreg on every sync; edits here are overwritten.";
  if (owner == "seeded") return "Filled by airreg; once you change a value, it is yours and airreg leaves it.";
  return "Yours: airreg never writes it.";
}

Error schema_error(const std::string& path, const std::string& what) {
  return make_error(ErrorCode::config, "schema file " + path + ": " + what);
}

}  // namespace

FieldSpec SchemaField::to_field_spec() const { return {"", name, type, description, options_json, choices}; }

const SchemaField* TableSchema::find(std::string_view wanted) const {
  for (const auto& f : fields)
    if (f.key == wanted) return &f;
  return nullptr;
}

TableSpec TableSchema::to_table_spec() const {
  TableSpec t{"", name, description + " " + marker(), "", {}};
  for (const auto& f : fields) t.fields.push_back(f.to_field_spec());
  return t;
}

std::string default_schema_dir() {
  if (const char* dir = std::getenv("AIRREG_SCHEMA_DIR"); dir && *dir) return dir;
  std::error_code ec;
  if (std::filesystem::exists(AIRREG_SOURCE_SCHEMA_DIR, ec)) return AIRREG_SOURCE_SCHEMA_DIR;
  return AIRREG_INSTALLED_SCHEMA_DIR;
}

Result<TableSchema> load_table_schema(const std::string& path) {
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.load(path).get(doc); err) return std::unexpected(schema_error(path, simdjson::error_message(err)));
  TableSchema t;
  std::string_view s;
  auto text = [&](element e, const char* key) {
    return e[key].get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
  };
  t.key = text(doc, "key");
  t.name = text(doc, "name");
  t.description = text(doc, "description");
  if (t.key.empty() || t.name.empty()) return std::unexpected(schema_error(path, "needs a key and a name"));
  simdjson::dom::array fields, merge;
  if (doc["fields"].get(fields) != simdjson::SUCCESS || fields.size() == 0)
    return std::unexpected(schema_error(path, "needs a non-empty fields array"));
  for (element f : fields) {
    SchemaField field{text(f, "key"), text(f, "name"), text(f, "type"), text(f, "owner"), "", "", {}};
    if (field.key.empty() || field.name.empty() || field.type.empty())
      return std::unexpected(schema_error(path, "every field needs key, name and type"));
    if (field.owner != "connector" && field.owner != "seeded" && field.owner != "people")
      return std::unexpected(schema_error(path, "field " + field.key + ": owner must be connector, seeded or people"));
    if (t.find(field.key)) return std::unexpected(schema_error(path, "field key " + field.key + " appears twice"));
    field.description = std::string(owner_text(field.owner)) + " " + text(f, "description") + " " + field.marker();
    element options;
    if (f["options"].get(options) == simdjson::SUCCESS) {
      field.options_json = simdjson::minify(options);
      simdjson::dom::array choices;
      if (options["choices"].get(choices) == simdjson::SUCCESS)
        for (element c : choices) field.choices.push_back(text(c, "name"));
    }
    t.fields.push_back(std::move(field));
  }
  if (doc["merge_on"].get(merge) == simdjson::SUCCESS) {
    for (element m : merge) {
      if (m.get(s) != simdjson::SUCCESS || !t.find(s))
        return std::unexpected(schema_error(path, "merge_on names a field that is not in the schema"));
      t.merge_on.emplace_back(s);
    }
  }
  return t;
}

Result<RegistrySchemas> RegistrySchemas::load(const std::string& dir) {
  auto registry = load_table_schema(dir + "/ai_model_registry.json");
  if (!registry) return std::unexpected(registry.error());
  auto history = load_table_schema(dir + "/model_sync_history.json");
  if (!history) return std::unexpected(history.error());
  return RegistrySchemas{std::move(*registry), std::move(*history)};
}

}  // namespace airreg
