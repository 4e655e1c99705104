#include "airreg/setup.hpp"

#include <algorithm>

namespace airreg {

const TableSpec* locate_table(const TableSchema& schema, const std::vector<TableSpec>& base) {
  // The marker first: it survives a person renaming the table.
  for (const auto& t : base)
    if (t.description.find(schema.marker()) != std::string::npos) return &t;
  for (const auto& t : base)
    if (t.name == schema.name) return &t;
  return nullptr;
}

const FieldSpec* locate_field(const SchemaField& field, const TableSpec& table) {
  for (const auto& f : table.fields)
    if (f.description.find(field.marker()) != std::string::npos) return &f;
  return table.field_by_name(field.name);
}

namespace {

void compare(const SchemaField& want, const FieldSpec& have, TablePlan& plan) {
  if (have.name != want.name) plan.renamed.push_back({want.key, want.name, have.name});
  if (have.type != want.type) {
    plan.drift.push_back({have.name, "type is " + have.type + ", schema/ says " + want.type});
    return;
  }
  std::vector<std::string> missing;
  for (const auto& choice : want.choices)
    if (std::find(have.choices.begin(), have.choices.end(), choice) == have.choices.end()) missing.push_back(choice);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    plan.drift.push_back({have.name, "select options missing: " + list});
  }
}

}  // namespace

size_t SetupPlan::writes() const {
  size_t n = 0;
  for (const auto& t : tables) n += t.create ? 1 : t.add.size();
  return n;
}

bool SetupPlan::has_drift() const {
  return std::any_of(tables.begin(), tables.end(), [](const TablePlan& t) { return !t.drift.empty(); });
}

SetupPlan plan_setup(const std::vector<const TableSchema*>& wanted, const std::vector<TableSpec>& base) {
  SetupPlan plan;
  for (const TableSchema* schema : wanted) {
    TablePlan t;
    t.schema = schema;
    const TableSpec* existing = locate_table(*schema, base);
    if (!existing) {
      t.create = true;
      t.current_name = schema->name;
      plan.tables.push_back(std::move(t));
      continue;
    }
    t.table_id = existing->id;
    t.current_name = existing->name;
    for (const auto& field : schema->fields) {
      const FieldSpec* have = locate_field(field, *existing);
      if (!have) {
        t.add.push_back(&field);
        continue;
      }
      t.field_ids[field.key] = have->id;
      compare(field, *have, t);
    }
    plan.tables.push_back(std::move(t));
  }
  return plan;
}

Result<void> apply_setup(const AirtableClient& client, SetupPlan& plan) {
  for (auto& t : plan.tables) {
    if (t.create) {
      TableSpec spec = t.schema->to_table_spec();
      spec.name = t.current_name;
      auto created = client.create_table(spec);
      if (!created) return std::unexpected(created.error());
      t.table_id = created->id;
      for (size_t i = 0; i < t.schema->fields.size() && i < created->fields.size(); ++i)
        t.field_ids[t.schema->fields[i].key] = created->fields[i].id;
      continue;
    }
    for (const SchemaField* field : t.add) {
      auto created = client.create_field(t.table_id, field->to_field_spec());
      if (!created) return std::unexpected(created.error());
      t.field_ids[field->key] = created->id;
    }
  }
  return {};
}

}  // namespace airreg
