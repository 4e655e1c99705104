// The providers airreg knows: where their API is, how they take a key, which categories they
// list and which function reads their listing. Static data.
#pragma once

#include <string>
#include <vector>

#include "providers/adapters.hpp"

namespace airreg::providers {

enum class Auth { none, bearer, x_api_key, x_goog_api_key, xi_api_key, ocp_apim };

struct ProviderKind {
  std::string id;                          // "openai"
  std::string rules_key;                   // its section of provider_rules.json
  bool text = false, tts = false;
  std::string base_url;                    // the real API; "{region}" filled from AZURE_SPEECH_REGION
  std::vector<std::string> base_url_variables;  // the first set wins over base_url
  std::vector<std::string> key_variables;       // the first set holds the key
  bool key_required = true;
  Auth auth = Auth::bearer;
  HttpHeaders extra_headers;
  Result<void> (*text_lister)(ListingJob&) = nullptr;
  Result<void> (*tts_lister)(ListingJob&) = nullptr;
};

const std::vector<ProviderKind>& builtin_providers();

}  // namespace airreg::providers
