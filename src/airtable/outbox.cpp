#include "airreg/outbox.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>

#include <fmt/format.h>

#include "core/durable_file.hpp"
#include "core/sqlite_db.hpp"
#include "core/time_text.hpp"
#include "json/fields_json.hpp"

namespace airreg {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  base TEXT NOT NULL,
  tbl TEXT NOT NULL,
  merge_on TEXT NOT NULL,
  record_id TEXT NOT NULL,
  fields TEXT NOT NULL,
  expect TEXT NOT NULL,
  queued_at TEXT NOT NULL,
  label TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  base TEXT NOT NULL,
  tbl TEXT NOT NULL,
  merge_on TEXT NOT NULL,
  record_id TEXT NOT NULL,
  fields TEXT NOT NULL,
  expect TEXT NOT NULL,
  queued_at TEXT NOT NULL,
  label TEXT NOT NULL,
  error TEXT NOT NULL,
  rejected_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_base ON outbox (base, seq);
)sql";

// A macro so that the statements below are single literals (GCC 12 warned, wrongly, about
// std::string concatenations of them).
#define AIRREG_OUTBOX_COLUMNS "id, base, tbl, merge_on, record_id, fields, expect, queued_at, label"

std::string utc_now() { return core::format_utc(std::chrono::system_clock::now()); }

// Unique across processes and restarts: time, process and a per-process random part.
std::string new_entry_id() {
  static std::atomic<unsigned long> counter{0};
  static const unsigned long salt = std::random_device{}();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch()).count();
  return fmt::format("{:x}-{:x}-{:x}-{}", ms, ::getpid(), salt & 0xffffff, counter.fetch_add(1));
}

std::string fields_text(const Fields& fields) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  json::write_fields(w, fields);
  return json::to_string(buffer);
}

std::string list_text(const std::vector<std::string>& items) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartArray();
  for (const auto& i : items) json::write_string(w, i);
  w.EndArray();
  return json::to_string(buffer);
}

// Binds an entry to parameters 1..9 in AIRREG_OUTBOX_COLUMNS' order.
void bind_entry(core::Statement& s, const OutboxEntry& e) {
  s.bind(1, e.id).bind(2, e.base_id).bind(3, e.table).bind(4, list_text(e.merge_on)).bind(5, e.record_id);
  s.bind(6, fields_text(e.fields)).bind(7, fields_text(e.expect)).bind(8, e.queued_at).bind(9, e.label);
}

// Reads AIRREG_OUTBOX_COLUMNS from column `first` on; a cell that is not the JSON we wrote is
// an error. With OutboxCells::keys, only the cells the row is merged on are decoded.
Result<OutboxEntry> read_entry(const core::Statement& s, int first, simdjson::dom::parser& parser,
                               OutboxCells cells = OutboxCells::all) {
  OutboxEntry e;
  e.id = s.text(first);
  e.base_id = s.text(first + 1);
  e.table = s.text(first + 2);
  e.record_id = s.text(first + 4);
  e.queued_at = s.text(first + 7);
  e.label = s.text(first + 8);
  auto broken = [&](const char* what) {
    return std::unexpected(make_error(ErrorCode::parse, "outbox row " + e.id + ": its " + what + " is not JSON"));
  };
  simdjson::dom::array merge_on;
  if (parser.parse(s.text(first + 3)).get(merge_on) != simdjson::SUCCESS) return broken("merge_on");
  for (auto item : merge_on) {
    std::string_view m;
    if (item.get(m) == simdjson::SUCCESS) e.merge_on.emplace_back(m);
  }
  simdjson::dom::object object;
  if (parser.parse(s.text(first + 5)).get(object) != simdjson::SUCCESS) return broken("fields");
  if (cells == OutboxCells::keys) {
    for (const auto& m : e.merge_on)
      if (simdjson::dom::element cell; object.at_key(m).get(cell) == simdjson::SUCCESS) e.fields.emplace(m, json::cell_from(cell));
    return e;
  }
  e.fields = json::fields_from(object);
  if (parser.parse(s.text(first + 6)).get(object) != simdjson::SUCCESS) return broken("expect");
  e.expect = json::fields_from(object);
  return e;
}

// Runs the statement once per item, bound by `bind(statement, item)`.
template <typename Items, typename Bind>
Result<void> run_each(core::Statement& statement, const Items& items, Bind bind) {
  for (const auto& item : items) {
    bind(statement, item);
    if (auto ran = statement.run(); !ran) return ran;
    statement.reset();
  }
  return {};
}

// Steps through a SELECT, calling `take(statement)` for each row; stops at its first error.
template <typename Take>
Result<void> each_row(core::Statement& select, Take take) {
  for (;;) {
    auto row = select.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return {};
    if (auto taken = take(select); !taken) return taken;
  }
}

}  // namespace

