// RapidJSON writing helpers shared by airtable-local's answers and its data file.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "api_error.hpp"
#include "model.hpp"

namespace airtable_local {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void write_string(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
inline void write_key(JsonWriter& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
// One member, as one statement: "key": value.
inline void write_member(JsonWriter& w, std::string_view key, std::string_view value) {
  write_key(w, key);
  write_string(w, value);
}
inline void write_member(JsonWriter& w, std::string_view key, const char* value) {
  write_member(w, key, std::string_view(value));
}
inline void write_member(JsonWriter& w, std::string_view key, const std::string& value) {
  write_member(w, key, std::string_view(value));
}
void write_cell(JsonWriter& w, const Cell& cell);
// {"error":{"type":...,"message":...}}
std::string error_json(const ApiError& error);
// A record as the records API shows it: fields by name (or id), in the table's order, empty
// cells left out; only_field_ids, when not empty, limits the fields.
void write_record(JsonWriter& w, const Table& table, const Record& record, bool by_field_id,
                  const std::vector<std::string>& only_field_ids = {});
// The field as the meta API shows it: id, name, type, description, options.
void write_field(JsonWriter& w, const Field& field);

}  // namespace airtable_local
