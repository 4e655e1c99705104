// Creates the tables of schema/ in a test base through the library's setup, trying again
// while a server's injected faults get in the way. Needs AIRREG_TEST_SCHEMA_DIR.
#pragma once

#include <stdexcept>

#include "airreg/setup.hpp"

namespace airreg::test {

inline void set_up_registry_tables(const AirtableClient& client) {
  auto schemas = RegistrySchemas::load(AIRREG_TEST_SCHEMA_DIR).value();
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto base = client.tables();
    if (!base) continue;
    auto plan = plan_setup({&schemas.registry, &schemas.history}, *base);
    if (plan.writes() == 0) return;
    (void)apply_setup(client, plan);
  }
  // An exception fails a test as FAIL would, and also works in the benchmarks.
  throw std::runtime_error("could not create the registry tables");
}

}  // namespace airreg::test
