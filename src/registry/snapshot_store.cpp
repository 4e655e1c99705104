#include "registry/snapshot_store.hpp"

#include "core/durable_file.hpp"
#include "core/sqlite_db.hpp"
#include "core/time_text.hpp"
#include "registry/snapshot_codec.hpp"
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
  // Written twice, counted then stored, a piece at a time into a cell made that size: bound
  // as one value, the text of 10,000 records (about 5 MB) was in memory three times at once
  // (ours, SQLite's copy, and the row it makes of it), just after the table read had peaked.
  size_t bytes = 0;
  write_snapshot(snapshot, columns, [&](std::string_view piece) { bytes += piece.size(); });
  std::lock_guard lock(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  core::Database& db = (*s)->db;
  // The last snapshot saved stands unless this one is stored whole.
  return core::in_transaction(db, [&]() -> Result<void> {
    auto upsert = db.prepare(
        "INSERT INTO snapshots (base, version, read_at, body) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(base) DO UPDATE SET version = ?2, read_at = ?3, body = ?4");
    if (!upsert) return std::unexpected(upsert.error());
    upsert->bind(1, base_id).bind(2, static_cast<int64_t>(snapshot.version)).bind(3, core::format_utc(snapshot.read_at));
    if (auto run = upsert->bind_zeroblob(4, bytes).run(); !run) return run;
    auto row = db.prepare("SELECT rowid FROM snapshots WHERE base = ?1");
    if (!row) return std::unexpected(row.error());
    if (auto found = row->bind(1, base_id).step(); !found || !*found)
      return std::unexpected(found ? make_error(ErrorCode::io, "the snapshot row just written is not there") : found.error());
    auto blob = db.open_blob("snapshots", "body", row->integer(0));
    if (!blob) return std::unexpected(blob.error());
    Result<void> written;
    write_snapshot(snapshot, columns, [&](std::string_view piece) {
      if (written) written = blob->append(piece);
    });
    if (!written) return written;
    // Never short: the same snapshot writes the same text (a shorter one would leave zeros).
    if (blob->written() != bytes) return std::unexpected(make_error(ErrorCode::io, "the snapshot's text changed while it was saved"));
    return {};
  });  // the blob and the statements are closed when the body returns, before the commit
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
  auto snapshot = decode_snapshot(select->text(2), columns, why);
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
