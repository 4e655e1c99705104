// The registry table as one read saw it, as JSON: what the state directory keeps on disk and
// what the fleet shares in Redis. Cells are stored under the key of their column (not its
// field id or name), so a snapshot reads back after the columns were bound differently.
//   {"version":N,"read_at":"...Z","warnings":[...],"last_listed":{provider:time},
//    "last_runs":[{"provider","category","outcome","finished"}],"records":[{"id","fields":{key:value}}]}
// A body that is not such a document decodes as nothing, with the reason. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "registry/table_snapshot.hpp"

namespace airreg::registry {

std::string encode_snapshot(const TableSnapshot& snapshot, const Columns& columns);
std::optional<TableSnapshot> decode_snapshot(std::string_view body, const Columns& columns, std::string* why = nullptr);

}  // namespace airreg::registry
