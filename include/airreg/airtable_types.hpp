// Values as the Airtable Web API carries them: records with typed cells, and the base schema
// (tables and fields) from the meta API. Plain values; thread-safe to copy.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace airreg {

// A cell: empty, checkbox, number, text (also dates, ISO 8601), or a list (multipleSelects).
using FieldValue = std::variant<std::monostate, bool, double, std::string, std::vector<std::string>>;
// Cells by field name, or by field id when the request asked for ids.
using Fields = std::map<std::string, FieldValue>;

struct AirtableRecord {
  std::string id;
  std::string created_time;
  Fields fields;
};

struct FieldSpec {
  std::string id;
  std::string name;
  std::string type;
  std::string description;
  std::string options_json;          // the options object, minified; empty when none
  std::vector<std::string> choices;  // select fields: the choice names
};

struct TableSpec {
  std::string id;
  std::string name;
  std::string description;
  std::string primary_field_id;
  std::vector<FieldSpec> fields;

  const FieldSpec* field_by_name(const std::string& name) const;
  const FieldSpec* field_by_id(const std::string& id) const;
};

}  // namespace airreg
