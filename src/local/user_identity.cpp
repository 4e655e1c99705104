#include "user_identity.hpp"

#include "digest.hpp"
#include "json_out.hpp"

namespace airtable_local {

namespace {
// airtable-local checks no scopes; it reports those its endpoints would need on Airtable.
constexpr const char* kScopes[] = {"data.records:read", "data.records:write", "schema.bases:read",
                                   "schema.bases:write", "webhook:manage"};
}  // namespace

UserIdentity identity_for_token(std::string_view token) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  // A prefix keeps these ids apart from any other use of the token's hash.
  Sha256Digest hash = sha256(std::string("airtable-local user:") + std::string(token));
  UserIdentity user;
  user.id = "usr";
  for (int i = 0; i < 14; ++i) user.id += kAlphabet[hash[static_cast<size_t>(i)] % 62];
  user.email = "user-" + to_hex(hash.data() + 14, 4) + "@airtable-local.invalid";
  return user;
}

std::string whoami_json(const UserIdentity& user) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_member(w, "id", user.id);
  write_key(w, "scopes");
  w.StartArray();
  for (const char* scope : kScopes) write_string(w, scope);
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace airtable_local
