// How a sync of one provider and category ended, as Model Sync History records it. A closed
// set: a typo must not compile. Pure functions.
#pragma once

#include <optional>
#include <string_view>

namespace airreg {

enum class SyncOutcome { success, partial, failed, skipped };
std::string_view to_string(SyncOutcome o);
std::optional<SyncOutcome> parse_outcome(std::string_view text);

}  // namespace airreg
