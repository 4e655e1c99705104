// Reading registry rows from Airtable records and writing them back as cells: garbage a
// person typed (an unknown status, a number in a text cell, broken Metadata JSON, an empty
// Model ID) makes that one row unreadable with a message naming it; nothing else is lost.
// Pure functions.
#pragma once

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "airreg/registry_row.hpp"
#include "airreg/row_list.hpp"
#include "airtable/columns.hpp"

namespace airreg::registry {

using airtable::Columns;

// The row, its last-written values as copies in `book.seeded()` (parse_rows folds them).
Result<RegistryRow> parse_row(const AirtableRecord& record, const Columns& columns);

struct ParsedRows {
  RowList rows;  // shared by every answer made of them (TableSnapshot::rows_in): one copy of each row
  std::vector<std::string> warnings;  // one per skipped row, naming it
  // Keys (provider/model) of rows that could not be read, or that share their key with
  // another row: a sync must not write them (an upsert would overwrite the person's cells, or
  // match twice).
  std::set<std::string> untouchable;
};
// Parses every record; skips unreadable rows and every row of a duplicated key. The rows of
// a table read: a last-written value that is still its cell is a bit (seeded_cells.hpp), so a
// copy whose seeded cells are edited in memory must not be merged again; unfold_seeded first.
ParsedRows parse_rows(const std::vector<AirtableRecord>& records, const Columns& columns);

// parse_rows a record at a time, for a caller that frees each record once parsed.
class RowsParser {
 public:
  RowsParser(const Columns& columns, size_t records);  // `records`: how many will come (rows are sized once)
  void add(const AirtableRecord& record);
  ParsedRows finish();

 private:
  const Columns& columns_;
  ParsedRows out_;
  std::vector<RegistryRow> rows_;
  std::unordered_map<std::string, size_t> first_of_;  // key -> index in rows_
  std::set<std::string> duplicated_;
};

// Metadata's JSON: {"airreg":1,"seeded":{key: value},"people":[key]}.
std::string write_metadata(const RegistryRow& row);
std::string format_day(SystemTime t);  // YYYY-MM-DD

}  // namespace airreg::registry
