#include "airreg/airtable_types.hpp"

namespace airreg {

const FieldSpec* TableSpec::field_by_name(const std::string& name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

const FieldSpec* TableSpec::field_by_id(const std::string& id) const {
  for (const auto& f : fields)
    if (f.id == id) return &f;
  return nullptr;
}

}  // namespace airreg
