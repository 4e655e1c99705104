// What one write request did to a table's records, as the webhooks report it, and the
// cell-by-cell comparison that decides whether a record changed at all. Plain data and pure
// functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model.hpp"

namespace airtable_local {

struct RecordChange {
  std::string id;
  std::string created_time;
  std::map<std::string, Cell> before;  // empty for a created record
  std::map<std::string, Cell> after;
};

struct TableChanges {
  std::vector<RecordChange> created;
  std::vector<RecordChange> changed;  // only records with at least one cell that differs
  std::vector<std::string> destroyed;
  bool empty() const { return created.empty() && changed.empty() && destroyed.empty(); }
};

// Field ids whose cell was set, changed or cleared between two versions of a record, in id
// order. A write that sends the value a cell already holds changes nothing.
std::vector<std::string> changed_field_ids(const std::map<std::string, Cell>& before,
                                           const std::map<std::string, Cell>& after);

}  // namespace airtable_local
