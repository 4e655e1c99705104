#include "registry/snapshot_changes.hpp"

#include <algorithm>
#include <unordered_map>

namespace airreg::registry {

namespace {

// The same snapshot with other records: parsed again, a new version.
TableSnapshot rebuilt(const TableSnapshot& base, RecordStore records, const Columns& columns, SystemTime at) {
  TableSnapshot s;
  s.records = std::move(records);
  s.parse_records(columns);
  s.last_listed = base.last_listed;
  s.last_runs = base.last_runs;
  s.warnings = base.warnings;
  s.read_at = at;
  s.version = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count());
  if (s.version <= base.version) s.version = base.version + 1;
  return s;
}

std::string provider_of(const AirtableRecord& r, const Columns& columns) {
  auto it = r.fields.find(columns.cell("provider_id"));
  const auto* text = it == r.fields.end() ? nullptr : std::get_if<std::string>(&it->second);
  return text ? *text : "";
}

}  // namespace

TableSnapshot with_records(const TableSnapshot& base, std::vector<AirtableRecord> changed, const Columns& columns,
                           SystemTime read_at) {
  RecordStore records = base.records;
  std::unordered_map<std::string, size_t> at;
  for (size_t i = 0; i < records.size(); ++i) at.emplace(records.id(i), i);
  for (auto& r : changed) {
    if (auto it = at.find(r.id); it != at.end()) {
      records.set(it->second, r);
    } else {
      at.emplace(r.id, records.size());
      records.add(r);
    }
  }
  return rebuilt(base, std::move(records), columns, read_at);
}

TableSnapshot with_changes(const TableSnapshot& base, const std::vector<RecordChange>& changes, const std::string& table_id,
                           const Columns& columns, SystemTime at, std::set<std::string>& providers,
                           bool* unknown) {
  RecordStore records = base.records;
  // Payloads name cells by field id, as a registry bound by id keys them; the columns airreg
  // does not read are left out.
  std::set<std::string> ours;
  for (const auto& f : columns.schema().fields) ours.insert(columns.cell(f.key));
  auto cell_key = [&](const std::string& field_id) { return ours.count(field_id) ? field_id : std::string(); };
  for (const auto& c : changes) {
    if (c.table_id != table_id) continue;
    auto found = records.find(c.record_id);
    std::optional<AirtableRecord> record;
    if (found) {
      record = records.record(*found);
      if (auto p = provider_of(*record, columns); !p.empty()) providers.insert(p);
    }
    if (c.kind == RecordChange::Kind::destroyed) {
      if (found) records.erase(*found);
      continue;
    }
    if (!found) {
      // A change to a row this table does not have: the payload cannot say what the rest of
      // its cells are. The caller reads the table instead.
      if (c.kind != RecordChange::Kind::created) {
        if (unknown) *unknown = true;
        continue;
      }
      record = AirtableRecord{c.record_id, "", {}};
    }
    for (const auto& [field_id, value] : c.current)
      if (auto key = cell_key(field_id); !key.empty()) record->fields[key] = value;
    for (const auto& field_id : c.cleared)
      if (auto key = cell_key(field_id); !key.empty()) record->fields.erase(key);
    if (auto p = provider_of(*record, columns); !p.empty()) providers.insert(p);
    if (found) {
      records.set(*found, *record);
    } else {
      records.add(*record);
    }
  }
  return rebuilt(base, std::move(records), columns, at);
}

}  // namespace airreg::registry
