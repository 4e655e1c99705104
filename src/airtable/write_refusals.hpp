// What a refused write means, by Airtable's error type, so that the batch writer treats each
// cause as it deserves:
//   schema  the base lacks what the row needs (an unknown field, a select option that does not
//           exist, a request Airtable cannot read): every later row would fail the same way,
//           so the flush stops and says what to fix; nothing is moved aside
//   cell    one cell of one row is refused (INVALID_VALUE_FOR_COLUMN names the field): the row
//           is sent again without it, so its other cells still land
//   gone    an update of a record that no longer exists: nothing to write
//   row     anything else Airtable refuses about a row (INVALID_RECORDS, ...): the batch is
//           split until the row is alone, and the row is kept aside for a person
// Pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "airreg/airtable_types.hpp"
#include "airreg/error.hpp"

namespace airreg::airtable {

enum class Refusal { none, schema, cell, gone, row };

Refusal classify_refusal(const Error& error);

// The cell of `row` a refusal names: a field id or name quoted in Airtable's message, or
// the name `name_of(id)` gives for one of the row's field ids. Nothing when none matches.
template <typename NameOf>
std::optional<std::string> refused_cell(const Error& error, const Fields& row, NameOf name_of) {
  std::optional<std::string> best;
  size_t best_length = 0;
  for (const auto& [field, value] : row) {
    for (const std::string& said : {field, std::string(name_of(field))}) {
      if (said.empty() || said.size() <= best_length) continue;
      if (error.message.find("\"" + said + "\"") != std::string::npos ||
          error.message.find("field " + said) != std::string::npos) {
        best = field;
        best_length = said.size();
      }
    }
  }
  return best;
}

// What a person must do about a schema refusal, in words.
std::string schema_advice(const Error& error);

}  // namespace airreg::airtable
