// Who a token is, as airtable-local reports it: GET /v0/meta/whoami and the user in webhook
// payloads' actionMetadata. Derived from the token alone (a hash), so the same token is the same
// user across restarts and data files, and a client can recognise its own changes. Pure.
#pragma once

#include <string>
#include <string_view>

namespace airtable_local {

struct UserIdentity {
  std::string id;     // usr + 14 characters
  std::string email;  // a made-up address in the reserved .invalid domain
};

UserIdentity identity_for_token(std::string_view token);

// {"id":"usr...","scopes":[...]}
std::string whoami_json(const UserIdentity& user);

}  // namespace airtable_local
