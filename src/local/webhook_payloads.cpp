#include "webhook_payloads.hpp"

#include <algorithm>

#include "http_url.hpp"
#include "json_out.hpp"

namespace airtable_local {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

void write_choice(JsonWriter& w, const Field& field, const std::string& name) {
  w.StartObject();
  auto it = std::find_if(field.choices.begin(), field.choices.end(),
                         [&](const Choice& c) { return c.name == name; });
  if (it != field.choices.end()) write_member(w, "id", it->id);
  write_member(w, "name", name);
  if (it != field.choices.end() && !it->color.empty()) write_member(w, "color", it->color);
  w.EndObject();
}

// Webhooks send select options as {id, name, color} objects (Airtable's cell format V2);
// every other type airtable-local has looks as it does in the records API.
void write_cell_v2(JsonWriter& w, const Table& table, const std::string& field_id, const Cell& cell) {
  const Field* field = nullptr;
  for (const auto& f : table.fields)
    if (f.id == field_id) field = &f;
  if (field && field->type == "singleSelect" && std::holds_alternative<std::string>(cell)) {
    write_choice(w, *field, std::get<std::string>(cell));
  } else if (field && field->type == "multipleSelects" &&
             std::holds_alternative<std::vector<std::string>>(cell)) {
    w.StartArray();
    for (const auto& name : std::get<std::vector<std::string>>(cell)) write_choice(w, *field, name);
    w.EndArray();
  } else {
    write_cell(w, cell);
  }
}

// {"cellValuesByFieldId":{...}} for the given fields; an empty cell is null (a cleared or a
// not yet set value), as the V2 format allows.
void write_cells(JsonWriter& w, const Table& table, const std::map<std::string, Cell>& cells,
                 const std::vector<std::string>& field_ids) {
  w.StartObject();
  write_key(w, "cellValuesByFieldId");
  w.StartObject();
  for (const auto& id : field_ids) {
    write_key(w, id);
    auto it = cells.find(id);
    if (it == cells.end()) {
      w.Null();
    } else {
      write_cell_v2(w, table, id, it->second);
    }
  }
  w.EndObject();
  w.EndObject();
}

// The unchanged cells a specification asks for with includeCellValuesInFieldIds.
std::vector<std::string> unchanged_fields(const WebhookSpec& spec, const RecordChange& change,
                                          const std::vector<std::string>& changed) {
  std::vector<std::string> out;
  for (const auto& [id, cell] : change.after) {
    if (contains(changed, id)) continue;
    if (spec.include_all_cell_values || contains(spec.include_cell_field_ids, id)) out.push_back(id);
  }
  return out;
}

bool allows(const WebhookSpec& spec, const char* change_type) {
  return spec.change_types.empty() || contains(spec.change_types, change_type);
}

// The changed records a webhook sees: those with a change in a watched field, limited to them.
struct SeenChange {
  const RecordChange* change;
  std::vector<std::string> fields;
};

std::vector<SeenChange> seen_changes(const WebhookSpec& spec, const TableChanges& changes) {
  std::vector<SeenChange> out;
  if (!allows(spec, "update")) return out;
  for (const auto& c : changes.changed) {
    auto fields = changed_field_ids(c.before, c.after);
    if (!spec.watch_data_field_ids.empty())
      std::erase_if(fields, [&](const std::string& id) { return !contains(spec.watch_data_field_ids, id); });
    if (!fields.empty()) out.push_back({&c, std::move(fields)});
  }
  return out;
}

// The members of one table (or view) in changedTablesById, each only when not empty.
void write_change_members(JsonWriter& w, const Table& table, const WebhookSpec& spec,
                          const TableChanges& changes, const std::vector<SeenChange>& seen) {
  if (allows(spec, "add") && !changes.created.empty()) {
    write_key(w, "createdRecordsById");
    w.StartObject();
    for (const auto& c : changes.created) {
      write_key(w, c.id);
      w.StartObject();
      write_member(w, "createdTime", c.created_time);
      write_key(w, "cellValuesByFieldId");
      w.StartObject();
      for (const auto& [id, cell] : c.after) {
        write_key(w, id);
        write_cell_v2(w, table, id, cell);
      }
      w.EndObject();
      w.EndObject();
    }
    w.EndObject();
  }
  if (!seen.empty()) {
    write_key(w, "changedRecordsById");
    w.StartObject();
    for (const auto& [change, fields] : seen) {
      write_key(w, change->id);
      w.StartObject();
      write_key(w, "current");
      write_cells(w, table, change->after, fields);
      if (spec.include_previous_cell_values) {
        write_key(w, "previous");
        write_cells(w, table, change->before, fields);
      }
      auto unchanged = unchanged_fields(spec, *change, fields);
      if (!unchanged.empty()) {
        write_key(w, "unchanged");
        write_cells(w, table, change->after, unchanged);
      }
      w.EndObject();
    }
    w.EndObject();
  }
  if (allows(spec, "remove") && !changes.destroyed.empty()) {
    write_key(w, "destroyedRecordIds");
    w.StartArray();
    for (const auto& id : changes.destroyed) write_string(w, id);
    w.EndArray();
  }
}

bool has_content(const WebhookSpec& spec, const TableChanges& changes, const std::vector<SeenChange>& seen) {
  return (allows(spec, "add") && !changes.created.empty()) || !seen.empty() ||
         (allows(spec, "remove") && !changes.destroyed.empty());
}

std::string render_payload(const Base& base, const Table& table, const WebhookSpec& spec,
                           const TableChanges& changes, const std::vector<SeenChange>& seen,
                           const UserIdentity& user, SysTime now) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_member(w, "timestamp", format_datetime(now));
  write_key(w, "baseTransactionNumber");
  w.Int64(base.transaction_number);
  write_key(w, "actionMetadata");
  w.StartObject();
  write_member(w, "source", "publicApi");
  write_key(w, "sourceMetadata");
  w.StartObject();
  write_key(w, "user");
  w.StartObject();
  write_member(w, "id", user.id);
  write_member(w, "email", user.email);
  // Whoever holds a token airtable-local accepts may create, as a base creator may.
  write_member(w, "permissionLevel", "create");
  w.EndObject();
  w.EndObject();
  w.EndObject();
  write_member(w, "payloadFormat", "v0");
  write_key(w, "changedTablesById");
  w.StartObject();
  write_key(w, table.id);
  w.StartObject();
  write_change_members(w, table, spec, changes, seen);
  // A webhook scoped to a view also gets the change under the view (every record is in
  // airtable-local's one view).
  if (!spec.scope_view_id.empty()) {
    write_key(w, "changedViewsById");
    w.StartObject();
    write_key(w, spec.scope_view_id);
    w.StartObject();
    write_change_members(w, table, spec, changes, seen);
    w.EndObject();
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::optional<PingTarget> ping_target(const Base& base, const Webhook& hook, SysTime now) {
  auto url = parse_http_url(hook.notification_url);
  if (!hook.enabled(now) || !hook.notifications_enabled || !url || !url->is_loopback())
    return std::nullopt;
  return PingTarget{base.id, hook.id, hook.notification_url, hook.mac_secret_base64};
}

std::vector<PingTarget> record_payloads(Base& base, const Table& table, const TableChanges& changes,
                                        const UserIdentity& user, SysTime now) {
  std::vector<PingTarget> pings;
  if (changes.empty()) return pings;
  ++base.transaction_number;
  for (auto& hook : base.webhooks) {
    const WebhookSpec& spec = hook.spec;
    if (!hook.enabled(now) || !contains(spec.data_types, "tableData")) continue;
    if (!spec.scope_table_id.empty() && spec.scope_table_id != table.id) continue;
    if (!spec.from_sources.empty() && !contains(spec.from_sources, "publicApi")) continue;
    auto seen = seen_changes(spec, changes);
    if (!has_content(spec, changes, seen)) continue;
    hook.payloads.push_back({hook.next_cursor, render_payload(base, table, spec, changes, seen, user, now)});
    ++hook.next_cursor;
    while (hook.payloads.size() > kMaxPayloadsPerWebhook) hook.payloads.pop_front();
    if (auto target = ping_target(base, hook, now)) pings.push_back(std::move(*target));
  }
  return pings;
}

}  // namespace airtable_local
