// Which rows an upsert must send: compares each row with the record of the same key that the
// table holds, cell by cell, the way Airtable stores cells (an empty cell, "" and an unchecked
// box are the same; 1 and 1.0 are the same; a dateTime with or without milliseconds is the
// same instant; a multiple select is a set). Pure functions.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "airreg/airtable_types.hpp"

namespace airreg::airtable {

bool cells_equal(const FieldValue& a, const FieldValue& b);

// The merge key of a row: its merge_on cells as text, joined. Empty when one is missing.
std::string row_key(const Fields& row, const std::vector<std::string>& merge_on);
// "provider/model" style, for messages: the merge_on cells joined with '/'.
std::string row_label(const Fields& row, const std::vector<std::string>& merge_on);

// The rows to send: for each key the cells that differ from `current` (plus the merge_on
// cells), rows of the same key merged in order (the later cell wins), rows with nothing
// changed left out. A row without its merge_on cells cannot be upserted and is returned in
// `invalid` instead.
struct RowDiff {
  std::vector<Fields> changed;
  std::vector<Fields> invalid;
  size_t unchanged = 0;
};
// The records read, by key (the first of duplicates): made once for a batch of rows.
using CellsByKey = std::unordered_map<std::string, const Fields*>;
CellsByKey cells_by_key(const ReadCells& current, const std::vector<std::string>& merge_on);
// `rows` is taken by value: a caller done with its rows moves them in, and they are not copied.
RowDiff diff_rows(std::vector<Fields> rows, const CellsByKey& current, const std::vector<std::string>& merge_on);
inline RowDiff diff_rows(std::vector<Fields> rows, const ReadCells& current, const std::vector<std::string>& merge_on) {
  return diff_rows(std::move(rows), cells_by_key(current, merge_on), merge_on);
}
inline RowDiff diff_rows(std::vector<Fields> rows, const std::vector<AirtableRecord>& current,
                         const std::vector<std::string>& merge_on) {
  return diff_rows(std::move(rows), cells_of(current), merge_on);
}

}  // namespace airreg::airtable
