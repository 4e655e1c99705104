// Reads and checks the body of POST /v0/bases/{base}/webhooks: the notificationUrl and the
// specification (filters and includes), as Airtable's "Webhooks specification" describes them.
// Tables, views and fields must be given by id and exist in the base. Pure functions of the
// body and the base.
#pragma once

#include <simdjson.h>

#include <expected>
#include <string>

#include "api_error.hpp"
#include "model.hpp"

namespace airtable_local {

struct WebhookRequest {
  std::string notification_url;  // empty: none given
  WebhookSpec spec;
};

// 422 INVALID_REQUEST_UNKNOWN naming the member that is wrong.
std::expected<WebhookRequest, ApiError> parse_create_webhook(simdjson::dom::element body,
                                                             const Base& base);
// The specification object alone (also used when the data file is read back).
std::expected<WebhookSpec, ApiError> parse_specification(simdjson::dom::element specification,
                                                         const Base& base);

}  // namespace airtable_local
