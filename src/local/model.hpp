// The in-memory data of airtable-local: bases, tables, fields and records.
// Plain data; not thread-safe on its own (Service guards it with one mutex).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace airtable_local {

// A stored cell. Empty values (null, "", [], false) are never stored: Airtable leaves them
// out of `fields` on read, so keeping them out of the store makes that rule automatic.
using Cell = std::variant<bool, double, std::string, std::vector<std::string>>;

struct Choice {
  std::string id;
  std::string name;
  std::string color;
};

struct Field {
  std::string id;
  std::string name;
  std::string type;
  std::string description;
  std::vector<Choice> choices;  // singleSelect / multipleSelects only
  std::string options_json;     // every other type: the options object as sent, minified
  bool is_select() const { return type == "singleSelect" || type == "multipleSelects"; }
};

struct Record {
  std::string id;
  std::string created_time;         // ISO 8601 UTC with milliseconds
  std::map<std::string, Cell> cells;  // by field id, so a rename never touches records
};

struct Table {
  std::string id;
  std::string name;
  std::string description;
  std::string primary_field_id;
  std::string view_id;
  std::vector<Field> fields;
  std::vector<Record> records;  // in creation order, which is the default listing order

  // Airtable accepts a field's name or its id wherever it takes a field.
  Field* find_field(std::string_view name_or_id);
  const Field* find_field(std::string_view name_or_id) const;
  Record* find_record(std::string_view id);
  const Record* find_record(std::string_view id) const;
};

struct Base {
  std::string id;
  std::vector<Table> tables;

  // By id (`tbl...`) or by name, as the records API allows.
  Table* find_table(std::string_view name_or_id);
};

struct Store {
  std::vector<Base> bases;
  Base* find_base(std::string_view id);
};

}  // namespace airtable_local
