// Follows a person's renames: reads the base's schema and gives each table and field of
// schema/ the name it has in the base now (found by the `[airreg:...]` marker, as setup does).
// When the schema cannot be read (a token without schema.bases:read), the names stay as in
// schema/ and the reason comes back as a warning.
#pragma once

#include <optional>
#include <string>

#include "airreg/airtable_client.hpp"
#include "airreg/schema.hpp"

namespace airreg::registry {

// Returns a warning when the names could not be checked.
std::optional<std::string> adopt_current_names(const AirtableClient& client, RegistrySchemas& schemas);

}  // namespace airreg::registry
