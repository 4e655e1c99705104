// The write-back rules: merges a provider's listing into its rows by field ownership.
//   connector fields  rewritten by every sync (Available, Last Verified, Missing Since, ...)
//   seeded fields     three-way merge: updated only while the cell still holds the value the
//                     connector wrote last (kept in Metadata); a cell a person changed is
//                     theirs from then on
//   people fields     never written, except a new row's first Status and, after the grace
//                     period, `deprecated` (with a Deprecation Date if empty)
// A listing that failed, or that shrank below half of the rows seen, marks nothing missing.
// Rows people added (Discovery Method manual) are never marked missing or deprecated.
// Pure function.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "airreg/discovery.hpp"
#include "airreg/registry_row.hpp"
#include "registry/field_names.hpp"

namespace airreg::registry {

struct MergePolicy {
  ModelStatus new_status = ModelStatus::pending;  // what a new model enters as
  std::chrono::hours grace{7 * 24};               // missing this long -> deprecated (h)
  std::chrono::minutes verify_interval{60};       // Last Verified is bumped when older (min)
  double shrink_guard = 0.5;  // a listing under this share of the rows seen marks nothing missing
  // Whether the writes may carry the people's cells a sync sets (a new row's Status,
  // `deprecated` and its date). Off when the rows came from a snapshot that may be older
  // than a person's latest choice; the merged rows carry the values either way.
  bool write_people_cells = true;
};

struct MergeResult {
  std::vector<Fields> writes;     // cells to upsert, by column name (key cells included)
  std::vector<RegistryRow> rows;  // the provider's rows of the category after the merge
  size_t discovered = 0, created = 0, updated = 0, missing = 0, deprecated = 0, unchanged = 0;
  std::vector<std::string> new_model_ids;
  std::vector<std::string> warnings;
};

// `rows`: the provider's rows of this category as read; `listing`: null when discovery failed;
// `untouchable`: model ids whose rows could not be read (never written, whatever is listed).
MergeResult merge_listing(const std::string& provider, ModelCategory category, const DiscoveryResult* listing,
                          std::vector<RegistryRow> rows, SystemTime now, const MergePolicy& policy,
                          const FieldNames& names, const std::set<std::string>& untouchable = {});

}  // namespace airreg::registry
