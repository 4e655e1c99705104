#include "airreg/airtable_types.hpp"

namespace airreg {

ReadCells cells_of(const std::vector<AirtableRecord>& records) {
  ReadCells out;
  out.reserve(records.size());
  for (const auto& r : records) out.push_back(&r.fields);
  return out;
}

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
