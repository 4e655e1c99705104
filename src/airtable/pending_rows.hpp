// The rows a flush sends, built from the outbox: entries of one table and key become one
// row, and the cells a person may own are checked against what the table holds now before a
// replay (compare-and-set). Pure functions.
//
// Merging entries of one key: connector cells (those without an expectation) merge in queue
// order, the later value winning. Guarded cells (those with an expectation) are not merged:
// the newest entry's guarded cells replace the older ones whole, since the newest merge saw
// the latest table, and a cell it left out it left out on purpose (the table held it already,
// or a person had changed it).
//
// Compare-and-set: when any guarded cell of a row no longer holds the value its merge saw,
// every guarded cell of that row is left out (they were computed together: the Metadata cell
// records what the seeded cells were set to) and only the connector cells are sent; the next
// sync merges the rest against the person's values.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "airreg/outbox.hpp"

namespace airreg::airtable {

struct PendingRow {
  OutboxEntry entry;             // the merged row (id, table, key and label of its first entry)
  std::vector<std::string> ids;  // every outbox entry it stands for
  bool fresh = true;             // every entry was queued from rows read just before (no re-read)
  bool settled = false;          // nothing left to write (compare-and-set took every changed cell)
  bool upsert() const { return entry.record_id.empty(); }
};

// Rows of one table and one kind of write (an upsert on the same fields, or updates by id).
struct PendingGroup {
  std::string table;
  std::vector<std::string> merge_on;  // empty: updates by record id
  std::vector<PendingRow> rows;
};

// Groups waiting entries, keeping the order of first appearance. `fresh_ids` are the entries
// journalled from rows read just before this flush (by this writer, never tried yet).
std::vector<PendingGroup> group_entries(std::vector<OutboxEntry> entries,
                                        const std::unordered_set<std::string>& fresh_ids);

// The key a row is matched by: its merge_on cells, or its record id.
std::string pending_key(const OutboxEntry& entry);
// Which row of which group an entry writes: entries with the same id become one row. Needs
// only the entry's table, merge_on, record id and key cells (OutboxCells::keys).
std::string pending_row_id(const OutboxEntry& entry);

struct CasOutcome {
  bool guarded_dropped = false;     // a guarded cell no longer held what the merge saw
  std::vector<std::string> changed;  // the guarded fields that differed (for the report)
  bool nothing_left = false;         // only key cells remain: nothing to send
};
// Applies compare-and-set against `current` (the record of the row's key as the table holds
// it now; null when there is none) to the row's cells in place.
CasOutcome apply_compare_and_set(OutboxEntry& row, const Fields* current);

}  // namespace airreg::airtable
