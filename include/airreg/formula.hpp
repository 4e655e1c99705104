// Building blocks for Airtable formulas (filterByFormula) from untrusted text, so that a
// model id such as  it's/"odd"}  can never break out of its literal. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace airreg::formula {

// A string literal: 'text' with \ and ' escaped.
std::string quote(std::string_view text);
// A field reference: {name} with \ and } escaped.
std::string field(std::string_view name);
// {field} = 'value'
std::string equals(std::string_view field_name, std::string_view value);

}  // namespace airreg::formula
