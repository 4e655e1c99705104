// The airreg command line pointed at a LocalServer through the environment, as a user would
// run it; `env` is extra VAR=value words (e.g. "AIRREG_STATE_DIR=/tmp/x").
#pragma once

#include <string>

#include "local_server.hpp"

namespace airreg::test {

inline const std::string kTestToken = "pat-secret-test-token-0123456789";

inline std::string airreg_command(const LocalServer& server, const std::string& args,
                                  const std::string& token = kTestToken, const std::string& env = "") {
  return "env AIRTABLE_API_KEY=" + token + " AIRTABLE_BASE_ID=" + LocalServer::kBase +
         " AIRTABLE_ENDPOINT_URL=" + server.url() + " " + env + " " AIRREG_BIN " " + args;
}

}  // namespace airreg::test
