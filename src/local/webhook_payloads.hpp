// Turns what one API request changed in a table into a payload for every webhook of the base
// that watches it, as Airtable's "Webhooks payload" and "Webhooks table changed" describe:
// created records with their cells, changed records with the new values of the changed cells
// (and, when the specification asks, their previous values and the unchanged ones), destroyed
// record ids. Cell values use Airtable's V2 (webhooks) format. Not thread-safe: the caller holds
// the store's lock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clock_text.hpp"
#include "model.hpp"
#include "record_changes.hpp"
#include "user_identity.hpp"

namespace airtable_local {

// Payloads kept per webhook; the oldest go first (Airtable keeps them a week).
constexpr size_t kMaxPayloadsPerWebhook = 10'000;

// A webhook to ping after a change.
struct PingTarget {
  std::string base_id;
  std::string webhook_id;
  std::string url;
  std::string mac_secret_base64;
};

// Where to ping a webhook now: only when it is enabled, its notifications are on and its
// notificationUrl is on this machine (airtable-local pings nothing else).
std::optional<PingTarget> ping_target(const Base& base, const Webhook& hook, SysTime now);

// Counts the base's transaction and adds the payloads; returns the webhooks to ping (enabled,
// with notifications on and a loopback notificationUrl).
std::vector<PingTarget> record_payloads(Base& base, const Table& table, const TableChanges& changes,
                                        const UserIdentity& user, SysTime now);

}  // namespace airtable_local
