// Checks a value sent for a field against the field's type, as Airtable does, and turns it
// into a stored Cell. Not thread-safe: may add a select choice to the field (typecast).
#pragma once

#include <simdjson.h>

#include <expected>
#include <optional>

#include "api_error.hpp"
#include "ids.hpp"
#include "model.hpp"

namespace airtable_local {

// The field types airtable-local knows; anything else is refused when a field is created.
bool is_supported_field_type(std::string_view type);

// nullopt means "empty": the cell is cleared. With typecast, strings are converted where
// Airtable would convert them and unknown select options are added to the field.
std::expected<std::optional<Cell>, ApiError> coerce_cell(Field& field,
                                                         simdjson::dom::element value,
                                                         bool typecast, IdGenerator& ids);

}  // namespace airtable_local
