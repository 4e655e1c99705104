// One row of "AI Model Registry", typed: what the table says about a model, with the
// connector's bookkeeping (which seeded values it wrote last, which a person took over) read
// from the Metadata cell. Plain value; thread-safe to copy.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "airreg/airtable_types.hpp"
#include "airreg/discovery.hpp"

namespace airreg {

enum class ModelStatus { pending, active, beta, preview, disabled, deprecated };
std::string_view to_string(ModelStatus s);
std::optional<ModelStatus> parse_status(std::string_view text);
// active, beta and preview may be served; pending, disabled and deprecated may not.
bool usable(ModelStatus s);

using SystemTime = std::chrono::system_clock::time_point;

struct RegistryRow {
  std::string record_id;  // empty for a row not yet in Airtable
  std::string provider_id;
  std::string model_id;
  std::string model_name;
  ModelCategory category = ModelCategory::text;
  ModelStatus status = ModelStatus::pending;
  bool available = false;
  std::optional<SystemTime> last_verified, first_seen, missing_since;
  std::string discovery_method;  // api, manual, fallback
  std::optional<double> input_cost, output_cost;  // USD per 1K tokens
  std::optional<int64_t> max_tokens, max_output_tokens;
  std::vector<std::string> features, regions;
  std::string deprecation_date;  // YYYY-MM-DD
  bool recommended = false;
  std::optional<double> sort_order;
  std::string notes;
  // From Metadata, the merge's bookkeeping: the value of each seeded field (by key) the
  // connector wrote last, and the seeded fields a person changed since (theirs from then on).
  // A last-written value that is still the row's own cell is not copied into `seeded`: it is
  // a bit of seeded_in_cells (bit i: the i-th of Model Name, Category, Max Tokens, Max Output
  // Tokens, Input Cost, Output Cost, Features), so that a row nobody edited holds no copies.
  // Such a row's cells are what was read: a copy whose seeded cells are changed in memory is
  // not a row to merge again (its last-written values would change with them).
  Fields seeded;
  std::set<std::string> people;
  uint8_t seeded_in_cells = 0;

  std::string key() const { return provider_id + "/" + model_id; }
};

}  // namespace airreg
