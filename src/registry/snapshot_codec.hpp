// The registry table as one read saw it, as JSON: what the state directory keeps on disk and
// what the fleet shares in Redis. Cells are stored under the key of their column (not its
// field id or name), so a snapshot reads back after the columns were bound differently.
//   {"version":N,"read_at":"...Z","warnings":[...],"last_listed":{provider:time},
//    "last_runs":[{"provider","category","outcome","finished"}],"records":[{"id","fields":{key:value}}]}
// A body that is not such a document decodes as nothing, with the reason. Pure functions.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "registry/table_snapshot.hpp"

namespace airreg::registry {

// About this much text is handed on at a time by write_snapshot (a piece ends after a record).
inline constexpr size_t kSnapshotPieceBytes = size_t{64} << 10;

// The snapshot's text handed to `out` in pieces, in order: a table of 10,000 records is
// about 5 MB of text, which a caller storing it need not hold whole.
void write_snapshot(const TableSnapshot& snapshot, const Columns& columns, const std::function<void(std::string_view)>& out);
// The pieces joined.
std::string encode_snapshot(const TableSnapshot& snapshot, const Columns& columns);
// Reads its records in pieces of about `piece_bytes` where it can (0: whole), which gives the
// same snapshot or the same error as the whole text.
std::optional<TableSnapshot> decode_snapshot(std::string body, const Columns& columns, std::string* why = nullptr,
                                             size_t piece_bytes = kSnapshotPieceBytes);

}  // namespace airreg::registry
