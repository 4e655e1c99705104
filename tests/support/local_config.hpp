// An AirtableConfig pointing at a LocalServer. Pacing is off: these servers run without a
// rate limit unless a test asks for one, and then the test sets the rate it means to test.
#pragma once

#include <string>

#include "airreg/airtable_client.hpp"
#include "local_server.hpp"

namespace airreg::test {

inline AirtableConfig local_config(const LocalServer& server, std::string token = "t") {
  AirtableConfig c;
  c.token = std::move(token);
  c.base_id = LocalServer::kBase;
  c.endpoint_url = server.url();
  c.max_requests_per_second = 0;
  return c;
}

}  // namespace airreg::test
