#include "registry/row_codec.hpp"

#include <simdjson.h>

#include <cmath>
#include <unordered_map>

#include "core/time_text.hpp"
#include "json/fields_json.hpp"
#include "json/member.hpp"
#include "registry/seeded_cells.hpp"

namespace airreg::registry {


namespace {

// Reads one row's cells, remembering the first problem; cells are checked by type.
class Cells {
 public:
  Cells(const AirtableRecord& record, const Columns& columns) : record_(record), columns_(columns) {}

  const FieldValue* cell(std::string_view key) const {
    auto it = record_.fields.find(columns_.cell(key));
    if (it == record_.fields.end() || std::holds_alternative<std::monostate>(it->second)) return nullptr;
    return &it->second;
  }
  std::string text(std::string_view key) {
    const FieldValue* v = cell(key);
    if (!v) return "";
    if (auto s = std::get_if<std::string>(v)) return *s;
    problem(key, "is not text");
    return "";
  }
  std::optional<double> number(std::string_view key) {
    const FieldValue* v = cell(key);
    if (!v) return std::nullopt;
    if (auto d = std::get_if<double>(v); d && std::isfinite(*d)) return *d;
    problem(key, "is not a number");
    return std::nullopt;
  }
  std::optional<int64_t> whole(std::string_view key) {
    auto d = number(key);
    if (!d) return std::nullopt;
    if (*d < 0 || *d > 1e15) {
      problem(key, "is out of range");
      return std::nullopt;
    }
    return static_cast<int64_t>(*d);
  }
  bool flag(std::string_view key) {
    const FieldValue* v = cell(key);
    if (!v) return false;
    if (auto b = std::get_if<bool>(v)) return *b;
    problem(key, "is not a checkbox");
    return false;
  }
  std::vector<std::string> list(std::string_view key) {
    const FieldValue* v = cell(key);
    if (!v) return {};
    if (auto l = std::get_if<std::vector<std::string>>(v)) return *l;
    problem(key, "is not a list of options");
    return {};
  }
  std::optional<SystemTime> time(std::string_view key) {
    std::string t = text(key);
    if (t.empty()) return std::nullopt;
    auto parsed = core::parse_utc(t);
    if (!parsed) problem(key, "is not a date and time (\"" + t + "\")");
    return parsed;
  }
  void problem(std::string_view key, const std::string& what) {
    if (problem_.empty()) problem_ = "\"" + columns_.name(key) + "\" " + what;
  }
  const std::string& first_problem() const { return problem_; }

 private:
  const AirtableRecord& record_;
  const Columns& columns_;
  std::string problem_;
};

void read_metadata(const std::string& text, RegistryRow& row, Cells& cells) {
  if (text.empty()) return;
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) {
    cells.problem("metadata", "is not JSON");
    return;
  }
  simdjson::dom::object seeded;
  if (root["seeded"].get(seeded) == simdjson::SUCCESS && seeded.size() > 0) row.book.edit_seeded() = json::fields_from(seeded);
  simdjson::dom::array people;
  if (root["people"].get(people) == simdjson::SUCCESS)
    for (auto p : people) {
      std::string_view s;
      if (p.get(s) == simdjson::SUCCESS) row.book.edit_people().emplace(s);
    }
}

}  // namespace

std::string format_day(SystemTime t) { return core::format_utc(t).substr(0, 10); }

Result<RegistryRow> parse_row(const AirtableRecord& record, const Columns& columns) {
  Cells cells(record, columns);
  RegistryRow row;
  row.record_id = record.id;
  row.provider_id = cells.text("provider_id");
  row.model_id = cells.text("model_id");
  row.model_name = cells.text("model_name");
  std::string label = row.provider_id + "/" + row.model_id;
  auto fail = [&](const std::string& why) {
    return std::unexpected(make_error(ErrorCode::invalid_argument, "row " + record.id + " (" + label + "): " + why +
                                                                       "; skipped, left as it is"));
  };
  if (row.model_id.empty() || row.provider_id.empty())
    return fail("\"" + columns.name(row.model_id.empty() ? "model_id" : "provider_id") + "\" is empty");
  std::string category = cells.text("category");
  if (!category.empty()) {
    auto c = parse_category(category);
    if (!c) return fail("\"" + columns.name("category") + "\" is \"" + category + "\", not text or tts");
    row.category = *c;
  }
  std::string status = cells.text("status");
  if (!status.empty()) {
    auto s = parse_status(status);
    if (!s) return fail("\"" + columns.name("status") + "\" is \"" + status + "\", not a known status");
    row.status = *s;
  }
  row.available = cells.flag("available");
  row.last_verified = cells.time("last_verified");
  row.first_seen = cells.time("first_seen");
  row.missing_since = cells.time("missing_since");
  row.discovery_method = cells.text("discovery_method");
  row.input_cost = cells.number("input_cost");
  row.output_cost = cells.number("output_cost");
  row.max_tokens = cells.whole("max_tokens");
  row.max_output_tokens = cells.whole("max_output_tokens");
  row.features = cells.list("features");
  row.regions = cells.list("regions");
  row.deprecation_date = cells.text("deprecation_date");
  row.recommended = cells.flag("recommended");
  row.sort_order = cells.number("sort_order");
  row.notes = cells.text("notes");
  read_metadata(cells.text("metadata"), row, cells);
  if (!cells.first_problem().empty()) return fail(cells.first_problem());
  return row;
}

ParsedRows parse_rows(const std::vector<AirtableRecord>& records, const Columns& columns) {
  RowsParser parser(columns, records.size());
  for (const auto& record : records) parser.add(record);
  return parser.finish();
}

RowsParser::RowsParser(const Columns& columns, size_t records) : columns_(columns) {
  // Sized once: grown by doubling, 10,000 rows took 8.5 MB and briefly 13 MB instead of 5 MB.
  rows_.reserve(records);
}

void RowsParser::add(const AirtableRecord& record) {
  auto text_of = [&](const char* key) {
    auto it = record.fields.find(columns_.cell(key));
    const std::string* s = it == record.fields.end() ? nullptr : std::get_if<std::string>(&it->second);
    return s ? *s : std::string();
  };
  auto row = parse_row(record, columns_);
  if (!row) {
    out_.warnings.push_back(row.error().message);
    std::string provider = text_of("provider_id"), model = text_of("model_id");
    if (!provider.empty() && !model.empty()) out_.untouchable.insert(provider + "/" + model);
    return;
  }
  auto [at, fresh] = first_of_.emplace(row->key(), rows_.size());
  if (!fresh) {
    out_.warnings.push_back("row " + record.id + " (" + row->key() + "): another row has the same " + columns_.name("provider_id") +
                            " and " + columns_.name("model_id") + "; both skipped, left as they are");
    duplicated_.insert(row->key());
    out_.untouchable.insert(row->key());
    return;
  }
  fold_seeded(*row);
  rows_.push_back(std::move(*row));
}

ParsedRows RowsParser::finish() {
  std::erase_if(rows_, [&](const RegistryRow& r) { return duplicated_.count(r.key()) > 0; });
  out_.rows = std::move(rows_);
  first_of_.clear();
  return std::move(out_);
}

std::string write_metadata(const RegistryRow& row) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  json::member(w, "airreg", 1);
  json::key(w, "seeded");
  if (row.seeded_in_cells == 0)
    json::write_fields(w, row.book.seeded());
  else
    json::write_fields(w, seeded_values(row));
  w.Key("people");
  w.StartArray();
  for (const auto& p : row.book.people()) json::write_string(w, p);
  w.EndArray();
  w.EndObject();
  return json::to_string(buffer);
}

}  // namespace airreg::registry
