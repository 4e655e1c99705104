#include "registry/row_reader.hpp"

#include "airreg/formula.hpp"

namespace airreg::registry {

Result<ReadRows> read_rows(const AirtableClient& client, const FieldNames& names, const std::string& provider) {
  ListQuery query;
  if (!provider.empty()) query.filter_by_formula = formula::equals(names("provider_id"), provider);
  auto records = client.list(names.schema().name, query);
  if (!records) return std::unexpected(records.error());
  ReadRows out;
  out.parsed = parse_rows(*records, names);
  out.records = std::move(*records);
  return out;
}

}  // namespace airreg::registry
