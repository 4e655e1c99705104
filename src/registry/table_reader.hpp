// Reading the registry from Airtable: the whole registry table in one paged listing (only
// the columns airreg uses, cells by field id), which costs ceil(rows / 100) requests however
// many providers it serves, plus one small listing of Model Sync History for when each
// provider's listing was last read (the freshness signal: Last Verified cannot be it, since
// real calls to a model bump it).
#pragma once

#include <chrono>
#include <string>

#include "airreg/airtable_client.hpp"
#include "registry/table_snapshot.hpp"

namespace airreg::registry {

struct ReadOptions {
  std::chrono::hours look_back{24};  // history rows older than this cannot make a provider fresh (h)
};

// `requests`, when given, counts what the read sent.
Result<TableSnapshot> read_table(const AirtableClient& client, const Columns& registry, const Columns& history,
                                 SystemTime now, const ReadOptions& options = {}, size_t* requests = nullptr);

// Only the history part: provider -> the newest run that read its listing (success or
// partial) within `look_back` of now.
Result<std::map<std::string, SystemTime>> read_last_listed(const AirtableClient& client, const Columns& history,
                                                           SystemTime now, std::chrono::hours look_back,
                                                           size_t* requests = nullptr);

}  // namespace airreg::registry
