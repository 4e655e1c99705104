// airreg flush: writes what waits in the outbox. airreg status (alias: outbox): shows it.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>

#include "airreg/batch_writer.hpp"
#include "cli/airtable_options.hpp"
#include "cli/commands.hpp"
#include "cli/json_output.hpp"
#include "cli/exit_codes.hpp"
#include "cli/human_text.hpp"
#include "cli/progress_display.hpp"
#include "json/member.hpp"
#include "cli/registry_options.hpp"
#include "fleet/fleet.hpp"
#include "registry/call_budget.hpp"
#include "registry/history_rows.hpp"
#include "registry/snapshot_store.hpp"

namespace airreg::cli {

namespace {

// Ctrl-C or SIGTERM during a flush: stop after the request in flight; the rest stays queued.
BatchWriter* g_flushing = nullptr;
extern "C" void stop_flushing(int) {
  if (g_flushing) g_flushing->cancel();
}

void print_report_text(const WriteReport& r, const std::filesystem::path& state_dir) {
  std::printf("%s\n", write_summary(r).c_str());
  for (const auto& rejected : r.rejected)
    std::printf("refused by Airtable: %s in %s: %s\n", rejected.key.c_str(), rejected.table.c_str(),
                rejected.message.c_str());
  for (const auto& cell : r.dropped_cells)
    std::printf("left out: %s of %s: %s\n", cell.field.c_str(), cell.key.c_str(), cell.reason.c_str());
  if (!r.rejected.empty())
    std::printf("refused rows are kept in %s; once the cause is fixed, `airreg flush --rejected` sends them again\n",
                (state_dir / "state.db").c_str());
  if (r.waiting) std::printf("%zu row(s) still wait in %s\n", r.waiting, (state_dir / "state.db").c_str());
}

void print_report_json(const WriteReport& r) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  json::member(w, "written", r.written);
  json::member(w, "created", r.created);
  json::member(w, "updated", r.updated);
  json::member(w, "waiting", r.waiting);
  json::member(w, "requests", r.requests);
  json::member(w, "retries", r.retries);
  json::member(w, "rate_limited", r.rate_limited);
  json::member(w, "conflicts", r.conflicts);
  w.Key("dropped_cells");
  w.StartArray();
  for (const auto& cell : r.dropped_cells) {
    w.StartObject();
    json::member(w, "key", cell.key);
    json::member(w, "field", cell.field);
    json::member(w, "reason", cell.reason);
    w.EndObject();
  }
  w.EndArray();
  w.Key("rejected");
  w.StartArray();
  for (const auto& rejected : r.rejected) {
    w.StartObject();
    json::member(w, "key", rejected.key);
    json::member(w, "table", rejected.table);
    json::member(w, "message", rejected.message);
    w.EndObject();
  }
  w.EndArray();
  w.Key("error");
  if (r.stopped) {
    write_string(w, r.stopped->describe());
  } else {
    w.Null();
  }
  w.EndObject();
  std::cout << buffer.GetString() << "\n";
}

}  // namespace

namespace {

// The providers whose registry rows an upsert changed (a Last Verified update or a history
// row changes no answer); nothing when none did. The registry table is known by the id the
// state directory's binding has, or by its name.
std::optional<std::vector<std::string>> changed_providers(const WriteReport& report, const AirtableSettings& settings) {
  std::set<std::string> tables{settings.airtable.table};
  if (auto schemas = RegistrySchemas::load(settings.schema_dir))
    if (auto bound = registry::SnapshotStore(settings.state_dir).load_binding(settings.airtable.base_id, *schemas))
      tables.insert(bound->registry.table());
  std::set<std::string> providers;
  for (const auto& [table, firsts] : report.upserted)
    if (tables.count(table)) providers.insert(firsts.begin(), firsts.end());
  if (providers.empty()) return std::nullopt;
  return std::vector<std::string>(providers.begin(), providers.end());
}

}  // namespace

int flush_command(const Args& args) {
  cxxopts::Options options("airreg flush", "Write the rows waiting in the outbox to Airtable.");
  options.add_options()
    ("rejected", "first put the rows Airtable refused back in the queue (after fixing the cause)")
    ("json", "print the result as JSON");
  add_redis_option(options);
  auto command = start_airtable_command(
      options, args,
      "Exit codes: 0 every row written, 1 runtime error (the rows keep waiting), 2 usage or\n"
      "configuration error, 3 Airtable refused some rows (kept aside; see airreg status).\n");
  if (!command) return command.error();
  const auto& parsed = command->args;
  const AirtableSettings& settings = command->settings;
  auto outbox = std::make_shared<Outbox>(settings.state_dir);
  if (parsed.count("rejected")) {
    auto requeued = outbox->requeue_rejected(settings.airtable.base_id);
    if (!requeued) return report_error(requeued.error());
    if (!parsed.count("json")) std::printf("%zu refused row(s) back in the queue\n", *requeued);
  }

  auto redis = redis_url(parsed);
  if (!redis) return report_error(redis.error());
  // Queued rows carry their table and key, so this writer needs neither.
  AirtableClient client(settings.airtable, make_curl_transport(settings.transport));
  auto fleet = fleet::connect_fleet(fleet::fleet_config(*redis, settings.airtable.base_id, registry::default_instance(),
                                                       settings.airtable.max_requests_per_second));
  if (!fleet) return report_error(fleet.error());
  fleet::SharedBudgetScope budget(client.rate_limiter(), (*fleet)->request_budget());
  // One instance of the fleet writes at a time.
  auto lease = fleet::wait_for_lease(**fleet, "write", std::chrono::seconds(30), std::chrono::seconds(60));
  if (!lease)
    return report_error(make_error(ErrorCode::timeout, "another instance of the fleet held the write lease for 60 s; "
                                                       "the rows keep waiting: try again later"));
  BatchWriter writer(client, outbox, BatchWriterOptions{});
  ProgressDisplay display;
  g_flushing = &writer;
  std::signal(SIGINT, stop_flushing);
  std::signal(SIGTERM, stop_flushing);
  WriteReport report = writer.flush(parsed.count("json") ? ProgressCallback{} : display.callback());
  lease.reset();
  // The servers of the fleet read the changed providers' rows again.
  if (auto changed = changed_providers(report, settings)) (*fleet)->announce_change(*changed);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_flushing = nullptr;
  display.finish();

  if (parsed.count("json")) {
    print_report_json(report);
  } else {
    print_report_text(report, settings.state_dir);
  }
  if (report.stopped) return report_error(*report.stopped);
  return report.rejected.empty() ? kExitOk : kExitPartial;
}

