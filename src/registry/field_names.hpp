// The registry table's column names by field key (from schema/), so that code says
// "model_id" and the table may call it anything. Immutable; thread-safe.
#pragma once

#include <string>

#include "airreg/schema.hpp"

namespace airreg::registry {

class FieldNames {
 public:
  explicit FieldNames(const TableSchema& schema) : schema_(&schema) {}
  // The column name of a key; the key itself when the schema does not know it (a bug,
  // caught by the tests: every key used in code is in schema/).
  std::string operator()(std::string_view key) const {
    const SchemaField* f = schema_->find(key);
    return f ? f->name : std::string(key);
  }
  const TableSchema& schema() const { return *schema_; }

 private:
  const TableSchema* schema_;
};

}  // namespace airreg::registry
