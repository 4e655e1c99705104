#include "airtable/pending_rows.hpp"

#include <algorithm>
#include <map>

#include "airtable/row_diff.hpp"

namespace airreg::airtable {

namespace {

bool is_key_cell(const OutboxEntry& e, const std::string& name) {
  return std::find(e.merge_on.begin(), e.merge_on.end(), name) != e.merge_on.end();
}

// The newer entry of a key takes over the row's guarded cells whole.
void merge_into(OutboxEntry& row, const OutboxEntry& newer) {
  for (const auto& [name, expected] : row.expect) row.fields.erase(name);
  row.expect.clear();
  for (const auto& [name, value] : newer.fields) {
    if (newer.expect.count(name)) continue;
    row.fields[name] = value;
  }
  for (const auto& [name, expected] : newer.expect) {
    row.expect[name] = expected;
    if (auto v = newer.fields.find(name); v != newer.fields.end()) row.fields[name] = v->second;
  }
  if (!newer.label.empty()) row.label = newer.label;
}

}  // namespace

std::string pending_key(const OutboxEntry& entry) {
  if (!entry.record_id.empty()) return "record:" + entry.record_id;
  return row_key(entry.fields, entry.merge_on);
}

namespace {

// The group an entry belongs to: its table and kind of write (and the fields of an upsert's key).
std::string group_key(const OutboxEntry& e) {
  std::string key = e.table + (e.record_id.empty() ? "\x1eupsert" : "\x1eupdate");
  for (const auto& m : e.merge_on) key += '\x1f' + m;
  return key;
}

}  // namespace

std::string pending_row_id(const OutboxEntry& entry) { return group_key(entry) + '\x1d' + pending_key(entry); }

std::vector<PendingGroup> group_entries(std::vector<OutboxEntry> entries,
                                        const std::unordered_set<std::string>& fresh_ids) {
  std::vector<PendingGroup> groups;
  std::map<std::string, size_t> group_of;                    // table + merge_on -> group
  std::map<std::pair<size_t, std::string>, size_t> row_of;  // group, key -> row
  for (auto& e : entries) {
    auto [g, new_group] = group_of.emplace(group_key(e), groups.size());
    if (new_group) groups.push_back(PendingGroup{e.table, e.record_id.empty() ? e.merge_on : std::vector<std::string>{}, {}});
    auto& rows = groups[g->second].rows;
    bool fresh = fresh_ids.count(e.id) > 0;
    auto [r, new_row] = row_of.emplace(std::make_pair(g->second, pending_key(e)), rows.size());
    if (new_row) {
      std::string id = e.id;
      rows.push_back(PendingRow{std::move(e), {std::move(id)}, fresh});
    } else {
      merge_into(rows[r->second].entry, e);
      rows[r->second].ids.push_back(e.id);
      rows[r->second].fresh = rows[r->second].fresh && fresh;
    }
  }
  return groups;
}

CasOutcome apply_compare_and_set(OutboxEntry& row, const Fields* current) {
  CasOutcome out;
  for (const auto& [name, expected] : row.expect) {
    FieldValue now;
    if (current)
      if (auto it = current->find(name); it != current->end()) now = it->second;
    if (!cells_equal(now, expected)) out.changed.push_back(name);
  }
  if (!out.changed.empty()) {
    out.guarded_dropped = true;
    for (const auto& [name, expected] : row.expect) row.fields.erase(name);
    row.expect.clear();
  }
  out.nothing_left = std::all_of(row.fields.begin(), row.fields.end(),
                                 [&](const auto& cell) { return is_key_cell(row, cell.first); });
  return out;
}

}  // namespace airreg::airtable
