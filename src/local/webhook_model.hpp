// The webhooks of a base as airtable-local keeps them: what each one watches, its payloads
// (kept as the JSON they are listed as) and the state of its notification pings.
// Plain data; not thread-safe on its own (Service guards it with the store's lock).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace airtable_local {

// The parts of a webhook's specification airtable-local acts on (see webhook_spec.hpp).
struct WebhookSpec {
  std::string json;                     // options as sent, minified; listed back unchanged
  std::vector<std::string> data_types;  // tableData, tableFields, tableMetadata
  std::string scope_table_id;           // empty: every table of the base
  std::string scope_view_id;            // set when the scope was given as a view
  std::vector<std::string> change_types;          // add, remove, update; empty: all
  std::vector<std::string> from_sources;          // empty: all
  std::vector<std::string> watch_data_field_ids;  // empty: all fields
  bool include_previous_cell_values = false;
  bool include_all_cell_values = false;             // includeCellValuesInFieldIds: "all"
  std::vector<std::string> include_cell_field_ids;  // includeCellValuesInFieldIds: [...]
};

struct WebhookPayload {
  int64_t cursor = 0;  // its transaction number for the webhook, from 1
  std::string json;    // the payload object, as listed
};

// Airtable's lastNotificationResult.
struct NotificationResult {
  bool success = false;
  std::string error;  // when it failed
  std::chrono::system_clock::time_point completed;
  int64_t duration_ms = 0;
  int retry_number = 0;
  bool will_be_retried = false;
};

struct Webhook {
  std::string id;                 // ach...
  std::string mac_secret_base64;  // the key of the pings' HMAC, base64 as handed out
  std::string notification_url;   // empty: no pings
  WebhookSpec spec;
  bool spec_valid = true;  // false when a reloaded specification no longer fits the base
  std::chrono::system_clock::time_point expiration;
  bool notifications_enabled = true;
  std::optional<std::chrono::system_clock::time_point> last_successful_notification;
  std::optional<NotificationResult> last_result;
  int64_t next_cursor = 1;  // cursorForNextPayload: never reset, even when payloads are dropped
  std::deque<WebhookPayload> payloads;

  // Airtable turns a webhook off when it expired or its specification became invalid.
  bool enabled(std::chrono::system_clock::time_point now) const {
    return spec_valid && now < expiration;
  }
};

}  // namespace airtable_local
