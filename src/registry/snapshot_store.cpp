#include "registry/snapshot_store.hpp"

#include "core/durable_file.hpp"
#include "core/sqlite_db.hpp"
#include "core/time_text.hpp"
#include "json/fields_json.hpp"
#include "json/member.hpp"

namespace airreg::registry {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS bindings (
  base TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
  base TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  read_at TEXT NOT NULL,
  body TEXT NOT NULL
);
)sql";

// {"columns":{key:cell},"last_listed":{provider:time},"records":[{"id","fields":{key:value}}]}
std::string encode(const TableSnapshot& s, const Columns& columns) {
  std::map<std::string, std::string> key_of;  // cell -> key
  for (const auto& f : columns.schema().fields) key_of[columns.cell(f.key)] = f.key;
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("last_listed");
  w.StartObject();
  for (const auto& [provider, when] : s.last_listed) {
    json::write_string(w, provider);
    json::write_string(w, core::format_utc(when));
  }
  w.EndObject();
  w.Key("records");
  w.StartArray();
  for (const auto& r : s.records) {
    Fields by_key;
    for (const auto& [cell, value] : r.fields)
      if (auto k = key_of.find(cell); k != key_of.end()) by_key[k->second] = value;
    w.StartObject();
    json::member(w, "id", r.id);
    json::key(w, "fields");
    json::write_fields(w, by_key);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return json::to_string(buffer);
}

std::optional<TableSnapshot> decode(const std::string& body, const Columns& columns, std::string* why) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  simdjson::dom::array records;
  simdjson::dom::object listed;
  if (parser.parse(body).get(root) != simdjson::SUCCESS || root["records"].get(records) != simdjson::SUCCESS ||
      root["last_listed"].get(listed) != simdjson::SUCCESS) {
    if (why) *why = "the snapshot is not the JSON airreg writes";
    return std::nullopt;
  }
  TableSnapshot s;
  for (auto [provider, when] : listed) {
    std::string_view text;
    if (when.get(text) != simdjson::SUCCESS) continue;
    if (auto t = core::parse_utc(text)) s.last_listed[std::string(provider)] = *t;
  }
  for (auto r : records) {
    simdjson::dom::object fields;
    if (r["fields"].get(fields) != simdjson::SUCCESS) continue;
    Fields by_cell;
    for (auto& [key, value] : json::fields_from(fields))
      if (columns.schema().find(key)) by_cell[columns.cell(key)] = std::move(value);
    s.records.push_back(AirtableRecord{json::text_at(r, "id"), "", std::move(by_cell)});
  }
  s.parsed = parse_rows(s.records, columns);
  return s;
}

}  // namespace

struct SnapshotStore::Store {
  core::Database db;
};

SnapshotStore::SnapshotStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
SnapshotStore::~SnapshotStore() = default;

Result<SnapshotStore::Store*> SnapshotStore::store() const {
  if (store_) return store_.get();
  if (auto made = core::make_state_dir(dir_); !made) return std::unexpected(made.error());
  auto db = core::Database::open(dir_ / "state.db", kSchema);
  if (!db) return std::unexpected(db.error());
  store_ = std::make_unique<Store>(Store{std::move(*db)});
  return store_.get();
}

Result<void> SnapshotStore::save(const std::string& base_id, const TableSnapshot& snapshot, const Columns& columns) {
  std::string body = encode(snapshot, columns);
  std::lock_guard lock(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto upsert = (*s)->db.prepare(
      "INSERT INTO snapshots (base, version, read_at, body) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT(base) DO UPDATE SET version = ?2, read_at = ?3, body = ?4");
  if (!upsert) return std::unexpected(upsert.error());
  upsert->bind(1, base_id).bind(2, static_cast<int64_t>(snapshot.version)).bind(3, core::format_utc(snapshot.read_at)).bind(4, body);
  return upsert->run();
}

std::optional<TableSnapshot> SnapshotStore::load(const std::string& base_id, const Columns& columns, std::string* why) const {
  std::lock_guard lock(mutex_);
  auto s = store();
  if (!s) {
    if (why) *why = s.error().describe();
    return std::nullopt;
  }
  auto select = (*s)->db.prepare("SELECT version, read_at, body FROM snapshots WHERE base = ?1");
  if (!select) {
    if (why) *why = select.error().describe();
    return std::nullopt;
  }
  select->bind(1, base_id);
  auto row = select->step();
  if (!row || !*row) {
    if (why) *why = row ? "no snapshot yet" : row.error().describe();
    return std::nullopt;
  }
  auto snapshot = decode(select->text(2), columns, why);
  if (!snapshot) return std::nullopt;
  snapshot->version = static_cast<uint64_t>(select->integer(0));
  snapshot->read_at = core::parse_utc(select->text(1)).value_or(SystemTime{});
  return snapshot;
}

Result<void> SnapshotStore::save_binding(const std::string& base_id, const airtable::BoundTables& tables) {
  std::string body = tables.to_json();
  std::lock_guard lock(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto upsert = (*s)->db.prepare("INSERT INTO bindings (base, body) VALUES (?1, ?2) ON CONFLICT(base) DO UPDATE SET body = ?2");
  if (!upsert) return std::unexpected(upsert.error());
  upsert->bind(1, base_id).bind(2, body);
  return upsert->run();
}

std::optional<airtable::BoundTables> SnapshotStore::load_binding(const std::string& base_id, const RegistrySchemas& schemas) const {
  std::lock_guard lock(mutex_);
  auto s = store();
  if (!s) return std::nullopt;
  auto select = (*s)->db.prepare("SELECT body FROM bindings WHERE base = ?1");
  if (!select) return std::nullopt;
  select->bind(1, base_id);
  auto row = select->step();
  if (!row || !*row) return std::nullopt;
  return airtable::BoundTables::from_json(schemas, select->text(0));
}

}  // namespace airreg::registry
