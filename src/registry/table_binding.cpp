#include "registry/table_binding.hpp"

#include <thread>

namespace airreg::registry {

namespace {

using namespace std::chrono_literals;

constexpr auto kSharedFor = 24h;      // a column added or retyped is seen by the next day
constexpr auto kWaitForOther = 3s;    // another instance reading the meta API

std::optional<airtable::BoundTables> from_fleet(fleet::Fleet& fleet, const RegistrySchemas& schemas) {
  auto body = fleet.value("binding");
  if (!body) return std::nullopt;
  return airtable::BoundTables::from_json(schemas, *body);
}

}  // namespace

airtable::BoundTables bound_tables(const AirtableClient& client, const RegistrySchemas& schemas, SnapshotStore& store,
                                   fleet::Fleet& fleet) {
  const std::string& base = client.config().base_id;
  if (auto kept = store.load_binding(base, schemas)) return *kept;
  std::optional<airtable::BoundTables> tables;
  if (fleet.shared()) {
    tables = from_fleet(fleet, schemas);
    if (!tables) {
      auto lease = fleet.try_lease("binding", 10s);
      for (auto until = std::chrono::steady_clock::now() + kWaitForOther; !lease && !tables;) {
        if (std::chrono::steady_clock::now() >= until) break;
        std::this_thread::sleep_for(100ms);
        tables = from_fleet(fleet, schemas);
      }
      if (!tables) {
        tables = airtable::bind_tables(client, schemas);
        if (tables->bound()) fleet.put_value("binding", tables->to_json(), kSharedFor);
      }
    }
  } else {
    tables = airtable::bind_tables(client, schemas);
  }
  if (tables->bound()) (void)store.save_binding(base, *tables);
  return *tables;
}

}  // namespace airreg::registry
