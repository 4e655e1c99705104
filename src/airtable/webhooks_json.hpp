// JSON of Airtable's webhooks API: the create body (a notification URL and a specification
// limited to one table's data), the webhook list and create answers, and payload pages, whose
// changes come out as RecordChanges with cells by field id. Pure functions; a body of the
// wrong shape is an error naming what was expected.
#pragma once

#include <string>
#include <vector>

#include "airreg/airtable_client.hpp"

namespace airreg::airtable {

std::string write_webhook_body(const std::string& notification_url, const std::string& table_id);
Result<WebhookInfo> parse_webhook_created(const std::string& body);
Result<std::vector<WebhookInfo>> parse_webhooks(const std::string& body);
Result<std::string> parse_expiration(const std::string& body);
Result<WebhookPayloadPage> parse_payload_page(const std::string& body);
Result<std::string> parse_whoami(const std::string& body);

}  // namespace airreg::airtable
