// Airtable cells as JSON, both ways: RapidJSON writes them, simdjson reads them. Used by the
// records API bodies and by the outbox, so a row reads back exactly as it was written.
// Pure functions.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <string>
#include <string_view>

#include "airreg/airtable_types.hpp"

namespace airreg::json {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, std::string_view s);
void write_value(Writer& w, const FieldValue& value);
// {"name": value, ...}
void write_fields(Writer& w, const Fields& fields);
std::string to_string(const rapidjson::StringBuffer& buffer);

// A cell as Airtable sends it; objects (attachments, collaborators) are kept as JSON text.
FieldValue cell_from(simdjson::dom::element value);
Fields fields_from(simdjson::dom::object object);
// The string at key, or "" when it is missing or not a string.
std::string text_at(simdjson::dom::element e, const char* key);

}  // namespace airreg::json
