// The error answers airtable-local sends, shaped as Airtable's:
// {"error":{"type":...,"message":...}}. Plain values; thread-safe to copy.
#pragma once

#include <string>

namespace airtable_local {

struct ApiError {
  int status = 422;
  std::string type;
  std::string message;
};

inline ApiError invalid_request(std::string message) {
  return {422, "INVALID_REQUEST_UNKNOWN", std::move(message)};
}
inline ApiError unknown_field(const std::string& name) {
  return {422, "UNKNOWN_FIELD_NAME", "Unknown field name: \"" + name + "\""};
}
inline ApiError invalid_value(const std::string& field_name, const std::string& why) {
  return {422, "INVALID_VALUE_FOR_COLUMN",
          "Field \"" + field_name + "\" cannot accept the provided value: " + why};
}
inline ApiError model_not_found() {
  return {403, "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
          "Invalid permissions, or the requested model was not found. Check that both your user "
          "and your token have the required permissions, and that the model names and/or ids "
          "are correct."};
}
inline ApiError record_not_found(const std::string& id) {
  return {404, "NOT_FOUND", "Could not find a record with id \"" + id + "\""};
}

}  // namespace airtable_local
