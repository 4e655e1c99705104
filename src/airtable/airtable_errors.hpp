// Turns an Airtable error answer into an airreg::Error: Airtable's type and message, the
// status, whether a retry may help, and for 401/403 the token scope that is probably missing.
// Pure function; never includes the token.
#pragma once

#include <string>

#include "airreg/error.hpp"
#include "airreg/http_transport.hpp"

namespace airreg::airtable {

// The scope the failed request needed, e.g. "data.records:write".
Error error_from_response(const HttpResponse& response, const std::string& scope,
                          const std::string& base_id);

}  // namespace airreg::airtable
