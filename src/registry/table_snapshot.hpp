// The registry table as one read saw it: every row (cells by Columns::cell, as read and
// packed, for the writer's diff and compare-and-set), the rows parsed (garbage skipped with a warning naming
// the row), and when each provider's listing was last read (from Model Sync History). Every
// (provider, category) answer is a view of one snapshot, so one read of the table serves all
// of them. Immutable once built; thread-safe to share.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "airreg/model_registry.hpp"
#include "airreg/registry_row.hpp"
#include "registry/record_store.hpp"
#include "registry/row_codec.hpp"

namespace airreg::registry {

// A provider's records, decoded from a snapshot for the writer's diff and compare-and-set:
// `cells` lends `records`' cells (so a ProviderRecords is moved, never copied).
struct ProviderRecords {
  std::vector<AirtableRecord> records;
  ReadCells cells;

  ProviderRecords() = default;
  ProviderRecords(ProviderRecords&&) = default;
  ProviderRecords& operator=(ProviderRecords&&) = default;
  ProviderRecords(const ProviderRecords&) = delete;
  ProviderRecords& operator=(const ProviderRecords&) = delete;
};

struct TableSnapshot {
  RecordStore records;  // every record read, packed
  ParsedRows parsed;
  std::map<std::string, SystemTime> last_listed;  // provider -> its listing was last read
  std::vector<LastSync> last_runs;                // the newest run of each provider and category
  SystemTime read_at{};                           // the table as of this time (read, or revalidated)
  SystemTime full_read_at{};                      // when every row was last read (deletions show then)
  SystemTime history_read_at{};                   // when Model Sync History was last read
  uint64_t version = 0;                           // grows with every read (ETag, fleet)
  bool shared = false;                            // taken from the fleet: another instance read it
  std::vector<std::string> warnings;              // about the read as a whole

  // The provider's rows, every category (a merge matches by key whatever the Category),
  // sharing this snapshot's rows: a merge copies them.
  RowList rows_in(const std::string& provider) const;
  // The provider's rows of one category, sharing this snapshot's rows (an answer's rows): no
  // row is copied, and the snapshot's rows live as long as an answer made of them.
  RowList rows_in(const std::string& provider, ModelCategory category) const;
  // The provider's records that `rows` (a batch of writes, by Columns::cell) would write,
  // decoded for the writer's diff: the records of the rows' keys (Columns::merge_on), no others.
  ProviderRecords records_of(const std::string& provider, const Columns& columns, const std::vector<Fields>& rows) const;
  // The row warnings that name this provider's rows.
  std::vector<std::string> warnings_of(const std::string& provider) const;
  std::vector<std::string> providers() const;  // with rows, sorted
  // When the provider's listing was last read; a time in the future (a skewed clock) is now.
  std::optional<SystemTime> listed_at(const std::string& provider, SystemTime now) const;

  // Parses `records` into `parsed`, a record unpacked at a time.
  void parse_records(const Columns& columns);
};

}  // namespace airreg::registry
