// Reading the registry from Airtable: the whole registry table in one paged listing (only
// the columns airreg uses, cells by field id), which costs ceil(rows / 100) requests however
// many providers it serves, plus one page of Model Sync History (its newest 100 runs) for when
// each provider's listing was last read (the freshness signal: Last Verified cannot be it,
// since real calls to a model bump it) and how each one's last sync ended.
#pragma once

#include <chrono>
#include <string>

#include "airreg/airtable_client.hpp"
#include "registry/table_snapshot.hpp"

namespace airreg::registry {

struct ReadOptions {
  std::chrono::hours look_back{24};  // history rows older than this cannot make a provider fresh (h)
};

struct HistoryRead {
  std::map<std::string, SystemTime> last_listed;  // provider -> newest success or partial run
  std::vector<LastSync> last_runs;                // newest run per provider and category
};

// `requests`, when given, counts what the read sent.
Result<TableSnapshot> read_table(const AirtableClient& client, const Columns& registry, const Columns& history,
                                 SystemTime now, const ReadOptions& options = {}, size_t* requests = nullptr);

// Revalidation (Airtable's monthly call quota): whether any row changed after `since` (one
// request: LAST_MODIFIED_TIME() after it, one row, one small field), and those rows (paged).
// LAST_MODIFIED_TIME() moves with any change a user or the API makes to a non-computed cell.
Result<bool> changed_since(const AirtableClient& client, const Columns& registry, SystemTime since,
                           size_t* requests = nullptr);
Result<std::vector<AirtableRecord>> read_changed(const AirtableClient& client, const Columns& registry, SystemTime since,
                                                 size_t* requests = nullptr);

// Only the history part: the newest 100 runs (one request, however long the history grows),
// those that read a listing (success or partial) within `look_back` of now making a provider
// fresh. A provider with no run among them counts as never listed, and is asked again.
Result<HistoryRead> read_history(const AirtableClient& client, const Columns& history, SystemTime now,
                                 std::chrono::hours look_back, size_t* requests = nullptr);

}  // namespace airreg::registry
