#include "meta_api.hpp"

#include <algorithm>
#include <set>

#include "field_values.hpp"
#include "json_out.hpp"

namespace airtable_local {

namespace {

using simdjson::dom::element;

ApiError bad_options(const std::string& field, const std::string& why) {
  return {422, "INVALID_FIELD_TYPE_OPTIONS_FOR_CREATE",
          "Invalid options for field \"" + field + "\": " + why};
}

std::optional<std::string> string_member(element e, const char* key) {
  std::string_view s;
  if (e[key].get(s) == simdjson::SUCCESS) return std::string(s);
  return std::nullopt;
}

// Checks the options Airtable requires per type, keeping what it echoes back.
std::expected<void, ApiError> read_options(Field& f, element body, IdGenerator& ids) {
  element options;
  bool has = body["options"].get(options) == simdjson::SUCCESS && !options.is_null();
  if (has && !options.is_object()) return std::unexpected(bad_options(f.name, "options must be an object"));
  if (f.is_select()) {
    simdjson::dom::array choices;
    if (!has || options["choices"].get(choices) != simdjson::SUCCESS)
      return std::unexpected(bad_options(f.name, "a select field needs options.choices"));
    std::set<std::string> names;
    for (element c : choices) {
      auto name = string_member(c, "name");
      if (!name || name->empty() || !names.insert(*name).second)
        return std::unexpected(bad_options(f.name, "each choice needs a unique, non-empty name"));
      f.choices.push_back({ids.next("sel"), *name, string_member(c, "color").value_or("")});
    }
    return {};
  }
  if (f.type == "number") {
    int64_t precision = -1;
    if (!has || options["precision"].get(precision) != simdjson::SUCCESS || precision < 0 ||
        precision > 8)
      return std::unexpected(bad_options(f.name, "a number field needs options.precision (0 to 8)"));
  } else if (f.type == "dateTime") {
    if (!has || options["timeZone"].error() != simdjson::SUCCESS ||
        options["dateFormat"].error() != simdjson::SUCCESS ||
        options["timeFormat"].error() != simdjson::SUCCESS)
      return std::unexpected(
          bad_options(f.name, "a dateTime field needs options.dateFormat, timeFormat and timeZone"));
  } else if (f.type == "date") {
    if (!has || options["dateFormat"].error() != simdjson::SUCCESS)
      return std::unexpected(bad_options(f.name, "a date field needs options.dateFormat"));
  } else if (f.type != "checkbox" && has) {
    simdjson::dom::object given;
    if (options.get(given) == simdjson::SUCCESS && given.size() > 0)
      return std::unexpected(bad_options(f.name, "a " + f.type + " field takes no options"));
  }
  if (has) f.options_json = simdjson::minify(options);
  return {};
}

std::expected<Field, ApiError> field_from_json(element body, const Table& table, IdGenerator& ids) {
  if (!body.is_object()) return std::unexpected(invalid_request("a field must be a JSON object"));
  Field f;
  f.name = string_member(body, "name").value_or("");
  f.type = string_member(body, "type").value_or("");
  f.description = string_member(body, "description").value_or("");
  if (f.name.empty() || table.find_field(f.name))
    return std::unexpected(ApiError{422, "DUPLICATE_OR_EMPTY_FIELD_NAME",
                                    "Field name \"" + f.name + "\" is empty or already used"});
  if (!is_supported_field_type(f.type))
    return std::unexpected(ApiError{422, "UNSUPPORTED_FIELD_TYPE_FOR_CREATE",
                                    "Field type \"" + f.type + "\" is not supported"});
  if (auto ok = read_options(f, body, ids); !ok) return std::unexpected(ok.error());
  f.id = ids.next("fld");
  return f;
}

void write_table(JsonWriter& w, const Table& t) {
  w.StartObject();
  write_member(w, "id", t.id);
  write_member(w, "name", t.name);
  if (!t.description.empty()) write_member(w, "description", t.description);
  write_member(w, "primaryFieldId", t.primary_field_id);
  write_key(w, "fields");
  w.StartArray();
  for (const auto& f : t.fields) write_field(w, f);
  w.EndArray();
  write_key(w, "views");
  w.StartArray();
  w.StartObject();
  write_member(w, "id", t.view_id);
  write_member(w, "name", "Grid view");
  write_member(w, "type", "grid");
  w.EndObject();
  w.EndArray();
  w.EndObject();
}

template <typename F>
std::string render(F&& body) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  body(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

Reply list_tables(const Base& base) {
  return render([&](JsonWriter& w) {
    w.StartObject();
    write_key(w, "tables");
    w.StartArray();
    for (const auto& t : base.tables) write_table(w, t);
    w.EndArray();
    w.EndObject();
  });
}

Reply create_table(Base& base, element body, IdGenerator& ids) {
  auto name = string_member(body, "name");
  if (!name || name->empty())
    return std::unexpected(invalid_request("a table needs a non-empty name"));
  for (const auto& t : base.tables)
    if (t.name == *name)
      return std::unexpected(ApiError{422, "DUPLICATE_TABLE_NAME", "Table \"" + *name + "\" already exists"});
  simdjson::dom::array fields;
  if (body["fields"].get(fields) != simdjson::SUCCESS || fields.size() == 0)
    return std::unexpected(invalid_request("a table needs at least one field"));
  Table table;
  table.name = *name;
  table.description = string_member(body, "description").value_or("");
  for (element fb : fields) {
    auto f = field_from_json(fb, table, ids);
    if (!f) return std::unexpected(f.error());
    table.fields.push_back(std::move(*f));
  }
  const std::string& primary_type = table.fields.front().type;
  if (primary_type == "checkbox" || primary_type == "multipleSelects")
    return std::unexpected(ApiError{422, "INVALID_PRIMARY_FIELD_TYPE",
                                    "A " + primary_type + " field cannot be the primary field"});
  table.id = ids.next("tbl");
  table.view_id = ids.next("viw");
  table.primary_field_id = table.fields.front().id;
  base.tables.push_back(std::move(table));
  return render([&](JsonWriter& w) { write_table(w, base.tables.back()); });
}

Reply update_table(Table& table, const Base& base, element body) {
  if (!body.is_object()) return std::unexpected(invalid_request("the body must be a JSON object"));
  if (auto name = string_member(body, "name")) {
    for (const auto& t : base.tables)
      if (t.name == *name && t.id != table.id)
        return std::unexpected(ApiError{422, "DUPLICATE_TABLE_NAME", "Table \"" + *name + "\" already exists"});
    if (name->empty()) return std::unexpected(invalid_request("a table name cannot be empty"));
    table.name = *name;
  }
  if (auto description = string_member(body, "description")) table.description = *description;
  return render([&](JsonWriter& w) { write_table(w, table); });
}

Reply create_field(Table& table, element body, IdGenerator& ids) {
  auto f = field_from_json(body, table, ids);
  if (!f) return std::unexpected(f.error());
  table.fields.push_back(std::move(*f));
  return render([&](JsonWriter& w) { write_field(w, table.fields.back()); });
}

Reply update_field(Table& table, const std::string& field_id, element body) {
  auto it = std::find_if(table.fields.begin(), table.fields.end(),
                         [&](const Field& f) { return f.id == field_id || f.name == field_id; });
  if (it == table.fields.end()) return std::unexpected(model_not_found());
  if (!body.is_object()) return std::unexpected(invalid_request("the body must be a JSON object"));
  auto name = string_member(body, "name");
  auto description = string_member(body, "description");
  if (!name && !description)
    return std::unexpected(invalid_request("send a name, a description or both"));
  if (name) {
    const Field* other = table.find_field(*name);
    if (name->empty() || (other && other != &*it && other->name == *name))
      return std::unexpected(ApiError{422, "DUPLICATE_OR_EMPTY_FIELD_NAME",
                                      "Field name \"" + *name + "\" is empty or already used"});
    it->name = *name;
  }
  if (description) it->description = *description;
  return render([&](JsonWriter& w) { write_field(w, *it); });
}

}  // namespace airtable_local
