// Creating, updating, upserting and deleting records. Every request is checked in full on a
// scratch copy of the fields before anything is applied, so a bad record changes nothing.
#include <algorithm>

#include "field_values.hpp"
#include "json_out.hpp"
#include "records_api.hpp"

namespace airtable_local {

namespace {

using simdjson::dom::element;
constexpr size_t kMaxRecordsPerRequest = 10;

// Cell changes of one record: nullopt clears the cell.
using Changes = std::map<std::string, std::optional<Cell>>;

struct WriteBody {
  std::vector<element> records;
  bool typecast = false;
  bool by_field_id = false;
  std::optional<std::vector<std::string>> merge_on;  // performUpsert.fieldsToMergeOn
};

std::expected<WriteBody, ApiError> parse_write_body(element body) {
  WriteBody out;
  simdjson::dom::object obj;
  if (body.get(obj) != simdjson::SUCCESS)
    return std::unexpected(invalid_request("the request body must be a JSON object"));
  bool b;
  if (obj["typecast"].error() == simdjson::SUCCESS) {
    if (obj["typecast"].get(b) != simdjson::SUCCESS)
      return std::unexpected(invalid_request("typecast must be a boolean"));
    out.typecast = b;
  }
  if (obj["returnFieldsByFieldId"].get(b) == simdjson::SUCCESS) out.by_field_id = b;
  simdjson::dom::array arr;
  if (obj["records"].get(arr) == simdjson::SUCCESS) {
    for (element r : arr) out.records.push_back(r);
    if (out.records.empty() || out.records.size() > kMaxRecordsPerRequest)
      return std::unexpected(ApiError{422, "INVALID_RECORDS",
                                      "You must send between 1 and 10 records per request, not " +
                                          std::to_string(out.records.size())});
  } else if (obj["records"].error() == simdjson::SUCCESS) {
    return std::unexpected(ApiError{422, "INVALID_RECORDS", "records must be an array"});
  }
  element upsert;
  if (obj["performUpsert"].get(upsert) == simdjson::SUCCESS) {
    simdjson::dom::array merge;
    if (upsert["fieldsToMergeOn"].get(merge) != simdjson::SUCCESS)
      return std::unexpected(invalid_request("performUpsert.fieldsToMergeOn must be an array"));
    std::vector<std::string> names;
    for (element m : merge) {
      std::string_view s;
      if (m.get(s) != simdjson::SUCCESS)
        return std::unexpected(invalid_request("fieldsToMergeOn must hold field names"));
      names.emplace_back(s);
    }
    if (names.empty() || names.size() > 3)
      return std::unexpected(
          invalid_request("performUpsert.fieldsToMergeOn must name between 1 and 3 fields"));
    out.merge_on = std::move(names);
  }
  return out;
}

std::expected<Changes, ApiError> parse_changes(Table& scratch, element record, bool typecast,
                                               IdGenerator& ids) {
  simdjson::dom::object fields;
  auto found = record["fields"];
  if (found.error() == simdjson::NO_SUCH_FIELD) return Changes{};
  if (found.get(fields) != simdjson::SUCCESS)
    return std::unexpected(ApiError{422, "INVALID_RECORDS", "each record's fields must be an object"});
  Changes changes;
  for (auto [key, value] : fields) {
    Field* f = scratch.find_field(key);
    if (!f) return std::unexpected(unknown_field(std::string(key)));
    auto cell = coerce_cell(*f, value, typecast, ids);
    if (!cell) return std::unexpected(cell.error());
    changes[f->id] = std::move(*cell);
  }
  return changes;
}

std::map<std::string, Cell> apply(const std::map<std::string, Cell>& old, const Changes& changes,
                                  bool replace) {
  std::map<std::string, Cell> cells = replace ? std::map<std::string, Cell>{} : old;
  for (const auto& [id, cell] : changes) {
    if (cell) {
      cells[id] = *cell;
    } else {
      cells.erase(id);
    }
  }
  return cells;
}

// One record of a write request, ready to apply.
struct Planned {
  std::string id;  // existing record, or the id the new record will get
  bool create = false;
  std::map<std::string, Cell> cells;
};

std::string render(const Table& table, const std::vector<Planned>& plan, bool by_field_id,
                   bool upsert, bool single) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  auto record_of = [&](const Planned& p) -> const Record& { return *table.find_record(p.id); };
  if (single) {
    write_record(w, table, record_of(plan.front()), by_field_id);
    return std::string(buffer.GetString(), buffer.GetSize());
  }
  w.StartObject();
  if (upsert) {
    for (bool created : {true, false}) {
      write_key(w, created ? "createdRecords" : "updatedRecords");
      w.StartArray();
      for (const auto& p : plan)
        if (p.create == created) write_string(w, p.id);
      w.EndArray();
    }
  }
  write_key(w, "records");
  w.StartArray();
  for (const auto& p : plan) write_record(w, table, record_of(p), by_field_id);
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Applies the plan. Only cells whose value differs get a new modified time, and only records
// with such a cell count as changed: a write of the values already there changes nothing.
void commit(Table& table, Table& scratch, std::vector<Planned>& plan, SysTime now,
            TableChanges& effects) {
  table.fields = std::move(scratch.fields);
  // Stored to the millisecond, as the data file and the formulas read it.
  auto at = std::chrono::time_point_cast<std::chrono::milliseconds>(now);
  for (auto& p : plan) {
    if (p.create) {
      Record record{p.id, format_datetime(now), p.cells, {}};
      for (const auto& [field_id, cell] : p.cells) record.modified[field_id] = at;
      effects.created.push_back({record.id, record.created_time, {}, p.cells});
      table.records.push_back(std::move(record));
      continue;
    }
    Record* record = table.find_record(p.id);
    auto fields = changed_field_ids(record->cells, p.cells);
    if (fields.empty()) continue;
    for (const auto& field_id : fields) record->modified[field_id] = at;
    // The same record twice in one request is one change from its first state to its last.
    auto seen = std::find_if(effects.changed.begin(), effects.changed.end(),
                             [&](const RecordChange& c) { return c.id == record->id; });
    if (seen == effects.changed.end()) {
      effects.changed.push_back({record->id, record->created_time, record->cells, p.cells});
    } else {
      seen->after = p.cells;
    }
    record->cells = p.cells;
  }
}

bool same_key(const std::map<std::string, Cell>& cells, const std::vector<std::string>& merge_ids,
              const Changes& key) {
  for (const auto& id : merge_ids) {
    auto it = cells.find(id);
    if (it == cells.end() || it->second != *key.at(id)) return false;
  }
  return true;
}

// Where an upsert's record goes: a new record, an existing one, or one created earlier in the
// same request (so one request cannot create twins).
struct UpsertTarget {
  enum class Kind { Create, Existing, Planned } kind = Kind::Create;
  size_t index = 0;  // into table.records or into the plan
};

// 0 matches creates, 1 updates, more is an error.
std::expected<UpsertTarget, ApiError> match_upsert(const Table& table,
                                                            const std::vector<Planned>& plan,
                                                            const std::vector<std::string>& merge_ids,
                                                            const Changes& changes, size_t index) {
  Changes key;
  for (const auto& id : merge_ids) {
    auto it = changes.find(id);
    if (it == changes.end() || !it->second)
      return std::unexpected(ApiError{
          422, "INVALID_VALUE_FOR_COLUMN",
          "Record " + std::to_string(index) + " needs a value for every field in fieldsToMergeOn"});
    key[id] = it->second;
  }
  for (size_t i = 0; i < plan.size(); ++i)
    if (plan[i].create && same_key(plan[i].cells, merge_ids, key))
      return UpsertTarget{UpsertTarget::Kind::Planned, i};
  UpsertTarget found;
  for (size_t i = 0; i < table.records.size(); ++i) {
    if (!same_key(table.records[i].cells, merge_ids, key)) continue;
    if (found.kind != UpsertTarget::Kind::Create)
      return std::unexpected(ApiError{
          422, "INVALID_RECORDS",
          "Upsert failed: more than one record matches the fieldsToMergeOn values of record " +
              std::to_string(index)});
    found = {UpsertTarget::Kind::Existing, i};
  }
  return found;
}

}  // namespace

Reply create_records(Table& table, element body, IdGenerator& ids, SysTime now,
                     TableChanges& effects) {
  auto parsed = parse_write_body(body);
  if (!parsed) return std::unexpected(parsed.error());
  bool single = parsed->records.empty();
  if (single) {
    if (body["fields"].error() != simdjson::SUCCESS)
      return std::unexpected(ApiError{422, "INVALID_RECORDS", "send records (an array) or fields"});
    parsed->records.push_back(body);
  }
  Table scratch;
  scratch.fields = table.fields;
  std::vector<Planned> plan;
  for (element r : parsed->records) {
    auto changes = parse_changes(scratch, r, parsed->typecast, ids);
    if (!changes) return std::unexpected(changes.error());
    plan.push_back({ids.next("rec"), true, apply({}, *changes, true)});
  }
  commit(table, scratch, plan, now, effects);
  return render(table, plan, parsed->by_field_id, false, single);
}

Reply update_records(Table& table, element body, bool replace, IdGenerator& ids, SysTime now,
                     TableChanges& effects) {
  auto parsed = parse_write_body(body);
  if (!parsed) return std::unexpected(parsed.error());
  if (parsed->records.empty())
    return std::unexpected(ApiError{422, "INVALID_RECORDS", "records must hold 1 to 10 records"});
  Table scratch;
  scratch.fields = table.fields;
  std::vector<std::string> merge_ids;
  if (parsed->merge_on) {
    for (const auto& name : *parsed->merge_on) {
      const Field* f = scratch.find_field(name);
      if (!f) return std::unexpected(unknown_field(name));
      merge_ids.push_back(f->id);
    }
  }
  std::vector<Planned> plan;
  for (size_t i = 0; i < parsed->records.size(); ++i) {
    element r = parsed->records[i];
    auto changes = parse_changes(scratch, r, parsed->typecast, ids);
    if (!changes) return std::unexpected(changes.error());
    std::string_view id;
    if (r["id"].get(id) == simdjson::SUCCESS) {
      Record* existing = table.find_record(id);
      if (!existing) return std::unexpected(record_not_found(std::string(id)));
      plan.push_back({existing->id, false, apply(existing->cells, *changes, replace)});
      continue;
    }
    if (!parsed->merge_on)
      return std::unexpected(ApiError{422, "INVALID_RECORDS",
                                      "Record " + std::to_string(i) + " has no id (and the "
                                      "request is not an upsert)"});
    auto match = match_upsert(table, plan, merge_ids, *changes, i);
    if (!match) return std::unexpected(match.error());
    switch (match->kind) {
      case UpsertTarget::Kind::Create:
        plan.push_back({ids.next("rec"), true, apply({}, *changes, true)});
        break;
      case UpsertTarget::Kind::Planned:
        plan[match->index].cells = apply(plan[match->index].cells, *changes, replace);
        break;
      case UpsertTarget::Kind::Existing: {
        const Record& existing = table.records[match->index];
        plan.push_back({existing.id, false, apply(existing.cells, *changes, replace)});
        break;
      }
    }
  }
  commit(table, scratch, plan, now, effects);
  return render(table, plan, parsed->by_field_id, parsed->merge_on.has_value(), false);
}

Reply update_record(Table& table, const std::string& record_id, element body, bool replace,
                    IdGenerator& ids, SysTime now, TableChanges& effects) {
  Record* existing = table.find_record(record_id);
  if (!existing) return std::unexpected(record_not_found(record_id));
  auto parsed = parse_write_body(body);
  if (!parsed) return std::unexpected(parsed.error());
  Table scratch;
  scratch.fields = table.fields;
  auto changes = parse_changes(scratch, body, parsed->typecast, ids);
  if (!changes) return std::unexpected(changes.error());
  std::vector<Planned> plan{{existing->id, false, apply(existing->cells, *changes, replace)}};
  commit(table, scratch, plan, now, effects);
  return render(table, plan, parsed->by_field_id, false, true);
}

Reply delete_records(Table& table, const std::vector<std::string>& record_ids, bool single,
                     TableChanges& effects) {
  if (record_ids.empty() || record_ids.size() > kMaxRecordsPerRequest)
    return std::unexpected(ApiError{422, "INVALID_RECORDS",
                                    "You must delete between 1 and 10 records per request"});
  for (const auto& id : record_ids)
    if (!table.find_record(id)) return std::unexpected(record_not_found(id));
  std::erase_if(table.records, [&](const Record& r) {
    return std::find(record_ids.begin(), record_ids.end(), r.id) != record_ids.end();
  });
  for (const auto& id : record_ids)
    if (std::find(effects.destroyed.begin(), effects.destroyed.end(), id) == effects.destroyed.end())
      effects.destroyed.push_back(id);
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  auto one = [&](const std::string& id) {
    w.StartObject();
    write_member(w, "id", id);
    write_key(w, "deleted");
    w.Bool(true);
    w.EndObject();
  };
  if (single) {
    one(record_ids.front());
  } else {
    w.StartObject();
    write_key(w, "records");
    w.StartArray();
    for (const auto& id : record_ids) one(id);
    w.EndArray();
    w.EndObject();
  }
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace airtable_local
