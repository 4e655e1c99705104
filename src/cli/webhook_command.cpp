// airreg webhook list|remove: the Airtable webhook airreg serve --public-url keeps on the
// registry table. serve makes and refreshes it; this removes it (serve without --public-url
// then revalidates the table instead), or lists the base's webhooks.
#include <cstdio>

#include "cli/airtable_options.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/registry_options.hpp"
#include "fleet/fleet.hpp"
#include "serve/webhook_manager.hpp"

namespace airreg::cli {

int webhook_command(const Args& args) {
  cxxopts::Options options("airreg webhook", "List the base's Airtable webhooks, or remove the one airreg serve made.");
  options.add_options()
    ("action", "list or remove", cxxopts::value<std::string>());
  options.parse_positional({"action"});
  options.positional_help("list|remove");
  add_redis_option(options);
  auto command = start_airtable_command(options, args, "Exit codes: 0 done, 1 runtime error, 2 usage or configuration error.\n");
  if (!command) return command.error();
  std::string action = command->args.count("action") ? command->args["action"].as<std::string>() : "";
  if (action != "list" && action != "remove")
    return report_error(make_error(ErrorCode::invalid_argument, "airreg webhook takes list or remove, not '" + action + "'"));
  AirtableClient client(command->settings.airtable, make_curl_transport(command->settings.transport));
  if (action == "list") {
    auto listed = client.list_webhooks();
    if (!listed) return report_error(listed.error());
    if (listed->empty()) std::printf("no webhooks on base %s\n", command->settings.airtable.base_id.c_str());
    for (const auto& w : *listed)
      std::printf("%s  expires %s  -> %s\n", w.id.c_str(), w.expiration_time.c_str(),
                  w.notification_url.empty() ? "(no notification URL)" : w.notification_url.c_str());
    return kExitOk;
  }
  auto redis = redis_url(command->args);
  if (!redis) return report_error(redis.error());
  auto fleet = fleet::connect_fleet(fleet::fleet_config(*redis, command->settings.airtable.base_id, "webhook",
                                                       command->settings.airtable.max_requests_per_second));
  if (!fleet) return report_error(fleet.error());
  auto removed = serve::WebhookManager::remove(client, command->settings.state_dir, *fleet);
  if (!removed) return report_error(removed.error());
  std::printf("%zu webhook(s) removed from base %s\n", *removed, command->settings.airtable.base_id.c_str());
  return kExitOk;
}

}  // namespace airreg::cli
