#include "airtable/webhooks_json.hpp"

#include <algorithm>
#include <optional>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "airtable/json_body.hpp"
#include "json/fields_json.hpp"
#include "json/member.hpp"

namespace airreg::airtable {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

WebhookInfo webhook_from(element e) {
  WebhookInfo w;
  w.id = json::text_at(e, "id");
  w.mac_secret_base64 = json::text_at(e, "macSecretBase64");
  w.notification_url = json::text_at(e, "notificationUrl");
  w.expiration_time = json::text_at(e, "expirationTime");
  int64_t cursor = 0;
  if (e["cursorForNextPayload"].get(cursor) == simdjson::SUCCESS) w.cursor_for_next_payload = cursor;
  return w;
}

// A select option in a payload ({"id","name","color"}, webhooks' cell format V2) as the
// records API gives it: its name.
std::optional<std::string> option_name(element e) {
  std::string_view name;
  if (e.is_object() && e["name"].get(name) == simdjson::SUCCESS) return std::string(name);
  return std::nullopt;
}

// A payload's cells as the records API gives them: select options by name; a null (a cleared
// cell) is left out and listed in `cleared`.
Fields payload_cells(object cells, std::vector<std::string>* cleared) {
  Fields out;
  for (auto [field, value] : cells) {
    std::string id(field);
    if (value.is_null()) {
      if (cleared) cleared->push_back(std::move(id));
      continue;
    }
    if (auto name = option_name(value)) {
      out.emplace(std::move(id), std::move(*name));
      continue;
    }
    simdjson::dom::array items;
    if (value.get(items) == simdjson::SUCCESS && items.size() > 0 && option_name(items.at(0).value_unsafe())) {
      std::vector<std::string> names;
      for (element item : items)
        if (auto name = option_name(item)) names.push_back(std::move(*name));
      out.emplace(std::move(id), std::move(names));
      continue;
    }
    out.emplace(std::move(id), json::cell_from(value));
  }
  return out;
}

// One table's changes of a payload: created, changed and destroyed records.
void table_changes(const std::string& table_id, object table, std::vector<RecordChange>& out) {
  object records;
  if (table["createdRecordsById"].get(records) == simdjson::SUCCESS)
    for (auto [id, record] : records) {
      RecordChange c{RecordChange::Kind::created, table_id, std::string(id), {}, {}};
      object cells;
      if (record["cellValuesByFieldId"].get(cells) == simdjson::SUCCESS) c.current = payload_cells(cells, nullptr);
      out.push_back(std::move(c));
    }
  if (table["changedRecordsById"].get(records) == simdjson::SUCCESS)
    for (auto [id, record] : records) {
      RecordChange c{RecordChange::Kind::changed, table_id, std::string(id), {}, {}};
      object cells;
      if (record["current"]["cellValuesByFieldId"].get(cells) == simdjson::SUCCESS) c.current = payload_cells(cells, &c.cleared);
      // A cleared cell is null in current, or (as some payloads have it) in previous and absent from current.
      if (record["previous"]["cellValuesByFieldId"].get(cells) == simdjson::SUCCESS)
        for (auto [field, value] : cells)
          if (!c.current.count(std::string(field)) &&
              std::find(c.cleared.begin(), c.cleared.end(), std::string(field)) == c.cleared.end())
            c.cleared.emplace_back(field);
      out.push_back(std::move(c));
    }
  simdjson::dom::array destroyed;
  if (table["destroyedRecordIds"].get(destroyed) == simdjson::SUCCESS)
    for (element id : destroyed) {
      std::string_view text;
      if (id.get(text) == simdjson::SUCCESS)
        out.push_back(RecordChange{RecordChange::Kind::destroyed, table_id, std::string(text), {}, {}});
    }
}

}  // namespace

std::string write_webhook_body(const std::string& notification_url, const std::string& table_id) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  json::member(w, "notificationUrl", notification_url);
  json::key(w, "specification");
  w.StartObject();
  json::key(w, "options");
  w.StartObject();
  json::key(w, "filters");
  w.StartObject();
  json::key(w, "dataTypes");
  w.StartArray();
  json::value(w, "tableData");
  w.EndArray();
  json::member(w, "recordChangeScope", table_id);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(b.GetString(), b.GetSize());
}

Result<WebhookInfo> parse_webhook_created(const std::string& body) {
  return with_body(body, [](element doc) -> Result<WebhookInfo> {
    WebhookInfo w = webhook_from(doc);
    if (w.id.empty() || w.mac_secret_base64.empty()) return std::unexpected(shape_error("a webhook without an id or a MAC secret"));
    return w;
  });
}

Result<std::vector<WebhookInfo>> parse_webhooks(const std::string& body) {
  return with_body(body, [](element doc) -> Result<std::vector<WebhookInfo>> {
    simdjson::dom::array list;
    if (doc["webhooks"].get(list) != simdjson::SUCCESS) return std::unexpected(shape_error("no webhooks array"));
    std::vector<WebhookInfo> out;
    for (element e : list) out.push_back(webhook_from(e));
    return out;
  });
}

Result<std::string> parse_expiration(const std::string& body) {
  return with_body(body, [](element doc) -> Result<std::string> {
    std::string when = json::text_at(doc, "expirationTime");
    if (when.empty()) return std::unexpected(shape_error("no expirationTime"));
    return when;
  });
}

Result<WebhookPayloadPage> parse_payload_page(const std::string& body) {
  return with_body(body, [](element doc) -> Result<WebhookPayloadPage> {
    simdjson::dom::array payloads;
    if (doc["payloads"].get(payloads) != simdjson::SUCCESS) return std::unexpected(shape_error("no payloads array"));
    WebhookPayloadPage page;
    int64_t cursor = 1;
    if (doc["cursor"].get(cursor) != simdjson::SUCCESS) return std::unexpected(shape_error("no cursor"));
    page.cursor = cursor;
    bool more = false;
    if (doc["mightHaveMore"].get(more) == simdjson::SUCCESS) page.might_have_more = more;
    for (element p : payloads) {
      WebhookPayload payload;
      int64_t transaction = 0;
      if (p["baseTransactionNumber"].get(transaction) == simdjson::SUCCESS) payload.transaction = transaction;
      std::string_view text;
      if (p["actionMetadata"]["source"].get(text) == simdjson::SUCCESS) payload.source = text;
      if (p["actionMetadata"]["sourceMetadata"]["user"]["id"].get(text) == simdjson::SUCCESS) payload.user_id = text;
      object tables;
      if (p["changedTablesById"].get(tables) == simdjson::SUCCESS)
        for (auto [table_id, table] : tables) {
          object changes;
          if (table.get(changes) == simdjson::SUCCESS) table_changes(std::string(table_id), changes, payload.changes);
        }
      page.payloads.push_back(std::move(payload));
    }
    return page;
  });
}

Result<std::string> parse_whoami(const std::string& body) {
  return with_body(body, [](element doc) -> Result<std::string> {
    std::string id = json::text_at(doc, "id");
    if (id.empty()) return std::unexpected(shape_error("no user id"));
    return id;
  });
}

}  // namespace airreg::airtable
