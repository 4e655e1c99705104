// Reads the registry rows of one provider (or all) from Airtable in one filtered, paged
// listing, keeping the records (for the writer's diff) beside the parsed rows.
#pragma once

#include <string>
#include <vector>

#include "airreg/airtable_client.hpp"
#include "registry/row_codec.hpp"

namespace airreg::registry {

struct ReadRows {
  std::vector<AirtableRecord> records;
  ParsedRows parsed;
};

// provider "" reads every row.
Result<ReadRows> read_rows(const AirtableClient& client, const FieldNames& names, const std::string& provider);

}  // namespace airreg::registry
