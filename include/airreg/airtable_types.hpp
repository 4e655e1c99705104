// Values as the Airtable Web API carries them: records with typed cells, and the base schema
// (tables and fields) from the meta API. Plain values; thread-safe to copy.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace airreg {

// A cell: empty, checkbox, number, text (also dates, ISO 8601), or a list (multipleSelects).
using FieldValue = std::variant<std::monostate, bool, double, std::string, std::vector<std::string>>;
// Cells by field name, or by field id when the request asked for ids.
using Fields = std::map<std::string, FieldValue>;

struct AirtableRecord {
  std::string id;
  std::string created_time;
  Fields fields;
};

// The cells of records a caller read, lent by pointer for the length of one call (the
// writer's diff and compare-and-set): a caller holding a table snapshot need not copy its
// records (10,000 of them are 10 MB of cells). Null entries are ignored.
using ReadCells = std::vector<const Fields*>;
ReadCells cells_of(const std::vector<AirtableRecord>& records);

struct FieldSpec {
  std::string id;
  std::string name;
  std::string type;
  std::string description;
  std::string options_json;          // the options object, minified; empty when none
  std::vector<std::string> choices;  // select fields: the choice names
};

struct TableSpec {
  std::string id;
  std::string name;
  std::string description;
  std::string primary_field_id;
  std::vector<FieldSpec> fields;

  const FieldSpec* field_by_name(const std::string& name) const;
  const FieldSpec* field_by_id(const std::string& id) const;
};

// A webhook on a base (Airtable's webhooks API).
struct WebhookInfo {
  std::string id;                 // ach...
  std::string mac_secret_base64;  // only in the answer that created it: keep it
  std::string notification_url;
  std::string expiration_time;    // ISO 8601, UTC
  long long cursor_for_next_payload = 1;
};

// What one change to a base did to one record, from a webhook payload.
struct RecordChange {
  enum class Kind { created, changed, destroyed };
  Kind kind = Kind::changed;
  std::string table_id;
  std::string record_id;
  Fields current;                    // cells by field id: all of a created record, the changed ones otherwise
  std::vector<std::string> cleared;  // field ids emptied by the change
};

struct WebhookPayload {
  long long transaction = 0;    // baseTransactionNumber
  std::string source;           // actionMetadata.source: publicApi, client, automation, ...
  std::string user_id;          // actionMetadata.sourceMetadata.user.id, when a user made it
  std::vector<RecordChange> changes;
};

struct WebhookPayloadPage {
  std::vector<WebhookPayload> payloads;
  long long cursor = 1;         // to ask for the next ones
  bool might_have_more = false;
};

}  // namespace airreg
