// The registry table of schema/ and its column names, loaded once for unit tests.
// Needs AIRREG_TEST_SCHEMA_DIR.
#pragma once

#include "airreg/schema.hpp"
#include "registry/field_names.hpp"

namespace airreg::test {

inline const TableSchema& registry_schema() {
  static const TableSchema schema = load_table_schema(AIRREG_TEST_SCHEMA_DIR "/ai_model_registry.json").value();
  return schema;
}

inline const registry::FieldNames& registry_names() {
  static const registry::FieldNames names(registry_schema());
  return names;
}

}  // namespace airreg::test
