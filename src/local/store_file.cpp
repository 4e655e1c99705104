#include "store_file.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "clock_text.hpp"
#include "json_out.hpp"
#include "webhook_store.hpp"

namespace airtable_local {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::string text(element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

std::optional<Cell> read_cell(element v) {
  bool b;
  double d;
  std::string_view s;
  simdjson::dom::array arr;
  if (v.get(b) == simdjson::SUCCESS) return Cell{b};
  if (v.is_number() && v.get(d) == simdjson::SUCCESS) return Cell{d};
  if (v.get(s) == simdjson::SUCCESS) return Cell{std::string(s)};
  if (v.get(arr) == simdjson::SUCCESS) {
    std::vector<std::string> list;
    for (element item : arr)
      if (item.get(s) == simdjson::SUCCESS) list.emplace_back(s);
    return Cell{std::move(list)};
  }
  return std::nullopt;
}

Field read_field(element e) {
  Field f{text(e, "id"), text(e, "name"), text(e, "type"), text(e, "description"), {}, {}};
  element options;
  if (e["options"].get(options) == simdjson::SUCCESS) {
    if (f.is_select()) {
      simdjson::dom::array choices;
      if (options["choices"].get(choices) == simdjson::SUCCESS)
        for (element c : choices) f.choices.push_back({text(c, "id"), text(c, "name"), text(c, "color")});
    } else {
      f.options_json = simdjson::minify(options);
    }
  }
  return f;
}

// Files written before modified times were kept have none: every cell then counts as last
// changed when its record was created.
void read_modified_times(element r, Record& rec) {
  object times;
  if (r["modifiedTimes"].get(times) == simdjson::SUCCESS) {
    for (auto [key, value] : times) {
      std::string_view t;
      if (value.get(t) != simdjson::SUCCESS) continue;
      if (auto parsed = parse_iso8601(t)) rec.modified.emplace(std::string(key), *parsed);
    }
    return;
  }
  auto created = parse_iso8601(rec.created_time);
  if (!created) return;
  for (const auto& [field_id, cell] : rec.cells) rec.modified.emplace(field_id, *created);
}

Table read_table(element e) {
  Table t;
  t.id = text(e, "id");
  t.name = text(e, "name");
  t.description = text(e, "description");
  t.primary_field_id = text(e, "primaryFieldId");
  t.view_id = text(e, "viewId");
  simdjson::dom::array arr;
  if (e["fields"].get(arr) == simdjson::SUCCESS)
    for (element f : arr) t.fields.push_back(read_field(f));
  if (e["records"].get(arr) == simdjson::SUCCESS) {
    for (element r : arr) {
      Record rec{text(r, "id"), text(r, "createdTime"), {}, {}};
      object cells;
      if (r["fields"].get(cells) == simdjson::SUCCESS)
        for (auto [key, value] : cells)
          if (auto cell = read_cell(value)) rec.cells.emplace(std::string(key), std::move(*cell));
      read_modified_times(r, rec);
      t.records.push_back(std::move(rec));
    }
  }
  return t;
}

void write_table(JsonWriter& w, const Table& t) {
  w.StartObject();
  write_member(w, "id", t.id);
  write_member(w, "name", t.name);
  write_member(w, "description", t.description);
  write_member(w, "primaryFieldId", t.primary_field_id);
  write_member(w, "viewId", t.view_id);
  write_key(w, "fields");
  w.StartArray();
  for (const auto& f : t.fields) write_field(w, f);
  w.EndArray();
  write_key(w, "records");
  w.StartArray();
  for (const auto& r : t.records) {
    w.StartObject();
    write_member(w, "id", r.id);
    write_member(w, "createdTime", r.created_time);
    write_key(w, "fields");
    w.StartObject();
    for (const auto& [field_id, cell] : r.cells) {
      write_key(w, field_id);
      write_cell(w, cell);
    }
    w.EndObject();
    write_key(w, "modifiedTimes");
    w.StartObject();
    for (const auto& [field_id, t] : r.modified) write_member(w, field_id, format_datetime(t));
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::expected<Store, std::string> load_store(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Store{};
  simdjson::dom::parser parser;
  element root;
  auto err = parser.load(path).get(root);
  if (err) return std::unexpected(path + ": " + simdjson::error_message(err));
  Store store;
  simdjson::dom::array bases;
  if (root["bases"].get(bases) != simdjson::SUCCESS)
    return std::unexpected(path + ": no \"bases\" array at the top level");
  for (element b : bases) {
    Base base;
    base.id = text(b, "id");
    simdjson::dom::array tables;
    if (b["tables"].get(tables) == simdjson::SUCCESS)
      for (element t : tables) base.tables.push_back(read_table(t));
    read_webhooks(b, base);
    store.bases.push_back(std::move(base));
  }
  uint64_t calls = 0;
  if (root["apiCalls"].get(calls) == simdjson::SUCCESS) store.api_calls = calls;
  return store;
}

std::expected<void, std::string> save_store(const Store& store, const std::string& path) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  // --monthly-quota counts from here; airtable-local's month never ends (see the docs).
  write_key(w, "apiCalls");
  w.Uint64(store.api_calls);
  write_key(w, "bases");
  w.StartArray();
  for (const auto& b : store.bases) {
    w.StartObject();
    write_member(w, "id", b.id);
    write_key(w, "tables");
    w.StartArray();
    for (const auto& t : b.tables) write_table(w, t);
    w.EndArray();
    write_webhooks(w, b);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();

  std::filesystem::path target(path);
  if (target.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
  }
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return std::unexpected(tmp + ": " + std::strerror(errno));
  const char* data = buffer.GetString();
  size_t left = buffer.GetSize();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return std::unexpected(tmp + ": " + why);
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return std::unexpected(tmp + ": " + std::strerror(errno));
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return std::unexpected(path + ": " + std::strerror(errno));
  return {};
}

}  // namespace airtable_local
