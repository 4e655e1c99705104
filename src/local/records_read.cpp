// Listing and reading records: options from the query string or the listRecords body,
// filtering, sorting, paging with opaque offsets.
#include <algorithm>
#include <charconv>

#include "formula.hpp"
#include "json_out.hpp"
#include "records_api.hpp"

namespace airtable_local {

namespace {

constexpr int kMaxPageSize = 100;

std::optional<long long> parse_int(std::string_view s) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool truthy_param(std::string_view s) { return s == "true" || s == "1"; }

std::expected<std::string, ApiError> field_id_for(const Table& table, const std::string& name) {
  const Field* f = table.find_field(name);
  if (!f) return std::unexpected(unknown_field(name));
  return f->id;
}

std::expected<void, ApiError> set_page_size(ListOptions& o, long long v) {
  if (v < 1 || v > kMaxPageSize)
    return std::unexpected(invalid_request("pageSize must be between 1 and 100"));
  o.page_size = static_cast<int>(v);
  return {};
}

std::expected<void, ApiError> set_max_records(ListOptions& o, long long v) {
  if (v < 1) return std::unexpected(invalid_request("maxRecords must be a positive integer"));
  o.max_records = static_cast<size_t>(v);
  return {};
}

// Blank cells sort first in ascending order; numbers before text when types are mixed.
int compare_cells(const Cell* a, const Cell* b) {
  if (!a || !b) return (a ? 1 : 0) - (b ? 1 : 0);
  auto rank = [](const Cell& c) { return static_cast<int>(c.index()); };
  if (rank(*a) != rank(*b)) return rank(*a) < rank(*b) ? -1 : 1;
  return *a < *b ? -1 : (*b < *a ? 1 : 0);
}

}  // namespace

std::expected<ListOptions, ApiError> list_options_from_query(const Target& t, const Table& table) {
  ListOptions o;
  if (auto* v = t.param("pageSize")) {
    auto n = parse_int(*v);
    if (!n) return std::unexpected(invalid_request("pageSize must be an integer"));
    if (auto ok = set_page_size(o, *n); !ok) return std::unexpected(ok.error());
  }
  if (auto* v = t.param("maxRecords")) {
    auto n = parse_int(*v);
    if (!n) return std::unexpected(invalid_request("maxRecords must be an integer"));
    if (auto ok = set_max_records(o, *n); !ok) return std::unexpected(ok.error());
  }
  for (const auto& key : {"fields[]", "fields"}) {
    for (const auto& name : t.all(key)) {
      auto id = field_id_for(table, name);
      if (!id) return std::unexpected(id.error());
      o.field_ids.push_back(*id);
    }
  }
  if (auto* v = t.param("filterByFormula")) o.formula = *v;
  if (auto* v = t.param("offset")) o.offset = *v;
  if (auto* v = t.param("view")) o.view = *v;
  if (auto* v = t.param("returnFieldsByFieldId")) o.by_field_id = truthy_param(*v);
  for (int i = 0;; ++i) {
    std::string prefix = "sort[" + std::to_string(i) + "]";
    auto* field = t.param(prefix + "[field]");
    if (!field) break;
    auto id = field_id_for(table, *field);
    if (!id) return std::unexpected(id.error());
    auto* dir = t.param(prefix + "[direction]");
    if (dir && *dir != "asc" && *dir != "desc")
      return std::unexpected(invalid_request("sort direction must be asc or desc"));
    o.sort.push_back({*id, dir && *dir == "desc"});
  }
  return o;
}

std::expected<ListOptions, ApiError> list_options_from_body(simdjson::dom::element body,
                                                            const Table& table) {
  ListOptions o;
  simdjson::dom::object obj;
  if (body.get(obj) != simdjson::SUCCESS)
    return std::unexpected(invalid_request("the request body must be a JSON object"));
  for (auto [key, value] : obj) {
    int64_t n;
    std::string_view s;
    bool b;
    simdjson::dom::array arr;
    if (key == "pageSize" || key == "maxRecords") {
      if (value.get(n) != simdjson::SUCCESS)
        return std::unexpected(invalid_request(std::string(key) + " must be an integer"));
      auto ok = key == "pageSize" ? set_page_size(o, n) : set_max_records(o, n);
      if (!ok) return std::unexpected(ok.error());
    } else if (key == "fields") {
      if (value.get(arr) != simdjson::SUCCESS)
        return std::unexpected(invalid_request("fields must be an array of field names"));
      for (auto item : arr) {
        if (item.get(s) != simdjson::SUCCESS)
          return std::unexpected(invalid_request("fields must be an array of field names"));
        auto id = field_id_for(table, std::string(s));
        if (!id) return std::unexpected(id.error());
        o.field_ids.push_back(*id);
      }
    } else if (key == "filterByFormula" || key == "offset" || key == "view") {
      if (value.get(s) != simdjson::SUCCESS)
        return std::unexpected(invalid_request(std::string(key) + " must be a string"));
      (key == "filterByFormula" ? o.formula : key == "offset" ? o.offset : o.view) = s;
    } else if (key == "returnFieldsByFieldId") {
      if (value.get(b) != simdjson::SUCCESS)
        return std::unexpected(invalid_request("returnFieldsByFieldId must be a boolean"));
      o.by_field_id = b;
    } else if (key == "sort") {
      if (value.get(arr) != simdjson::SUCCESS)
        return std::unexpected(invalid_request("sort must be an array"));
      for (auto item : arr) {
        std::string_view field, dir = "asc";
        if (item["field"].get(field) != simdjson::SUCCESS)
          return std::unexpected(invalid_request("each sort entry needs a field"));
        if (item["direction"].error() == simdjson::SUCCESS &&
            (item["direction"].get(dir) != simdjson::SUCCESS || (dir != "asc" && dir != "desc")))
          return std::unexpected(invalid_request("sort direction must be asc or desc"));
        auto id = field_id_for(table, std::string(field));
        if (!id) return std::unexpected(id.error());
        o.sort.push_back({*id, dir == "desc"});
      }
    }
    // cellFormat, timeZone and userLocale are accepted; values always come back as json.
  }
  return o;
}

Reply list_records(const Table& table, const ListOptions& o, SysTime now, IdGenerator& ids) {
  if (!o.view.empty() && o.view != table.view_id && o.view != "Grid view")
    return std::unexpected(ApiError{422, "VIEW_NAME_NOT_FOUND", "Could not find view " + o.view});
  std::optional<Formula> formula;
  if (!o.formula.empty()) {
    auto parsed = Formula::parse(o.formula, table);
    if (!parsed)
      return std::unexpected(ApiError{422, "INVALID_FILTER_BY_FORMULA",
                                      "The formula for filtering records is invalid: " +
                                          parsed.error()});
    formula = std::move(*parsed);
  }
  std::vector<const Record*> rows;
  for (const auto& r : table.records)
    if (!formula || formula->matches(table, r, now)) rows.push_back(&r);
  if (!o.sort.empty()) {
    std::stable_sort(rows.begin(), rows.end(), [&](const Record* a, const Record* b) {
      for (const auto& key : o.sort) {
        auto ca = a->cells.find(key.field_id), cb = b->cells.find(key.field_id);
        int c = compare_cells(ca == a->cells.end() ? nullptr : &ca->second,
                              cb == b->cells.end() ? nullptr : &cb->second);
        if (c != 0) return key.descending ? c > 0 : c < 0;
      }
      return false;
    });
  }
  // An offset is "itr<14>/<id of the last record sent>": stateless, and it fails the way
  // Airtable's does when the listing changed under it.
  size_t start = 0;
  if (!o.offset.empty()) {
    auto slash = o.offset.find('/');
    if (o.offset.rfind("itr", 0) != 0 || slash == std::string::npos)
      return std::unexpected(ApiError{422, "INVALID_OFFSET_VALUE",
                                      "The value of offset " + o.offset + " is invalid"});
    std::string last = o.offset.substr(slash + 1);
    auto it = std::find_if(rows.begin(), rows.end(), [&](const Record* r) { return r->id == last; });
    if (it == rows.end())
      return std::unexpected(ApiError{422, "LIST_RECORDS_ITERATOR_NOT_AVAILABLE",
                                      "The iterator is not available anymore; list again from "
                                      "the start"});
    start = static_cast<size_t>(it - rows.begin()) + 1;
  }
  size_t end = std::min(rows.size(), start + static_cast<size_t>(o.page_size));
  if (o.max_records) end = std::min(end, std::max(start, *o.max_records));

  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_key(w, "records");
  w.StartArray();
  for (size_t i = start; i < end; ++i) write_record(w, table, *rows[i], o.by_field_id, o.field_ids);
  w.EndArray();
  bool more = end < rows.size() && (!o.max_records || end < *o.max_records);
  if (more && end > start) {
    write_key(w, "offset");
    write_string(w, ids.next("itr") + "/" + rows[end - 1]->id);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Reply get_record(const Table& table, const std::string& record_id, bool by_field_id) {
  auto it = std::find_if(table.records.begin(), table.records.end(),
                         [&](const Record& r) { return r.id == record_id; });
  if (it == table.records.end()) return std::unexpected(record_not_found(record_id));
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  write_record(w, table, *it, by_field_id);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace airtable_local
