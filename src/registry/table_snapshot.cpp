#include "registry/table_snapshot.hpp"

#include <algorithm>
#include <unordered_set>

#include "airtable/row_diff.hpp"

namespace airreg::registry {

RowList TableSnapshot::rows_in(const std::string& provider) const {
  return parsed.rows.filtered([&](const RegistryRow& r) { return r.provider_id == provider; });
}

RowList TableSnapshot::rows_in(const std::string& provider, ModelCategory category) const {
  return parsed.rows.filtered([&](const RegistryRow& r) { return r.provider_id == provider && r.category == category; });
}

ProviderRecords TableSnapshot::records_of(const std::string& provider, const Columns& columns,
                                          const std::vector<Fields>& rows) const {
  auto merge_on = columns.merge_on();
  std::unordered_set<std::string> keys;
  for (const auto& row : rows) keys.insert(airtable::row_key(row, merge_on));
  auto wanted = merge_on;
  const std::string& provider_cell = columns.cell("provider_id");
  if (std::find(wanted.begin(), wanted.end(), provider_cell) == wanted.end()) wanted.push_back(provider_cell);
  ProviderRecords out;
  for (size_t i = 0; i < records.size(); ++i) {
    Fields key_cells = records.cells(i, wanted);
    auto p = key_cells.find(provider_cell);
    if (p == key_cells.end() || p->second != FieldValue(provider)) continue;
    if (keys.count(airtable::row_key(key_cells, merge_on))) out.records.push_back(records.record(i));
  }
  out.cells = cells_of(out.records);
  return out;
}

void TableSnapshot::parse_records(const Columns& columns) {
  RowsParser rows(columns, records.size());
  for (size_t i = 0; i < records.size(); ++i) rows.add(records.record(i));
  parsed = rows.finish();
}

std::vector<std::string> TableSnapshot::warnings_of(const std::string& provider) const {
  std::vector<std::string> out;
  std::string named = "(" + provider + "/";
  for (const auto& w : parsed.warnings)
    if (w.find(named) != std::string::npos) out.push_back(w);
  return out;
}

std::vector<std::string> TableSnapshot::providers() const {
  std::vector<std::string> out;
  for (const auto& r : parsed.rows)
    if (std::find(out.begin(), out.end(), r.provider_id) == out.end()) out.push_back(r.provider_id);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<SystemTime> TableSnapshot::listed_at(const std::string& provider, SystemTime now) const {
  auto it = last_listed.find(provider);
  if (it == last_listed.end()) return std::nullopt;
  return std::min(it->second, now);
}

}  // namespace airreg::registry
