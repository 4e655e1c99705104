// The seeded fields of a row (Model Name, Category, Max Tokens, Max Output Tokens, Input Cost,
// Output Cost, Features): the cells the connector fills from a listing for as long as no
// person changed them. What the connector wrote last is kept in the row's Metadata; in memory
// a value that is still the row's own cell is only a bit (RegistryRow::seeded_in_cells), not a
// copy: that is every seeded field of a row nobody edited, and 10,000 rows would otherwise
// hold 3 MB of copies. RegistryRow::book holds the others (a person changed the cell since).
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "airreg/registry_row.hpp"

namespace airreg::registry {

inline constexpr std::array<std::string_view, 7> kSeededFields = {
    "model_name", "category", "max_tokens", "max_output_tokens", "input_cost", "output_cost", "features"};

// The row's cell of a seeded field, as Airtable carries it (empty when unset).
FieldValue seeded_cell(const RegistryRow& row, std::string_view field);
void set_seeded_cell(RegistryRow& row, std::string_view field, const FieldValue& value);

// The value the connector wrote last to `field`; nothing when it never wrote one.
std::optional<FieldValue> last_seeded(const RegistryRow& row, std::string_view field);
// The connector wrote `value` to `field` (now the row's cell): kept as a bit, or as a copy
// (which a later in-memory edit of the cell does not change).
void remember_seeded(RegistryRow& row, std::string_view field, const FieldValue& value, bool as_bit);
// Every last-written value by field, as Metadata keeps them.
Fields seeded_values(const RegistryRow& row);
// After a row is read from its record: the last-written values that are still its cells
// become bits.
void fold_seeded(RegistryRow& row);
// Every bit back to a copy: for a row whose cells may be edited in memory before a merge.
void unfold_seeded(RegistryRow& row);

}  // namespace airreg::registry
