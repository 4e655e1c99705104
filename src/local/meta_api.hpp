// The meta API of airtable-local: read a base's schema, create tables and fields, rename or
// re-describe them. Functions of the data; the caller holds the store's lock.
#pragma once

#include <simdjson.h>

#include "ids.hpp"
#include "model.hpp"
#include "records_api.hpp"

namespace airtable_local {

Reply list_tables(const Base& base);
Reply create_table(Base& base, simdjson::dom::element body, IdGenerator& ids);
Reply update_table(Table& table, const Base& base, simdjson::dom::element body);
Reply create_field(Table& table, simdjson::dom::element body, IdGenerator& ids);
Reply update_field(Table& table, const std::string& field_id, simdjson::dom::element body);

}  // namespace airtable_local
