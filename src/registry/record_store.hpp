// A table snapshot's records, packed: each record's cells in one string (a cell is the number
// of its name in the store's list of names, a type and the value) instead of a map of strings
// per record. A snapshot holds every record of the table for its whole life, for the writer's
// diff and compare-and-set, which reads only the records of a provider it writes; as maps,
// 10,000 records were 21 MB, packed they are about 3 MB. Exact: a record comes back with the
// very cells it was added with (a number to the bit). Plain value; thread-safe to read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "airreg/airtable_types.hpp"

namespace airreg::registry {

class RecordStore {
 public:
  void add(const AirtableRecord& record);
  void set(size_t i, const AirtableRecord& record);  // replaces the i-th record (its id too)
  void erase(size_t i);

  size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const std::string& id(size_t i) const { return records_[i].id; }
  std::optional<size_t> find(std::string_view id) const;
  AirtableRecord record(size_t i) const;  // decoded; createdTime is not kept
  // Only the named cells of the i-th record (its key, say), without decoding the others.
  Fields cells(size_t i, const std::vector<std::string>& names) const;

 private:
  struct Packed {
    std::string id;
    std::string cells;
  };
  Packed pack(const AirtableRecord& record);
  uint16_t name_number(const std::string& name);

  std::vector<std::string> names_;  // cell names, by number
  std::unordered_map<std::string, uint16_t> number_of_;
  std::vector<Packed> records_;
};

}  // namespace airreg::registry
