// Which field ids the registry's columns have, so that a column renamed while we run changes
// nothing. Asked once per instance, and cheaply: the state directory keeps the binding from
// the last start (ids survive renames, so a restart spends no request); in a fleet one
// instance reads the meta API and the others take its binding from Redis; schema/'s names
// stand in when the meta API cannot be read (with the reason as a warning).
#pragma once

#include "airreg/airtable_client.hpp"
#include "airtable/columns.hpp"
#include "fleet/fleet.hpp"
#include "registry/snapshot_store.hpp"

namespace airreg::registry {

airtable::BoundTables bound_tables(const AirtableClient& client, const RegistrySchemas& schemas, SnapshotStore& store,
                                   fleet::Fleet& fleet);

}  // namespace airreg::registry
