// airreg sync: discover, merge by the ownership rules, write, and log each provider's run.
#include <cstdio>
#include <iostream>

#include "airreg/sync.hpp"
#include "cli/airtable_options.hpp"
#include "cli/commands.hpp"
#include "cli/human_text.hpp"
#include "cli/json_output.hpp"
#include "cli/exit_codes.hpp"
#include "cli/progress_display.hpp"
#include "json/member.hpp"
#include "cli/registry_options.hpp"

namespace airreg::cli {

namespace {

void print_text(const SyncReport& r, bool dry_run) {
  std::printf("\n%-12s %-5s %-8s %10s %5s %7s %7s %10s %8s %8s %5s %8s\n", "provider", "cat", "outcome", "discovered", "new",
              "updated", "missing", "deprecated", "skipped", "requests", "429s", "time");
  for (const auto& p : r.providers)
    std::printf("%-12s %-5s %-8s %10zu %5zu %7zu %7zu %10zu %8zu %8zu %5zu %6.1f s\n", p.provider.c_str(),
                std::string(to_string(p.category)).c_str(), std::string(to_string(p.outcome)).c_str(), p.discovered, p.created, p.updated, p.missing,
                p.deprecated, p.skipped_rows, p.requests, r.registry_writes.rate_limited, static_cast<double>(p.elapsed.count()) / 1000);
  for (const auto& p : r.providers) {
    if (!p.new_model_ids.empty()) {
      std::string ids;
      for (const auto& id : p.new_model_ids) ids += (ids.empty() ? "" : ", ") + id;
      std::printf("%s: new %s: %s\n", p.provider.c_str(), dry_run ? "(would be added)" : "(pending approval unless --new-status active)",
                  ids.c_str());
    }
    for (const auto& note : p.notes) std::printf("%s (%s): %s\n", p.provider.c_str(), std::string(to_string(p.category)).c_str(), note.c_str());
  }
  for (const auto& warning : r.warnings) std::printf("warning: %s\n", warning.c_str());
  if (dry_run) {
    std::printf("dry run: nothing written\n");
    return;
  }
  const auto& w = r.registry_writes;
  std::printf("%s\n", write_summary(w).c_str());
  size_t waiting = std::max(w.waiting, r.history_writes.waiting);
  if (waiting) std::printf("%zu row(s) wait in the outbox: `airreg flush` writes them\n", waiting);
  if (w.stopped) std::printf("writing stopped: %s\n", w.stopped->describe().c_str());
  if (r.history_writes.stopped) std::printf("the history was not written: %s\n", r.history_writes.stopped->describe().c_str());
}

void print_json(const SyncReport& r, bool dry_run) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  json::member(w, "dry_run", dry_run);
  json::member(w, "ok", r.ok());
  w.Key("providers");
  w.StartArray();
  for (const auto& p : r.providers) {
    w.StartObject();
    json::member(w, "provider", p.provider);
    json::member(w, "category", std::string(to_string(p.category)));
    json::member(w, "outcome", std::string(to_string(p.outcome)));
    w.Key("unclassified");
    w.StartArray();
    for (const auto& id : p.unclassified) write_string(w, id);
    w.EndArray();
    json::member(w, "discovered", p.discovered);
    json::member(w, "new", p.created);
    json::member(w, "updated", p.updated);
    json::member(w, "unchanged", p.unchanged);
    json::member(w, "missing", p.missing);
    json::member(w, "deprecated", p.deprecated);
    json::member(w, "skipped_rows", p.skipped_rows);
    json::member(w, "requests", p.requests);
    json::member(w, "elapsed_ms", p.elapsed.count());
    w.Key("new_model_ids");
    w.StartArray();
    for (const auto& id : p.new_model_ids) write_string(w, id);
    w.EndArray();
    w.Key("notes");
    w.StartArray();
    for (const auto& n : p.notes) write_string(w, n);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("airtable");
  w.StartObject();
  json::member(w, "written", r.registry_writes.written);
  json::member(w, "requests", r.registry_writes.requests);
  json::member(w, "rate_limited", r.registry_writes.rate_limited);
  json::member(w, "waiting", std::max(r.registry_writes.waiting, r.history_writes.waiting));
  w.EndObject();
  w.EndObject();
  std::cout << buffer.GetString() << "\n";
}

}  // namespace

int sync_command(const Args& args) {
  cxxopts::Options options("airreg sync", "Ask the providers, merge with the table by its ownership rules, write the changes.");
  options.add_options()
    ("provider", "a provider (repeat for several; default: every one with a key)", cxxopts::value<std::vector<std::string>>())
    ("category", "text or tts (default: both)", cxxopts::value<std::string>())
    ("force", "ask providers whose listing was read within 24 h too")
    ("dry-run", "merge and report, write nothing")
    ("new-status", "status of new models: pending (a person approves) or active", cxxopts::value<std::string>()->default_value("pending"))
    ("json", "print the result as JSON");
  add_redis_option(options);
  auto command = start_airtable_command(
      options, args,
      "Exit codes: 0 every provider synced (or was skipped), 1 runtime error, 2 usage or configuration\n"
      "error, 3 some provider or row failed (named in the output; unwritten rows wait in the outbox).\n");
  if (!command) return command.error();
  const auto& parsed = command->args;
  const AirtableSettings& settings = command->settings;

  SyncOptions sync;
  if (parsed.count("provider")) sync.providers = parsed["provider"].as<std::vector<std::string>>();
  if (parsed.count("category")) {
    auto c = parse_category(parsed["category"].as<std::string>());
    if (!c) return report_error(make_error(ErrorCode::invalid_argument, "--category must be text or tts"));
    sync.categories = {*c};
  }
  auto status = parse_status(parsed["new-status"].as<std::string>());
  if (!status || (*status != ModelStatus::pending && *status != ModelStatus::active))
    return report_error(make_error(ErrorCode::invalid_argument, "--new-status must be pending or active"));
  sync.new_status = *status;
  sync.force = parsed.count("force") > 0;
  sync.dry_run = parsed.count("dry-run") > 0;
  auto redis = redis_url(parsed);
  if (!redis) return report_error(redis.error());
  sync.redis_url = *redis;

  auto schemas = RegistrySchemas::load(settings.schema_dir);
  if (!schemas) return report_error(schemas.error());
  schemas->registry.name = settings.airtable.table;
  schemas->history.name = settings.airtable.history_table;
  auto discovery_config = DiscoveryConfig::from_environment(settings.schema_dir);
  if (!discovery_config) return report_error(discovery_config.error());
  auto transport = make_curl_transport(settings.transport);
  discovery_config->keep_skipped = false;  // a sync never reads them
  auto discovery = Discovery::create(std::move(*discovery_config), transport);
  if (!discovery) return report_error(discovery.error());
  for (const auto& p : sync.providers) {
    bool known = false;
    for (auto c : {ModelCategory::text, ModelCategory::tts}) {
      auto list = (*discovery)->providers(c);
      known |= std::find(list.begin(), list.end(), p) != list.end();
    }
    if (!known) return report_error((*discovery)->discover(p, ModelCategory::text).error());
  }

  SyncRunner runner(AirtableClient(settings.airtable, transport), std::make_shared<Outbox>(settings.state_dir), **discovery,
                    std::move(*schemas));
  ProgressDisplay display;
  bool json = parsed.count("json") > 0;
  SyncReport report = runner.run(sync, json ? ProgressCallback{} : display.callback());
  display.finish();
  if (json) {
    print_json(report, sync.dry_run);
  } else {
    print_text(report, sync.dry_run);
  }
  return report.ok() ? kExitOk : kExitPartial;
}

}  // namespace airreg::cli
