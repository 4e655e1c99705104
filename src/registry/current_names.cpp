#include "registry/current_names.hpp"

#include "airreg/setup.hpp"

namespace airreg::registry {

std::optional<std::string> adopt_current_names(const AirtableClient& client, RegistrySchemas& schemas) {
  auto base = client.tables();
  if (!base) return "column names not checked against the base (" + base.error().describe() + "); using schema/'s";
  SetupPlan plan = plan_setup({&schemas.registry, &schemas.history}, *base);
  for (const auto& table : plan.tables) {
    auto* schema = const_cast<TableSchema*>(table.schema);  // points into `schemas`, which we own here
    if (table.create) continue;                             // not there: setup's business
    schema->name = table.current_name;
    for (const auto& rename : table.renamed)
      for (auto& field : schema->fields)
        if (field.key == rename.key) field.name = rename.current_name;
  }
  return std::nullopt;
}

}  // namespace airreg::registry
