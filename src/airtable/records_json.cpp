#include "airtable/records_json.hpp"

#include "airtable/json_body.hpp"
#include "json/fields_json.hpp"
#include "json/member.hpp"

namespace airreg::airtable {

namespace {

using simdjson::dom::element;
using json::write_string;
using Writer = json::Writer;

std::string text(element e, const char* key) { return json::text_at(e, key); }

Result<AirtableRecord> record_from(element e) {
  AirtableRecord r;
  r.id = text(e, "id");
  if (r.id.empty()) return std::unexpected(shape_error("a record without an id"));
  r.created_time = text(e, "createdTime");
  simdjson::dom::object fields;
  if (e["fields"].get(fields) == simdjson::SUCCESS) r.fields = json::fields_from(fields);
  return r;
}

Result<std::vector<AirtableRecord>> records_from(element doc) {
  simdjson::dom::array arr;
  if (doc["records"].get(arr) != simdjson::SUCCESS) return std::unexpected(shape_error("no records array"));
  std::vector<AirtableRecord> out;
  out.reserve(arr.size());
  for (element e : arr) {
    auto r = record_from(e);
    if (!r) return std::unexpected(r.error());
    out.push_back(std::move(*r));
  }
  return out;
}

std::vector<std::string> strings(element doc, const char* key) {
  std::vector<std::string> out;
  simdjson::dom::array arr;
  std::string_view s;
  if (doc[key].get(arr) == simdjson::SUCCESS)
    for (element e : arr)
      if (e.get(s) == simdjson::SUCCESS) out.emplace_back(s);
  return out;
}

FieldSpec field_from(element e) {
  FieldSpec f{text(e, "id"), text(e, "name"), text(e, "type"), text(e, "description"), {}, {}};
  element options;
  if (e["options"].get(options) == simdjson::SUCCESS) {
    f.options_json = simdjson::minify(options);
    simdjson::dom::array choices;
    if (options["choices"].get(choices) == simdjson::SUCCESS)
      for (element c : choices) f.choices.push_back(text(c, "name"));
  }
  return f;
}

TableSpec table_from(element e) {
  TableSpec t{text(e, "id"), text(e, "name"), text(e, "description"), text(e, "primaryFieldId"), {}};
  simdjson::dom::array fields;
  if (e["fields"].get(fields) == simdjson::SUCCESS)
    for (element f : fields) t.fields.push_back(field_from(f));
  return t;
}

}  // namespace

Result<RecordPage> parse_record_page(const std::string& body) {
  return with_body(body, [](element doc) -> Result<RecordPage> {
    auto records = records_from(doc);
    if (!records) return std::unexpected(records.error());
    return RecordPage{std::move(*records), text(doc, "offset")};
  });
}

Result<AirtableRecord> parse_record(const std::string& body) {
  return with_body(body, [](element doc) -> Result<AirtableRecord> {
    return record_from(doc);
  });
}

Result<UpsertResult> parse_upsert(const std::string& body) {
  return with_body(body, [](element doc) -> Result<UpsertResult> {
    auto records = records_from(doc);
    if (!records) return std::unexpected(records.error());
    return UpsertResult{std::move(*records), strings(doc, "createdRecords"), strings(doc, "updatedRecords")};
  });
}

Result<std::vector<std::string>> parse_deleted(const std::string& body) {
  return with_body(body, [](element doc) -> Result<std::vector<std::string>> {
    simdjson::dom::array arr;
    if (doc.at_key("records").get(arr) != simdjson::SUCCESS) return std::unexpected(shape_error("no records array"));
    std::vector<std::string> ids;
    for (element e : arr) ids.push_back(text(e, "id"));
    return ids;
  });
}

Result<std::vector<TableSpec>> parse_tables(const std::string& body) {
  return with_body(body, [](element doc) -> Result<std::vector<TableSpec>> {
    simdjson::dom::array arr;
    if (doc.at_key("tables").get(arr) != simdjson::SUCCESS) return std::unexpected(shape_error("no tables array"));
    std::vector<TableSpec> out;
    for (element t : arr) out.push_back(table_from(t));
    return out;
  });
}

Result<TableSpec> parse_table(const std::string& body) {
  return with_body(body, [](element doc) -> Result<TableSpec> {
    TableSpec t = table_from(doc);
    if (t.id.empty()) return std::unexpected(shape_error("a table without an id"));
    return t;
  });
}

Result<FieldSpec> parse_field(const std::string& body) {
  return with_body(body, [](element doc) -> Result<FieldSpec> {
    FieldSpec f = field_from(doc);
    if (f.id.empty()) return std::unexpected(shape_error("a field without an id"));
    return f;
  });
}

std::string write_records_body(const std::vector<AirtableRecord>& records, bool typecast,
                               const std::vector<std::string>& merge_on) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("records");
  w.StartArray();
  for (const auto& r : records) {
    w.StartObject();
    if (!r.id.empty()) {
      w.Key("id");
      write_string(w, r.id);
    }
    w.Key("fields");
    json::write_fields(w, r.fields);
    w.EndObject();
  }
  w.EndArray();
  if (typecast) {
    w.Key("typecast");
    w.Bool(true);
  }
  if (!merge_on.empty()) {
    w.Key("performUpsert");
    w.StartObject();
    w.Key("fieldsToMergeOn");
    w.StartArray();
    for (const auto& m : merge_on) write_string(w, m);
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  return json::to_string(buffer);
}

std::string write_list_body(const ListQuery& q, const std::string& offset) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("pageSize");
  w.Int(q.page_size);
  if (q.max_records) json::member(w, "maxRecords", *q.max_records);
  if (!q.filter_by_formula.empty()) json::member(w, "filterByFormula", q.filter_by_formula);
  if (!q.view.empty()) json::member(w, "view", q.view);
  if (!offset.empty()) json::member(w, "offset", offset);
  if (q.return_fields_by_field_id) json::member(w, "returnFieldsByFieldId", true);
  if (!q.fields.empty()) {
    w.Key("fields");
    w.StartArray();
    for (const auto& f : q.fields) write_string(w, f);
    w.EndArray();
  }
  if (!q.sort.empty()) {
    w.Key("sort");
    w.StartArray();
    for (const auto& [field, desc] : q.sort) {
      w.StartObject();
      json::member(w, "field", field);
      json::member(w, "direction", desc ? "desc" : "asc");
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return json::to_string(buffer);
}

namespace {
void write_field_object(Writer& w, const FieldSpec& f) {
  w.StartObject();
  json::member(w, "name", f.name);
  json::member(w, "type", f.type);
  if (!f.description.empty()) json::member(w, "description", f.description);
  if (!f.options_json.empty()) {
    // options_json comes from our schema files, parsed and minified by simdjson.
    w.Key("options");
    w.RawValue(f.options_json.data(), f.options_json.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}
}  // namespace

std::string write_table_body(const TableSpec& t) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  json::member(w, "name", t.name);
  if (!t.description.empty()) json::member(w, "description", t.description);
  w.Key("fields");
  w.StartArray();
  for (const auto& f : t.fields) write_field_object(w, f);
  w.EndArray();
  w.EndObject();
  return json::to_string(buffer);
}

std::string write_field_body(const FieldSpec& f) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  write_field_object(w, f);
  return json::to_string(buffer);
}

std::string write_field_update_body(const std::optional<std::string>& name,
                                    const std::optional<std::string>& description) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  if (name) json::member(w, "name", *name);
  if (description) json::member(w, "description", *description);
  w.EndObject();
  return json::to_string(buffer);
}

}  // namespace airreg::airtable
