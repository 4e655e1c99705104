// `airreg setup`: compares schema/ with the base and creates what is missing (tables,
// fields). It never deletes or retypes; it reports type drift, missing select options and
// fields a person renamed (found by their marker). Planning is a pure function; applying
// sends only the writes the plan lists.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "airreg/airtable_client.hpp"
#include "airreg/schema.hpp"

namespace airreg {

struct FieldRename {
  std::string key;
  std::string schema_name;
  std::string current_name;
};

struct FieldDrift {
  std::string field;    // the current name
  std::string problem;  // what differs, in words
};

struct TablePlan {
  const TableSchema* schema = nullptr;
  std::string table_id;      // empty until created
  std::string current_name;  // the table's name in the base (may differ after a rename)
  bool create = false;
  std::vector<const SchemaField*> add;
  std::vector<FieldRename> renamed;
  std::vector<FieldDrift> drift;
  std::map<std::string, std::string> field_ids;  // key -> field id, for fields that exist
};

struct SetupPlan {
  std::vector<TablePlan> tables;
  size_t writes() const;  // requests applying the plan sends
  bool has_drift() const;
};

// A table or field of schema/ in the base: by its [airreg:...] marker first (it survives a
// person renaming it), else by its name. Null when the base has none.
const TableSpec* locate_table(const TableSchema& schema, const std::vector<TableSpec>& base);
const FieldSpec* locate_field(const SchemaField& field, const TableSpec& table);

// wanted: the schemas, with names as configured (AIRTABLE_TABLE may rename a table).
SetupPlan plan_setup(const std::vector<const TableSchema*>& wanted, const std::vector<TableSpec>& base);

// Applies the plan's creations in place (filling table and field ids). Stops at the first
// error; what was created before it stays, and a second run picks up from there.
Result<void> apply_setup(const AirtableClient& client, SetupPlan& plan);

}  // namespace airreg
