// A base's webhooks in the data file: everything list webhooks shows, the MAC secret, the
// cursors and the kept payloads, so a restart loses none of them. Not thread-safe: the caller
// holds the store's lock.
#pragma once

#include <simdjson.h>

#include "json_out.hpp"
#include "model.hpp"

namespace airtable_local {

// "webhooks": [...] as a member of the base's object.
void write_webhooks(JsonWriter& w, const Base& base);
// Reads them back into the base, whose tables must be read already: each specification is
// checked against them again, and one that no longer fits leaves its webhook disabled.
void read_webhooks(simdjson::dom::element base_json, Base& base);

}  // namespace airtable_local
