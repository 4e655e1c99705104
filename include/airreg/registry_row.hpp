// One row of "AI Model Registry", typed: what the table says about a model, with the
// connector's bookkeeping (which seeded values it wrote last, which a person took over) read
// from the Metadata cell. Plain value; thread-safe to copy.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
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

// The merge's bookkeeping of a row, kept in its Metadata cell: the value of each seeded field
// (by key) the connector wrote last, where it is no longer the row's cell, and the seeded
// fields a person changed since (theirs from then on).
struct RowBookkeeping {
  Fields seeded;
  std::set<std::string> people;
};

// A row's RowBookkeeping, which takes a pointer's room until something is kept: a row nobody
// edited (nearly all of them) does not carry an empty map and an empty set (96 bytes a row,
// in every copy of the table). A copy of the box copies what it holds. Read through seeded()
// and people(); change through edit_seeded() and edit_people(), which make it on first use.
class RowBookkeepingBox {
 public:
  RowBookkeepingBox() = default;
  RowBookkeepingBox(const RowBookkeepingBox& other) : held_(copy_of(other)) {}
  RowBookkeepingBox& operator=(const RowBookkeepingBox& other) {
    if (this != &other) held_ = copy_of(other);
    return *this;
  }
  RowBookkeepingBox(RowBookkeepingBox&&) noexcept = default;
  RowBookkeepingBox& operator=(RowBookkeepingBox&&) noexcept = default;

  const Fields& seeded() const { return held_ ? held_->seeded : none().seeded; }
  const std::set<std::string>& people() const { return held_ ? held_->people : none().people; }
  Fields& edit_seeded() { return made().seeded; }
  std::set<std::string>& edit_people() { return made().people; }
  // Whether it takes more room than the pointer.
  bool held() const { return held_ != nullptr; }
  // Lets go of what holds nothing any more.
  void drop_if_empty() {
    if (held_ && held_->seeded.empty() && held_->people.empty()) held_.reset();
  }

 private:
  static const RowBookkeeping& none() {
    // Never destroyed: a row read while statics are torn down at exit still finds it.
    static const RowBookkeeping& empty = *new RowBookkeeping;
    return empty;
  }
  static std::unique_ptr<RowBookkeeping> copy_of(const RowBookkeepingBox& other) {
    return other.held_ ? std::make_unique<RowBookkeeping>(*other.held_) : nullptr;
  }
  RowBookkeeping& made() {
    if (!held_) held_ = std::make_unique<RowBookkeeping>();
    return *held_;
  }
  std::unique_ptr<RowBookkeeping> held_;
};

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
  // The seeded fields whose last-written value is still the row's own cell, as bits (bit i:
  // the i-th of Model Name, Category, Max Tokens, Max Output Tokens, Input Cost, Output Cost,
  // Features), so that a row nobody edited holds no copies. Such a row's cells are what was
  // read: a copy whose seeded cells are changed in memory is not a row to merge again (its
  // last-written values would change with them).
  uint8_t seeded_in_cells = 0;
  // The rest of the merge's bookkeeping, from Metadata; nothing for nearly every row.
  RowBookkeepingBox book;

  std::string key() const { return provider_id + "/" + model_id; }
};

}  // namespace airreg
