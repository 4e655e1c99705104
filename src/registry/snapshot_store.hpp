// The last rows read from Airtable, per base and provider, kept in the state directory so
// that statuses and people's choices are known even when Airtable cannot be read, also right
// after a restart. Written atomically; a broken file reads as no snapshot. Thread-safe (each
// write replaces the file whole).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "airreg/airtable_types.hpp"
#include "airreg/error.hpp"

namespace airreg::registry {

Result<void> save_snapshot(const std::filesystem::path& dir, const std::string& base_id, const std::string& provider,
                           const std::vector<AirtableRecord>& records);
// Empty when there is none (or it cannot be read).
std::vector<AirtableRecord> load_snapshot(const std::filesystem::path& dir, const std::string& base_id,
                                          const std::string& provider);

}  // namespace airreg::registry
