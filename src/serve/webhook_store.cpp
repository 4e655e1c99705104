#include "serve/webhook_store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include "core/durable_file.hpp"
#include "core/sqlite_db.hpp"
#include "json/fields_json.hpp"
#include "json/member.hpp"

namespace airreg::serve {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS webhooks (
  base TEXT PRIMARY KEY,
  id TEXT NOT NULL,
  secret TEXT NOT NULL,
  url TEXT NOT NULL,
  expires TEXT NOT NULL,
  cursor INTEGER NOT NULL
);
)sql";

constexpr auto kSharedFor = std::chrono::hours(24 * 30);

std::string encode(const WebhookState& s) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  json::member(w, "id", s.id);
  json::member(w, "secret", s.secret_base64);
  json::member(w, "url", s.url);
  json::member(w, "expires", s.expires);
  json::member(w, "cursor", s.cursor);
  w.EndObject();
  return std::string(b.GetString(), b.GetSize());
}

std::optional<WebhookState> decode(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(body).get(e) != simdjson::SUCCESS) return std::nullopt;
  WebhookState s{json::text_at(e, "id"), json::text_at(e, "secret"), json::text_at(e, "url"), json::text_at(e, "expires"), 1};
  int64_t cursor = 1;
  if (e["cursor"].get(cursor) == simdjson::SUCCESS) s.cursor = cursor;
  if (s.id.empty() || s.secret_base64.empty()) return std::nullopt;
  return s;
}

}  // namespace

struct WebhookStore::Db {
  core::Database db;
};

WebhookStore::WebhookStore(std::filesystem::path state_dir, std::string base_id, std::shared_ptr<fleet::Fleet> fleet)
    : state_dir_(std::move(state_dir)), base_id_(std::move(base_id)), fleet_(std::move(fleet)) {}

WebhookStore::~WebhookStore() = default;

WebhookStore::Db* WebhookStore::db() {
  if (db_) return db_.get();
  if (!core::make_state_dir(state_dir_)) return nullptr;
  auto opened = core::Database::open(state_dir_ / "state.db", kSchema);
  if (!opened) return nullptr;
  db_ = std::make_unique<Db>(Db{std::move(*opened)});
  return db_.get();
}

std::optional<WebhookState> WebhookStore::load() {
  // The fleet's first: another instance may have read payloads since.
  if (fleet_->shared())
    if (auto body = fleet_->value("webhook"))
      if (auto s = decode(*body)) return s;
  std::lock_guard lock(mutex_);
  auto* d = db();
  if (!d) return std::nullopt;
  auto select = d->db.prepare("SELECT id, secret, url, expires, cursor FROM webhooks WHERE base = ?1");
  if (!select) return std::nullopt;
  select->bind(1, base_id_);
  auto row = select->step();
  if (!row || !*row) return std::nullopt;
  return WebhookState{select->text(0), select->text(1), select->text(2), select->text(3), select->integer(4)};
}

void WebhookStore::save(const WebhookState& state) {
  if (fleet_->shared()) fleet_->put_value("webhook", encode(state), kSharedFor);
  std::lock_guard lock(mutex_);
  auto* d = db();
  if (!d) return;
  auto upsert = d->db.prepare(
      "INSERT INTO webhooks (base, id, secret, url, expires, cursor) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT(base) DO UPDATE SET id = ?2, secret = ?3, url = ?4, expires = ?5, cursor = ?6");
  if (!upsert) return;
  upsert->bind(1, base_id_).bind(2, state.id).bind(3, state.secret_base64).bind(4, state.url).bind(5, state.expires)
      .bind(6, static_cast<int64_t>(state.cursor));
  (void)upsert->run();
}

void WebhookStore::forget() {
  if (fleet_->shared()) fleet_->put_value("webhook", "{}", std::chrono::milliseconds(1000));
  std::lock_guard lock(mutex_);
  auto* d = db();
  if (!d) return;
  auto remove = d->db.prepare("DELETE FROM webhooks WHERE base = ?1");
  if (!remove) return;
  remove->bind(1, base_id_);
  (void)remove->run();
}

}  // namespace airreg::serve
