// The in-memory data of airtable-local: bases, tables, fields and records.
// Plain data; not thread-safe on its own (Service guards it with one mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "webhook_model.hpp"

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
  // When each field's cell last changed value (set, changed or cleared), by field id, to the
  // millisecond: LAST_MODIFIED_TIME() reads it. A field never written has no entry.
  std::map<std::string, std::chrono::system_clock::time_point> modified = {};
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
  std::vector<Webhook> webhooks;
  // baseTransactionNumber of webhook payloads: one per request that changed records.
  int64_t transaction_number = 0;

  // By id (`tbl...`) or by name, as the records API allows.
  Table* find_table(std::string_view name_or_id);
};

struct Store {
  std::vector<Base> bases;
  // Authenticated API calls answered so far (--monthly-quota); never reset.
  uint64_t api_calls = 0;
  Base* find_base(std::string_view id);
};

}  // namespace airtable_local
