// BatchWriter::Flush, the compare-and-set: before a row that waited in the outbox is written,
// its record is read again by key; a seeded or people's cell a person changed since the merge
// is left out of the write (airtable/row_diff.hpp decides).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>

#include "airreg/formula.hpp"
#include "airtable/batch_flush.hpp"
#include "airtable/row_diff.hpp"

namespace airreg {

namespace {

using airtable::PendingRow;

bool looks_like_field_id(const std::string& s) { return s.size() == 17 && s.rfind("fld", 0) == 0; }

// OR(AND({a}='x',{b}='y'), ...): the records of these keys.
std::string keys_formula(std::span<const PendingRow> rows, const std::vector<std::string>& merge_on) {
  std::string any = "OR(";
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string all = "AND(";
    for (size_t k = 0; k < merge_on.size(); ++k) {
      auto cell = rows[i].entry.fields.find(merge_on[k]);
      std::string value = cell != rows[i].entry.fields.end() && std::holds_alternative<std::string>(cell->second)
                              ? std::get<std::string>(cell->second)
                              : std::string();
      all += (k ? "," : "") + formula::equals(merge_on[k], value);
    }
    any += (i ? "," : "") + all + ")";
  }
  return any + ")";
}

}  // namespace

bool BatchWriter::Flush::check_current(PendingGroup& group) {
  std::vector<PendingRow*> stale;
  for (auto& row : group.rows)
    if (!row.fresh && !row.entry.expect.empty()) stale.push_back(&row);
  if (stale.empty()) return true;
  bool by_id = std::all_of(group.merge_on.begin(), group.merge_on.end(), looks_like_field_id);
  for (size_t i = 0; i < stale.size(); i += 100) {
    size_t n = std::min<size_t>(100, stale.size() - i);
    std::vector<PendingRow> keys;
    for (size_t k = 0; k < n; ++k) keys.push_back(PendingRow{stale[i + k]->entry, {}, false});
    ListQuery query;
    query.filter_by_formula = keys_formula(keys, group.merge_on);
    query.return_fields_by_field_id = by_id;
    auto records = read_with_retries(group.table, query);
    if (!records) {
      stop(records.error());
      return false;
    }
    std::unordered_map<std::string, const Fields*> held;
    for (const auto& r : *records) held.emplace(airtable::row_key(r.fields, group.merge_on), &r.fields);
    for (size_t k = 0; k < n; ++k) {
      OutboxEntry& entry = stale[i + k]->entry;
      auto found = held.find(airtable::row_key(entry.fields, group.merge_on));
      auto outcome = airtable::apply_compare_and_set(entry, found == held.end() ? nullptr : found->second);
      if (!outcome.guarded_dropped) continue;
      // Only the key is left of a row that exists: nothing to write (a new row is still created).
      stale[i + k]->settled = outcome.nothing_left && found != held.end();
      ++report_.conflicts;
      for (const auto& field : outcome.changed)
        report_.dropped_cells.push_back(DroppedCell{label(*stale[i + k]), name_of(field), "a person changed it since the merge"});
      w_.logger_->info("{}: a person changed {} since the merge; its people's cells are left out", label(*stale[i + k]),
                       name_of(outcome.changed.front()));
    }
  }
  return true;
}

Result<std::vector<AirtableRecord>> BatchWriter::Flush::read_with_retries(const std::string& table, const ListQuery& query) {
  int failures = 0, limited = 0;
  for (;;) {
    if (out_of_time()) return std::unexpected(cancelled());
    size_t pages = 0;
    auto records = w_.client_.list(table, query, &pages);
    progress_state_.requests += pages;
    if (records) return records;
    if (!wait_before_retry(records.error(), failures, limited)) return records;
  }
}

}  // namespace airreg
