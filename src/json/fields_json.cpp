#include "json/fields_json.hpp"

#include <cmath>

namespace airreg::json {

using simdjson::dom::element;

void write_string(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void write_value(Writer& w, const FieldValue& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          w.Null();
        } else if constexpr (std::is_same_v<T, bool>) {
          w.Bool(x);
        } else if constexpr (std::is_same_v<T, double>) {
          // RapidJSON writes nothing for NaN or infinity (and says so only by its return
          // value), which would leave the document broken: such a cell is empty instead.
          if (std::isfinite(x)) {
            w.Double(x);
          } else {
            w.Null();
          }
        } else if constexpr (std::is_same_v<T, std::string>) {
          write_string(w, x);
        } else {
          w.StartArray();
          for (const auto& s : x) write_string(w, s);
          w.EndArray();
        }
      },
      v);
}

void write_fields(Writer& w, const Fields& fields) {
  w.StartObject();
  for (const auto& [name, value] : fields) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    write_value(w, value);
  }
  w.EndObject();
}

std::string to_string(const rapidjson::StringBuffer& buffer) { return std::string(buffer.GetString(), buffer.GetSize()); }

FieldValue cell_from(element v) {
  bool b;
  double d;
  std::string_view s;
  simdjson::dom::array arr;
  if (v.get(b) == simdjson::SUCCESS) return b;
  if (v.is_number() && v.get(d) == simdjson::SUCCESS) return d;
  if (v.get(s) == simdjson::SUCCESS) return std::string(s);
  if (v.get(arr) == simdjson::SUCCESS) {
    std::vector<std::string> list;
    for (element item : arr) {
      if (item.get(s) == simdjson::SUCCESS) {
        list.emplace_back(s);
      } else {
        list.push_back(simdjson::minify(item));
      }
    }
    return list;
  }
  if (v.is_null()) return std::monostate{};
  return simdjson::minify(v);
}

Fields fields_from(simdjson::dom::object object) {
  Fields fields;
  for (auto [key, value] : object) fields.emplace(std::string(key), cell_from(value));
  return fields;
}

std::string text_at(element e, const char* key) {
  std::string_view s;
  return e[key].get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

}  // namespace airreg::json
