#include "airreg/outbox.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <unordered_set>

#include <fmt/format.h>

#include "core/durable_file.hpp"
#include "core/time_text.hpp"
#include "json/fields_json.hpp"

namespace airreg {

namespace {

using core::FileLock;

std::string utc_now() { return core::format_utc(std::chrono::system_clock::now()); }

// Unique across processes and restarts: time, process and a per-process random part.
std::string new_entry_id() {
  static std::atomic<unsigned long> counter{0};
  static const unsigned long salt = std::random_device{}();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch()).count();
  return fmt::format("{:x}-{:x}-{:x}-{}", ms, ::getpid(), salt & 0xffffff, counter.fetch_add(1));
}

std::string entry_line(const OutboxEntry& e) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("id"), json::write_string(w, e.id);
  w.Key("base"), json::write_string(w, e.base_id);
  w.Key("table"), json::write_string(w, e.table);
  w.Key("merge_on");
  w.StartArray();
  for (const auto& m : e.merge_on) json::write_string(w, m);
  w.EndArray();
  w.Key("fields"), json::write_fields(w, e.fields);
  w.Key("queued_at"), json::write_string(w, e.queued_at);
  w.EndObject();
  return json::to_string(buffer) + "\n";
}

std::string done_line(const std::vector<std::string>& ids) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("done");
  w.StartArray();
  for (const auto& id : ids) json::write_string(w, id);
  w.EndArray();
  w.EndObject();
  return json::to_string(buffer) + "\n";
}

std::string rejected_line(const OutboxEntry& e, const std::string& message) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("rejected_at"), json::write_string(w, utc_now());
  w.Key("error"), json::write_string(w, message);
  w.Key("base"), json::write_string(w, e.base_id);
  w.Key("table"), json::write_string(w, e.table);
  w.Key("fields"), json::write_fields(w, e.fields);
  w.EndObject();
  return json::to_string(buffer) + "\n";
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty()) lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

