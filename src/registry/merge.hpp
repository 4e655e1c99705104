// The write-back rules: merges a provider's listing into its rows by field ownership.
//   connector fields  rewritten by every sync (Available, Last Verified, Missing Since, ...)
//   seeded fields     three-way merge: updated only while the cell still holds the value the
//                     connector wrote last (kept in Metadata); a cell a person changed is
//                     theirs from then on
//   people fields     never written, except a new row's first Status and, after the grace
//                     period, `deprecated` (with a Deprecation Date if empty)
// A listing that failed, or that shrank below half of the rows seen, marks nothing missing.
// Rows people added (Discovery Method manual) are never marked missing or deprecated.
//
// Rows are matched by key (provider + model id) among all the provider's rows, whatever their
// Category: a Category a person changed is theirs (a seeded field), and the row is still the
// model's row. Which rows a listing of one category can mark missing is decided by the
// category the connector last listed them under (kept in Metadata), not by the cell.
// Select values are only written when the base has them as options (else a warning).
// Pure function.
#pragma once

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "airreg/discovery.hpp"
#include "airreg/registry_row.hpp"
#include "airtable/columns.hpp"

namespace airreg::registry {

struct MergePolicy {
  ModelStatus new_status = ModelStatus::pending;  // what a new model enters as
  std::chrono::hours grace{7 * 24};               // missing this long -> deprecated (h)
  std::chrono::minutes verify_interval{60};       // Last Verified is bumped when older (min)
  double shrink_guard = 0.5;  // a listing under this share of the rows seen marks nothing missing
  // What the connector writes to a seeded cell is remembered as a bit (the value is the cell:
  // registry/seeded_cells.hpp) rather than a copy in RegistryRow::book. Only for rows whose
  // seeded cells nothing but the merge changes until they are read again, as a refresh's;
  // off, a caller may edit a merged row's cells in memory and merge it again (a row from
  // parse_rows after unfold_seeded).
  bool seeded_as_bits = false;
};

struct MergeResult {
  std::vector<Fields> writes;     // cells to upsert, by Columns::cell (key cells included); empty with a WriteOut
  std::vector<RegistryRow> rows;  // all the provider's rows after the merge, any category
  size_t discovered = 0, created = 0, updated = 0, missing = 0, deprecated = 0, unchanged = 0;
  std::vector<std::string> new_model_ids;
  std::vector<std::string> warnings;
};

// Takes each write as it is made (its cells, and the row after the merge), instead of
// MergeResult::writes: a listing of thousands of new models need not hold all their cells.
using WriteOut = std::function<void(Fields&& write, const RegistryRow& row)>;

// `rows`: all the provider's rows as read (any category); `listing`: the provider's listing
// of `category`, null when discovery failed; `untouchable`: keys (provider/model) of rows
// that could not be read (never written, whatever is listed); `out`: where writes go, when
// given (else MergeResult::writes).
MergeResult merge_listing(const std::string& provider, ModelCategory category, const DiscoveryResult* listing,
                          std::vector<RegistryRow> rows, SystemTime now, const MergePolicy& policy,
                          const airtable::Columns& columns, const std::set<std::string>& untouchable = {},
                          const WriteOut& out = {});

// The category a listing last put the row under (Metadata's seeded Category), else its cell.
ModelCategory listed_category(const RegistryRow& row);

}  // namespace airreg::registry
