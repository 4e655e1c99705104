// Rows of "Model Sync History": one per provider and category of a sync (or of a read-path
// refresh), which is also how every instance learns when a provider's listing was last read.
// Pure functions.
#pragma once

#include <string>

#include "airreg/sync.hpp"
#include "airtable/columns.hpp"

namespace airreg::registry {

// host:pid, for the history's Instance column.
std::string default_instance();

// The row's cells by Columns::cell; `rate_limited` is the run's 429 count.
Fields history_row(const ProviderSync& sync, const airtable::Columns& history, const std::string& instance,
                   size_t rate_limited);

BatchWriterOptions history_writer_options(const airtable::Columns& history);
// The registry table's writer: upserts on the key, compare-and-set on every cell a person may
// own (seeded and people's) and on Metadata, which records what the seeded cells were set to.
BatchWriterOptions registry_writer_options(const airtable::Columns& registry);

}  // namespace airreg::registry
