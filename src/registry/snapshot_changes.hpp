// A table snapshot brought up to date without reading the whole table: with the rows a
// revalidation found changed (by record id: replaced, or added), or with the changes a webhook
// payload describes (created, changed, cleared cells, destroyed records). The rows are parsed
// again, so a change a person typed that makes a row garbage is reported as a full read would.
// Pure functions.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "registry/table_snapshot.hpp"

namespace airreg::registry {

TableSnapshot with_records(const TableSnapshot& base, std::vector<AirtableRecord> changed, const Columns& columns,
                           SystemTime read_at);

// The changes of the registry table (`table_id`); other tables' changes are ignored. The
// providers whose rows changed are added to `providers` (from the row before and after).
// Needs columns bound by field id (payloads are by id); the caller reads rows otherwise.
// `unknown` is set when a change names a record the base lacks (not applied).
TableSnapshot with_changes(const TableSnapshot& base, const std::vector<RecordChange>& changes, const std::string& table_id,
                           const Columns& columns, SystemTime at, std::set<std::string>& providers,
                           bool* unknown = nullptr);

}  // namespace airreg::registry
