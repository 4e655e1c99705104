#include "json_out.hpp"

#include <algorithm>
#include <cmath>

namespace airtable_local {

void write_cell(JsonWriter& w, const Cell& cell) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          w.Bool(v);
        } else if constexpr (std::is_same_v<T, double>) {
          // Whole numbers go out as integers, as Airtable sends them.
          if (std::floor(v) == v && std::fabs(v) < 9e15) {
            w.Int64(static_cast<int64_t>(v));
          } else {
            w.Double(v);
          }
        } else if constexpr (std::is_same_v<T, std::string>) {
          write_string(w, v);
        } else {
          w.StartArray();
          for (const auto& s : v) write_string(w, s);
          w.EndArray();
        }
      },
      cell);
}

std::string error_json(const ApiError& e) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_key(w, "error");
  w.StartObject();
  write_member(w, "type", e.type);
  write_member(w, "message", e.message);
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void write_field(JsonWriter& w, const Field& f) {
  w.StartObject();
  write_key(w, "type");
  write_string(w, f.type);
  write_key(w, "id");
  write_string(w, f.id);
  write_key(w, "name");
  write_string(w, f.name);
  if (!f.description.empty()) {
    write_key(w, "description");
    write_string(w, f.description);
  }
  if (f.is_select()) {
    write_key(w, "options");
    w.StartObject();
    write_key(w, "choices");
    w.StartArray();
    for (const auto& c : f.choices) {
      w.StartObject();
      write_key(w, "id");
      write_string(w, c.id);
      write_key(w, "name");
      write_string(w, c.name);
      if (!c.color.empty()) {
        write_key(w, "color");
        write_string(w, c.color);
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  } else if (!f.options_json.empty()) {
    write_key(w, "options");
    w.RawValue(f.options_json.data(), f.options_json.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}

}  // namespace airtable_local

namespace airtable_local {

void write_record(JsonWriter& w, const Table& table, const Record& r, bool by_field_id,
                  const std::vector<std::string>& only) {
  w.StartObject();
  write_member(w, "id", r.id);
  write_member(w, "createdTime", r.created_time);
  write_key(w, "fields");
  w.StartObject();
  for (const auto& f : table.fields) {
    if (!only.empty() && std::find(only.begin(), only.end(), f.id) == only.end()) continue;
    auto it = r.cells.find(f.id);
    if (it == r.cells.end()) continue;
    write_key(w, by_field_id ? f.id : f.name);
    write_cell(w, it->second);
  }
  w.EndObject();
  w.EndObject();
}

}  // namespace airtable_local
