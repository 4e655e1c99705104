// AirtableClient's webhooks and whoami: the records and meta calls are in airtable_client.cpp.
#include "airreg/airtable_client.hpp"
#include "airtable/webhooks_json.hpp"
#include "http/url.hpp"

namespace airreg {

std::string AirtableClient::webhooks_url(const std::string& rest) const {
  return config_.endpoint_url + "/v0/bases/" + http::url_encode(config_.base_id) + "/webhooks" + rest;
}

Result<WebhookInfo> AirtableClient::create_webhook(const std::string& notification_url, const std::string& table_id) const {
  auto response = call("POST", webhooks_url(""), airtable::write_webhook_body(notification_url, table_id), Access::webhook_manage);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_webhook_created(response->body);
}

Result<std::vector<WebhookInfo>> AirtableClient::list_webhooks() const {
  auto response = call("GET", webhooks_url(""), "", Access::webhook_manage);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_webhooks(response->body);
}

Result<std::string> AirtableClient::refresh_webhook(const std::string& webhook_id) const {
  auto response = call("POST", webhooks_url("/" + http::url_encode(webhook_id) + "/refresh"), "", Access::webhook_manage);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_expiration(response->body);
}

Result<void> AirtableClient::delete_webhook(const std::string& webhook_id) const {
  auto response = call("DELETE", webhooks_url("/" + http::url_encode(webhook_id)), "", Access::webhook_manage);
  if (!response) return std::unexpected(response.error());
  return {};
}

Result<WebhookPayloadPage> AirtableClient::webhook_payloads(const std::string& webhook_id, long long cursor) const {
  auto response = call("GET", webhooks_url("/" + http::url_encode(webhook_id) + "/payloads?cursor=" + std::to_string(cursor)), "",
                       Access::webhook_manage);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_payload_page(response->body);
}

Result<std::string> AirtableClient::whoami() const {
  auto response = call("GET", config_.endpoint_url + "/v0/meta/whoami", "", Access::schema_read);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_whoami(response->body);
}

}  // namespace airreg
