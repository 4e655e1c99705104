// The registry table of schema/ and its columns by schema/'s names (no field ids), loaded
// once for unit tests. Needs AIRREG_TEST_SCHEMA_DIR.
#pragma once

#include "airreg/schema.hpp"
#include "airtable/columns.hpp"

namespace airreg::test {

inline const TableSchema& registry_schema() {
  static const TableSchema schema = load_table_schema(AIRREG_TEST_SCHEMA_DIR "/ai_model_registry.json").value();
  return schema;
}

inline const airtable::Columns& registry_columns() {
  static const airtable::Columns columns = airtable::Columns::from_schema(registry_schema());
  return columns;
}

}  // namespace airreg::test