Result<FileLock> lock(const std::filesystem::path& dir) {
  if (auto made = core::make_private_dir(dir); !made) return std::unexpected(made.error());
  return FileLock::acquire(dir / "outbox.lock");
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

struct Outbox::Contents {
  std::vector<std::pair<OutboxEntry, std::string_view>> entries;  // with their line
  std::unordered_set<std::string> done;
  std::vector<std::string_view> unreadable;
  size_t done_lines = 0;
  std::string text;  // the file; the views above point into it
};

Outbox::Outbox(std::filesystem::path dir) : dir_(std::move(dir)) {}

Result<Outbox::Contents> Outbox::read_locked() const {
  Contents c;
  auto text = core::read_text(path("outbox.jsonl"));
  if (!text) return std::unexpected(text.error());
  c.text = std::move(*text);
  simdjson::dom::parser parser;
  for (std::string_view line : lines_of(c.text)) {
    simdjson::dom::element doc;
    if (parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS) {
      c.unreadable.push_back(line);
      continue;
    }
    simdjson::dom::array done;
    if (doc["done"].get(done) == simdjson::SUCCESS) {
      std::string_view id;
      for (auto item : done)
        if (item.get(id) == simdjson::SUCCESS) c.done.emplace(id);
      ++c.done_lines;
      continue;
    }
    OutboxEntry e;
    e.id = json::text_at(doc, "id");
    e.base_id = json::text_at(doc, "base");
    e.table = json::text_at(doc, "table");
    e.queued_at = json::text_at(doc, "queued_at");
    simdjson::dom::array merge_on;
    simdjson::dom::object fields;
    if (e.id.empty() || e.table.empty() || doc["merge_on"].get(merge_on) != simdjson::SUCCESS ||
        doc["fields"].get(fields) != simdjson::SUCCESS) {
      c.unreadable.push_back(line);
      continue;
    }
    std::string_view m;
    for (auto item : merge_on)
      if (item.get(m) == simdjson::SUCCESS) e.merge_on.emplace_back(m);
    e.fields = json::fields_from(fields);
    c.entries.emplace_back(std::move(e), line);
  }
  return c;
}

Result<void> Outbox::append(std::vector<OutboxEntry>& entries) {
  if (entries.empty()) return {};
  std::string text;
  for (auto& e : entries) {
    if (e.id.empty()) e.id = new_entry_id();
    if (e.queued_at.empty()) e.queued_at = utc_now();
    text += entry_line(e);
  }
  std::lock_guard guard(mutex_);
  auto held = lock(dir_);
  if (!held) return std::unexpected(held.error());
  return core::append_durably(path("outbox.jsonl"), text);
}

Result<std::vector<OutboxEntry>> Outbox::waiting(const std::string& base_id) const {
  std::lock_guard guard(mutex_);
  auto held = lock(dir_);
  if (!held) return std::unexpected(held.error());
  auto c = read_locked();
  if (!c) return std::unexpected(c.error());
  std::vector<OutboxEntry> out;
  for (auto& [e, line] : c->entries)
    if (!c->done.count(e.id) && (base_id.empty() || e.base_id == base_id)) out.push_back(std::move(e));
  return out;
}

Result<void> Outbox::mark_done(const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  std::lock_guard guard(mutex_);
  auto held = lock(dir_);
  if (!held) return std::unexpected(held.error());
  return core::append_durably(path("outbox.jsonl"), done_line(ids));
}

Result<void> Outbox::reject(const std::vector<std::pair<OutboxEntry, std::string>>& rows) {
  if (rows.empty()) return {};
  std::string text;
  std::vector<std::string> ids;
  for (const auto& [entry, message] : rows) {
    text += rejected_line(entry, message);
    ids.push_back(entry.id);
  }
  {
    std::lock_guard guard(mutex_);
    auto held = lock(dir_);
    if (!held) return std::unexpected(held.error());
    // The rejected copy is on disk before the row leaves the outbox: a crash keeps one of them.
    if (auto kept = core::append_durably(path("rejected.jsonl"), text); !kept) return kept;
  }
  return mark_done(ids);
}

Result<void> Outbox::compact() {
  std::lock_guard guard(mutex_);
  auto held = lock(dir_);
  if (!held) return std::unexpected(held.error());
  auto c = read_locked();
  if (!c) return std::unexpected(c.error());
  if (c->done_lines == 0 && c->unreadable.empty()) return {};
  if (!c->unreadable.empty()) {
    std::string bad;
    for (auto line : c->unreadable) (bad += line) += '\n';
    if (auto kept = core::append_durably(path("outbox.bad.jsonl"), bad); !kept) return kept;
  }
  std::string rest;
  for (const auto& [e, line] : c->entries)
    if (!c->done.count(e.id)) (rest += line) += '\n';
  return core::replace_durably(path("outbox.jsonl"), rest);
}

Result<OutboxStatus> Outbox::status(const std::string& base_id) const {
  OutboxStatus s;
  {
    std::lock_guard guard(mutex_);
    auto held = lock(dir_);
    if (!held) return std::unexpected(held.error());
    auto c = read_locked();
    if (!c) return std::unexpected(c.error());
    for (const auto& [e, line] : c->entries) {
      if (c->done.count(e.id) || (!base_id.empty() && e.base_id != base_id)) continue;
      ++s.waiting;
      if (s.oldest.empty() || e.queued_at < s.oldest) s.oldest = e.queued_at;
    }
    s.unreadable = c->unreadable.size();
    auto rejected = core::read_text(path("rejected.jsonl"));
    if (!rejected) return std::unexpected(rejected.error());
    s.rejected = lines_of(*rejected).size();
  }
  if (s.unreadable)
    s.warnings.push_back(std::to_string(s.unreadable) + " line(s) of " + path("outbox.jsonl").string() +
                         " cannot be read; the next flush moves them to outbox.bad.jsonl");
  return s;
}

}  // namespace airreg