Result<std::filesystem::path> default_state_dir() {
  if (const char* d = std::getenv("AIRREG_STATE_DIR"); d && *d) return std::filesystem::path(d);
  if (const char* d = std::getenv("XDG_STATE_HOME"); d && *d) return std::filesystem::path(d) / "airreg";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".local" / "state" / "airreg";
  return std::unexpected(make_error(ErrorCode::config,
                                    "no state directory: set AIRREG_STATE_DIR, XDG_STATE_HOME or HOME, or pass --state-dir"));
}

struct Outbox::Store {
  core::Database db;
  simdjson::dom::parser parser;
};

Outbox::Outbox(std::filesystem::path dir) : dir_(std::move(dir)) {}
Outbox::~Outbox() = default;

Result<Outbox::Store*> Outbox::store() const {
  if (store_) return store_.get();
  if (auto made = core::make_state_dir(dir_); !made) return std::unexpected(made.error());
  auto db = core::Database::open(database(), kSchema);
  if (!db) return std::unexpected(db.error());
  store_ = std::make_unique<Store>(Store{std::move(*db), simdjson::dom::parser{}});
  return store_.get();
}

Result<void> Outbox::append(std::vector<OutboxEntry>& entries) {
  if (entries.empty()) return {};
  for (auto& e : entries) {
    if (e.id.empty()) e.id = new_entry_id();
    if (e.queued_at.empty()) e.queued_at = utc_now();
  }
  std::lock_guard guard(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto& db = (*s)->db;
  return in_transaction(db, [&]() -> Result<void> {
    auto insert = db.prepare("INSERT INTO outbox (" AIRREG_OUTBOX_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?)");
    if (!insert) return std::unexpected(insert.error());
    return run_each(*insert, entries, bind_entry);
  });
}

Result<std::vector<OutboxEntry>> Outbox::waiting(const std::string& base_id) const {
  std::vector<OutboxEntry> out;
  auto read = each_waiting(base_id, OutboxCells::all, [&](OutboxEntry& e) { out.push_back(std::move(e)); });
  if (!read) return std::unexpected(read.error());
  return out;
}

Result<void> Outbox::each_waiting(const std::string& base_id, OutboxCells cells,
                                  const std::function<void(OutboxEntry&)>& take) const {
  std::lock_guard guard(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto select = (*s)->db.prepare("SELECT " AIRREG_OUTBOX_COLUMNS " FROM outbox WHERE ?1 = '' OR base = ?1 ORDER BY seq");
  if (!select) return std::unexpected(select.error());
  select->bind(1, base_id);
  return each_row(*select, [&](const core::Statement& row) -> Result<void> {
    auto e = read_entry(row, 0, (*s)->parser, cells);
    if (!e) return std::unexpected(e.error());
    take(*e);
    return {};
  });
}

Result<std::vector<OutboxEntry>> Outbox::entries(const std::vector<std::string>& ids) const {
  std::lock_guard guard(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto select = (*s)->db.prepare("SELECT seq, " AIRREG_OUTBOX_COLUMNS " FROM outbox WHERE id = ?1");
  if (!select) return std::unexpected(select.error());
  std::vector<std::pair<int64_t, OutboxEntry>> found;  // by the index on id, then in queue order
  for (const auto& id : ids) {
    select->bind(1, id);
    auto read = each_row(*select, [&](const core::Statement& row) -> Result<void> {
      auto e = read_entry(row, 1, (*s)->parser);
      if (!e) return std::unexpected(e.error());
      found.emplace_back(row.integer(0), std::move(*e));
      return {};
    });
    if (!read) return std::unexpected(read.error());
    select->reset();
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<OutboxEntry> out;
  out.reserve(found.size());
  for (auto& [seq, e] : found) out.push_back(std::move(e));
  return out;
}

Result<void> Outbox::mark_done(const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  std::lock_guard guard(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto& db = (*s)->db;
  return in_transaction(db, [&]() -> Result<void> {
    auto remove = db.prepare("DELETE FROM outbox WHERE id = ?");
    if (!remove) return std::unexpected(remove.error());
    return run_each(*remove, ids, [](core::Statement& st, const std::string& id) { st.bind(1, id); });
  });
}

Result<void> Outbox::rewrite(const OutboxEntry& entry) {
  std::lock_guard guard(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto update = (*s)->db.prepare("UPDATE outbox SET fields = ?1, expect = ?2 WHERE id = ?3");
  if (!update) return std::unexpected(update.error());
  update->bind(1, fields_text(entry.fields)).bind(2, fields_text(entry.expect)).bind(3, entry.id);
  return update->run();
}

Result<void> Outbox::reject(const std::vector<std::pair<OutboxEntry, std::string>>& rows) {
  if (rows.empty()) return {};
  std::lock_guard guard(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto& db = (*s)->db;
  std::string now = utc_now();
  // One transaction: a crash keeps the row either waiting or refused, never neither.
  return in_transaction(db, [&]() -> Result<void> {
    auto insert = db.prepare("INSERT INTO rejected (" AIRREG_OUTBOX_COLUMNS ", error, rejected_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    auto remove = db.prepare("DELETE FROM outbox WHERE id = ?");
    if (!insert) return std::unexpected(insert.error());
    if (!remove) return std::unexpected(remove.error());
    auto kept = run_each(*insert, rows, [&](core::Statement& st, const auto& row) {
      bind_entry(st, row.first);
      st.bind(10, row.second).bind(11, now);
    });
    if (!kept) return kept;
    return run_each(*remove, rows, [](core::Statement& st, const auto& row) { st.bind(1, row.first.id); });
  });
}

Result<std::vector<RejectedEntry>> Outbox::rejected(const std::string& base_id) const {
  std::lock_guard guard(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto select = (*s)->db.prepare("SELECT " AIRREG_OUTBOX_COLUMNS ", error, rejected_at FROM rejected WHERE ?1 = '' OR base = ?1 ORDER BY seq");
  if (!select) return std::unexpected(select.error());
  select->bind(1, base_id);
  std::vector<RejectedEntry> out;
  auto read = each_row(*select, [&](const core::Statement& row) -> Result<void> {
    auto e = read_entry(row, 0, (*s)->parser);
    if (!e) return std::unexpected(e.error());
    out.push_back(RejectedEntry{std::move(*e), row.text(9), row.text(10)});
    return {};
  });
  if (!read) return std::unexpected(read.error());
  return out;
}

Result<size_t> Outbox::requeue_rejected(const std::string& base_id) {
  std::lock_guard guard(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto& db = (*s)->db;
  size_t moved = 0;
  auto done = in_transaction(db, [&]() -> Result<void> {
    // Back at the end of the queue, under a new id (the old one may still be in a done list).
    auto rows = db.prepare("SELECT seq, " AIRREG_OUTBOX_COLUMNS " FROM rejected WHERE ?1 = '' OR base = ?1 ORDER BY seq");
    if (!rows) return std::unexpected(rows.error());
    rows->bind(1, base_id);
    std::vector<std::pair<int64_t, OutboxEntry>> entries;
    auto read = each_row(*rows, [&](const core::Statement& row) -> Result<void> {
      auto e = read_entry(row, 1, (*s)->parser);
      if (!e) return std::unexpected(e.error());
      entries.emplace_back(row.integer(0), std::move(*e));
      return {};
    });
    if (!read) return read;
    auto insert = db.prepare("INSERT INTO outbox (" AIRREG_OUTBOX_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?)");
    auto remove = db.prepare("DELETE FROM rejected WHERE seq = ?");
    if (!insert) return std::unexpected(insert.error());
    if (!remove) return std::unexpected(remove.error());
    for (auto& [seq, e] : entries) e.id = new_entry_id();
    auto back = run_each(*insert, entries, [](core::Statement& st, const auto& item) { bind_entry(st, item.second); });
    if (!back) return back;
    moved = entries.size();
    return run_each(*remove, entries, [](core::Statement& st, const auto& item) { st.bind(1, item.first); });
  });
  if (!done) return std::unexpected(done.error());
  return moved;
}

Result<OutboxStatus> Outbox::status(const std::string& base_id) const {
  OutboxStatus out;
  std::lock_guard guard(mutex_);
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto waiting = (*s)->db.prepare("SELECT COUNT(*), MIN(queued_at) FROM outbox WHERE ?1 = '' OR base = ?1");
  if (!waiting) return std::unexpected(waiting.error());
  waiting->bind(1, base_id);
  if (auto row = waiting->step(); !row) return std::unexpected(row.error());
  out.waiting = static_cast<size_t>(waiting->integer(0));
  out.oldest = waiting->text(1);
  auto refused = (*s)->db.prepare("SELECT COUNT(*) FROM rejected WHERE ?1 = '' OR base = ?1");
  if (!refused) return std::unexpected(refused.error());
  refused->bind(1, base_id);
  if (auto row = refused->step(); !row) return std::unexpected(row.error());
  out.rejected = static_cast<size_t>(refused->integer(0));
  // airreg 0.1 kept its queue in JSON lines without compare-and-set values: those rows are
  // not replayed (they could overwrite a person's edit); the next sync writes them again.
  auto legacy = core::read_text(dir_ / "outbox.jsonl");
  if (legacy && !legacy->empty())
    out.warnings.push_back((dir_ / "outbox.jsonl").string() + " is a queue of airreg 0.1 (" +
                           std::to_string(legacy->size()) +
                           " bytes); it is not replayed, since its rows could overwrite a person's edits: run "
                           "`airreg sync` to write them again, then delete the file");
  return out;
}

}  // namespace airreg