int status_command(const Args& args) {
  cxxopts::Options options("airreg status", "Show what waits in the outbox (rows not yet in Airtable).");
  options.add_options()
    ("rejected", "list the rows Airtable refused, with its reasons")
    ("json", "print the result as JSON")
    ("state-dir", "directory of the outbox (AIRREG_STATE_DIR)", cxxopts::value<std::string>())
    ("h,help", "show this help");
  auto parsed = parse_args(options, args);
  if (!parsed) return kExitUsage;
  if (parsed->count("help")) {
    std::cout << options.help();
    return kExitOk;
  }
  auto dir = state_dir_setting(*parsed);
  if (!dir) return report_error(dir.error());
  Outbox outbox(*dir);
  auto status = outbox.status();
  if (!status) return report_error(status.error());
  std::vector<RejectedEntry> refused;
  if (parsed->count("rejected")) {
    auto listed = outbox.rejected();
    if (!listed) return report_error(listed.error());
    refused = std::move(*listed);
  }
  // The month's Airtable calls as this state directory counted them (a fleet's are in Redis:
  // /metrics of airreg serve).
  std::string month = registry::month_of(std::chrono::system_clock::now());
  auto month_calls = registry::recorded_calls(*dir, month);
  auto settings = RegistryOptions::from_environment();
  if (!settings) return report_error(settings.error());
  std::optional<long long> budget = settings->monthly_budget;
  if (parsed->count("json")) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    json::member(w, "state_dir", dir->string());
    json::member(w, "waiting", status->waiting);
    w.Key("oldest");
    if (status->oldest.empty()) {
      w.Null();
    } else {
      write_string(w, status->oldest);
    }
    json::member(w, "rejected", status->rejected);
    w.Key("airtable_calls");
    w.StartArray();
    for (const auto& c : month_calls) {
      w.StartObject();
      json::member(w, "base", c.base);
      json::member(w, "month", month);
      json::member(w, "calls", c.calls);
      json::member(w, "projected", c.projected);
      w.EndObject();
    }
    w.EndArray();
    w.Key("call_budget");
    if (budget) {
      w.Int64(*budget);
    } else {
      w.Null();
    }
    w.Key("rejected_rows");
    w.StartArray();
    for (const auto& r : refused) {
      w.StartObject();
      json::member(w, "key", r.entry.label);
      json::member(w, "table", r.entry.table);
      json::member(w, "error", r.message);
      json::member(w, "rejected_at", r.rejected_at);
      w.EndObject();
    }
    w.EndArray();
    w.Key("warnings");
    w.StartArray();
    for (const auto& warning : status->warnings) write_string(w, warning);
    w.EndArray();
    w.EndObject();
    std::cout << buffer.GetString() << "\n";
    return kExitOk;
  }
  std::printf("outbox: %s\n", outbox.database().c_str());
  if (status->waiting == 0) {
    std::printf("rows waiting: 0\n");
  } else {
    std::printf("rows waiting: %zu (oldest queued %s, %s); `airreg flush` writes them\n", status->waiting,
                status->oldest.c_str(), age_of(status->oldest).c_str());
  }
  if (status->rejected)
    std::printf("rows refused by Airtable: %zu (`airreg status --rejected` lists them, `airreg flush --rejected` sends them again)\n",
                status->rejected);
  for (const auto& r : refused)
    std::printf("  %s (%s, %s): %s\n", r.entry.label.c_str(), r.entry.table.c_str(), r.rejected_at.c_str(), r.message.c_str());
  for (const auto& c : month_calls) {
    std::printf("Airtable calls in %s (base %s, counted here): %lld, %lld by the month's end at this pace", month.c_str(),
                c.base.c_str(), c.calls, c.projected);
    if (budget)
      std::printf("; budget %lld (AIRREG_MONTHLY_CALL_BUDGET)%s", *budget, c.projected > *budget ? ": over it" : "");
    std::printf("\n");
  }
  for (const auto& warning : status->warnings) std::printf("warning: %s\n", warning.c_str());
  return kExitOk;
}

}  // namespace airreg::cli
