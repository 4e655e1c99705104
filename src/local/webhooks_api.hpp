// The webhooks API of airtable-local for one base: create, list, refresh, delete, turn pings
// on or off, and list payloads by cursor, answering as Airtable documents it. Functions of the
// data; the caller (Service) holds the store's lock.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <string>

#include "ids.hpp"
#include "json_out.hpp"
#include "model.hpp"
#include "query.hpp"
#include "records_api.hpp"

namespace airtable_local {

constexpr size_t kMaxWebhooksPerBase = 10;
// A webhook expires 7 days after its creation, its last refresh or its last payload listing.
constexpr std::chrono::hours kWebhookLifetime{7 * 24};
constexpr int kMaxPayloadsPerListing = 50;

Reply create_webhook(Base& base, simdjson::dom::element body, IdGenerator& ids, SysTime now);
Reply list_webhooks(const Base& base, SysTime now);
Reply refresh_webhook(Base& base, const std::string& webhook_id, SysTime now);
Reply delete_webhook(Base& base, const std::string& webhook_id);
// POST .../enableNotifications {"enable": bool}
Reply enable_webhook_notifications(Base& base, const std::string& webhook_id,
                                   simdjson::dom::element body);
// GET .../payloads?cursor=N&limit=L
Reply list_webhook_payloads(Base& base, const std::string& webhook_id, const Target& target,
                            SysTime now);

// For the data file and lastNotificationResult: the object Airtable lists.
void write_notification_result(JsonWriter& w, const NotificationResult& result);

}  // namespace airtable_local
