// The tables airreg owns, as described by schema/*.json (the single source of truth for
// field names, types, options and descriptions). Loaded once; immutable values afterwards.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "airreg/airtable_types.hpp"
#include "airreg/error.hpp"

namespace airreg {

struct SchemaField {
  std::string key;    // stable id used by code, e.g. "model_id"
  std::string name;   // the column's name in Airtable, e.g. "Model ID"
  std::string type;
  std::string owner;  // connector, seeded or people
  std::string description;  // as sent to Airtable: who owns it, what it means, the marker
  std::string options_json;
  std::vector<std::string> choices;

  // "[airreg:model_id]": found in the field's description, it identifies the field after a
  // person renamed it.
  std::string marker() const { return "[airreg:" + key + "]"; }
  FieldSpec to_field_spec() const;
};

struct TableSchema {
  std::string key;
  std::string name;
  std::string description;
  std::vector<std::string> merge_on;  // field keys an upsert matches on
  std::vector<SchemaField> fields;    // the first is the primary field

  const SchemaField* find(std::string_view key) const;
  std::string marker() const { return "[airreg:table:" + key + "]"; }
  TableSpec to_table_spec() const;
};

// The directory holding the schema files: $AIRREG_SCHEMA_DIR, else the source tree's schema/
// when it exists, else the installed share/airreg/schema.
std::string default_schema_dir();
Result<TableSchema> load_table_schema(const std::string& path);

struct RegistrySchemas {
  TableSchema registry;  // "AI Model Registry"
  TableSchema history;   // "Model Sync History"
  static Result<RegistrySchemas> load(const std::string& dir = default_schema_dir());
};

}  // namespace airreg
