#include "airtable/columns.hpp"

#include <stdexcept>

#include "airreg/setup.hpp"
#include "json/fields_json.hpp"
#include "json/member.hpp"

namespace airreg::airtable {

Columns Columns::from_schema(const TableSchema& schema) {
  Columns c;
  c.schema_ = schema;
  c.table_ = schema.name;
  c.table_name_ = schema.name;
  for (const auto& f : schema.fields) c.columns_.push_back(Column{f.key, f.name, f.name, f.owner, f.choices, true});
  return c;
}

Columns Columns::bind(const TableSchema& schema, const TableSpec& table) {
  Columns c;
  c.schema_ = schema;
  c.table_ = table.id.empty() ? table.name : table.id;
  c.table_name_ = table.name;
  c.by_id_ = !table.id.empty();
  for (const auto& f : schema.fields) {
    const FieldSpec* have = locate_field(f, table);
    if (!have) {
      c.columns_.push_back(Column{f.key, f.name, f.name, f.owner, f.choices, false});
      continue;
    }
    std::string cell = c.by_id_ && !have->id.empty() ? have->id : have->name;
    c.columns_.push_back(Column{f.key, cell, have->name, f.owner, have->choices, true});
  }
  return c;
}

const Columns::Column& Columns::column(std::string_view key) const {
  for (const auto& c : columns_)
    if (c.key == key) return c;
  // Every key code uses is in schema/ (the unit tests load it): reaching here is a bug.
  throw std::logic_error("no column '" + std::string(key) + "' in schema/ " + schema_.key);
}

const std::string& Columns::cell(std::string_view key) const { return column(key).cell; }
const std::string& Columns::name(std::string_view key) const { return column(key).name; }
const std::vector<std::string>& Columns::choices(std::string_view key) const { return column(key).choices; }
bool Columns::present(std::string_view key) const { return column(key).present; }

std::vector<std::string> Columns::cells() const {
  std::vector<std::string> out;
  for (const auto& c : columns_)
    if (c.present) out.push_back(c.cell);
  return out;
}

std::set<std::string> Columns::cells_owned_by(std::string_view owner) const {
  std::set<std::string> out;
  for (const auto& c : columns_)
    if (c.owner == owner) out.insert(c.cell);
  return out;
}

std::map<std::string, std::string> Columns::names_by_cell() const {
  std::map<std::string, std::string> out;
  for (const auto& c : columns_) out[c.cell] = c.name;
  return out;
}

std::vector<std::string> Columns::merge_on() const {
  std::vector<std::string> out;
  for (const auto& key : schema_.merge_on) out.push_back(cell(key));
  return out;
}

void Columns::write_json(json::Writer& w) const {
  w.StartObject();
  json::member(w, "by_id", by_id_);
  json::member(w, "table", table_);
  json::member(w, "table_name", table_name_);
  w.Key("columns");
  w.StartObject();
  for (const auto& c : columns_) {
    json::write_string(w, c.key);
    w.StartObject();
    json::member(w, "cell", c.cell);
    json::member(w, "name", c.name);
    json::member(w, "present", c.present);
    w.Key("choices");
    w.StartArray();
    for (const auto& ch : c.choices) json::write_string(w, ch);
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
}

std::string Columns::to_json() const {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  write_json(w);
  return json::to_string(buffer);
}

namespace {

std::string text_in(simdjson::dom::object o, const char* key) {
  std::string_view s;
  return o[key].get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

}  // namespace

std::optional<Columns> Columns::from_json(const TableSchema& schema, std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::object root, columns;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS || root["columns"].get(columns) != simdjson::SUCCESS)
    return std::nullopt;
  Columns c;
  c.schema_ = schema;
  bool by_id = false;
  if (root["by_id"].get(by_id) != simdjson::SUCCESS) return std::nullopt;
  c.by_id_ = by_id;
  c.table_ = text_in(root, "table");
  c.table_name_ = text_in(root, "table_name");
  for (const auto& f : schema.fields) {
    simdjson::dom::object col;
    if (columns[f.key].get(col) != simdjson::SUCCESS) return std::nullopt;  // schema/ grew: bind again
    Column out{f.key, text_in(col, "cell"), text_in(col, "name"), f.owner, {}, true};
    bool present = true;
    if (col["present"].get(present) == simdjson::SUCCESS) out.present = present;
    simdjson::dom::array choices;
    if (col["choices"].get(choices) == simdjson::SUCCESS)
      for (auto ch : choices) {
        std::string_view v;
        if (ch.get(v) == simdjson::SUCCESS) out.choices.emplace_back(v);
      }
    if (out.cell.empty()) return std::nullopt;
    c.columns_.push_back(std::move(out));
  }
  if (c.table_.empty()) return std::nullopt;
  return c;
}

std::string BoundTables::to_json() const {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("registry");
  registry.write_json(w);
  w.Key("history");
  history.write_json(w);
  w.EndObject();
  return json::to_string(buffer);
}

std::optional<BoundTables> BoundTables::from_json(const RegistrySchemas& schemas, std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::element r, h;
  if (root["registry"].get(r) != simdjson::SUCCESS || root["history"].get(h) != simdjson::SUCCESS) return std::nullopt;
  auto registry = Columns::from_json(schemas.registry, simdjson::minify(r));
  auto history = Columns::from_json(schemas.history, simdjson::minify(h));
  if (!registry || !history) return std::nullopt;
  return BoundTables{std::move(*registry), std::move(*history), std::nullopt};
}

BoundTables bind_tables(const AirtableClient& client, const RegistrySchemas& schemas) {
  BoundTables out{Columns::from_schema(schemas.registry), Columns::from_schema(schemas.history), std::nullopt};
  auto base = client.tables();
  if (!base) {
    out.warning = "column ids not read from the base (" + base.error().describe() + "); using schema/'s names";
    return out;
  }
  const TableSpec* registry = locate_table(schemas.registry, *base);
  const TableSpec* history = locate_table(schemas.history, *base);
  if (registry) out.registry = Columns::bind(schemas.registry, *registry);
  if (history) out.history = Columns::bind(schemas.history, *history);
  if (!registry || !history)
    out.warning = std::string("the base has no table \"") + (registry ? schemas.history.name : schemas.registry.name) +
                  "\": run `airreg setup`";
  return out;
}

}  // namespace airreg::airtable
