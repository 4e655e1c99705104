// Planning `airreg setup` against a base schema, without any I/O.
#include <catch2/catch.hpp>

#include "airreg/setup.hpp"

using namespace airreg;

namespace {

const RegistrySchemas& schemas() {
  static RegistrySchemas s = [] {
    auto loaded = RegistrySchemas::load(AIRREG_TEST_SCHEMA_DIR);
    REQUIRE(loaded.has_value());
    return *loaded;
  }();
  return s;
}

// The base as setup would have created it.
TableSpec created(const TableSchema& schema, const std::string& id) {
  TableSpec t = schema.to_table_spec();
  t.id = id;
  for (size_t i = 0; i < t.fields.size(); ++i) t.fields[i].id = id + "_f" + std::to_string(i);
  return t;
}

}  // namespace

TEST_CASE("the schema files load with every DESIGN.md field and a marker in each description", "[setup]") {
  const auto& reg = schemas().registry;
  CHECK(reg.name == "AI Model Registry");
  CHECK(reg.fields.size() == 22);
  CHECK(reg.fields.front().key == "model_key");
  CHECK(reg.merge_on == std::vector<std::string>{"provider_id", "model_id"});
  for (const auto& f : reg.fields) CHECK(f.description.find(f.marker()) != std::string::npos);
  CHECK(reg.find("status")->choices ==
        std::vector<std::string>{"pending", "active", "beta", "preview", "disabled", "deprecated"});
  CHECK(schemas().history.find("run_key") != nullptr);
}

TEST_CASE("an empty base plans both tables", "[setup]") {
  auto plan = plan_setup({&schemas().registry, &schemas().history}, {});
  REQUIRE(plan.tables.size() == 2);
  CHECK(plan.tables[0].create);
  CHECK(plan.writes() == 2);
  CHECK_FALSE(plan.has_drift());
}

TEST_CASE("a complete base needs nothing", "[setup]") {
  std::vector<TableSpec> base{created(schemas().registry, "tblA"), created(schemas().history, "tblB")};
  auto plan = plan_setup({&schemas().registry, &schemas().history}, base);
  CHECK(plan.writes() == 0);
  CHECK_FALSE(plan.has_drift());
  CHECK(plan.tables[0].field_ids.at("model_id") == "tblA_f2");
}

TEST_CASE("a missing field is added, a renamed one followed, drift reported", "[setup]") {
  TableSpec t = created(schemas().registry, "tblA");
  t.fields.erase(t.fields.begin() + 21);       // Notes missing
  t.fields[3].name = "Display Name";           // Model Name renamed by a person
  t.fields[13].type = "singleLineText";        // Max Tokens retyped
  t.fields[5].choices.pop_back();              // Status lost "deprecated"
  auto plan = plan_setup({&schemas().registry}, {t});
  const TablePlan& p = plan.tables[0];
  REQUIRE(p.add.size() == 1);
  CHECK(p.add[0]->name == "Notes");
  REQUIRE(p.renamed.size() == 1);
  CHECK(p.renamed[0].current_name == "Display Name");
  CHECK(p.renamed[0].schema_name == "Model Name");
  CHECK(p.field_ids.at("model_name") == "tblA_f3");
  REQUIRE(p.drift.size() == 2);
  CHECK(p.drift[0].field == "Status");
  CHECK(p.drift[0].problem.find("deprecated") != std::string::npos);
  CHECK(p.drift[1].problem.find("singleLineText") != std::string::npos);
  CHECK(plan.has_drift());
}

TEST_CASE("a table renamed by a person is found by its marker", "[setup]") {
  TableSpec t = created(schemas().registry, "tblA");
  t.name = "Models (ours)";
  auto plan = plan_setup({&schemas().registry}, {t});
  CHECK_FALSE(plan.tables[0].create);
  CHECK(plan.tables[0].current_name == "Models (ours)");
}
