#include "airreg/sync.hpp"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/time_text.hpp"
#include "registry/current_names.hpp"
#include "registry/merge.hpp"
#include "registry/row_codec.hpp"
#include "registry/row_reader.hpp"

namespace airreg {

namespace {

using registry::FieldNames;

std::string default_instance() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  return std::string(host) + ":" + std::to_string(::getpid());
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

bool fresh(const std::vector<RegistryRow>& rows, ModelCategory category, SystemTime now, std::chrono::hours fresh_for) {
  std::optional<SystemTime> newest;
  for (const auto& r : rows)
    if (r.category == category && r.discovery_method != "manual" && r.last_verified)
      newest = std::max(newest.value_or(*r.last_verified), *r.last_verified);
  return newest && now - *newest < fresh_for;
}

}  // namespace

bool SyncReport::ok() const {
  for (const auto& p : providers)
    if (p.outcome != "success" && p.outcome != "skipped") return false;
  return registry_writes.complete() && history_writes.complete();
}

SyncRunner::SyncRunner(AirtableClient client, std::shared_ptr<Outbox> outbox, const Discovery& discovery,
                       RegistrySchemas schemas)
    : client_(std::move(client)), outbox_(std::move(outbox)), discovery_(discovery), schemas_(std::move(schemas)) {}

SyncReport SyncRunner::run(const SyncOptions& options, const ProgressCallback& progress) {
  SyncReport report;
  if (auto warning = registry::adopt_current_names(client_, schemas_)) report.warnings.push_back(*warning);
  FieldNames names(schemas_.registry);
  FieldNames history_names(schemas_.history);
  std::string instance = options.instance.empty() ? default_instance() : options.instance;
  registry::MergePolicy policy{options.new_status, options.grace, options.verify_interval, 0.5, true};

  BatchWriterOptions registry_options;
  registry_options.table = schemas_.registry.name;
  for (const auto& key : schemas_.registry.merge_on) registry_options.merge_on.push_back(names(key));
  BatchWriter registry_writer(client_, outbox_, registry_options);

  std::map<std::string, Result<registry::ReadRows>> rows_of;  // read once per provider
  std::vector<size_t> written;  // report indexes whose writes were queued
  std::set<std::string> warned;
  for (ModelCategory category : options.categories) {
    auto offered = discovery_.providers(category);
    std::vector<std::string> asked = options.providers.empty() ? offered : options.providers;
    for (const auto& provider : asked) {
      if (std::find(offered.begin(), offered.end(), provider) == offered.end()) continue;  // no such category
      ProviderSync sync;
      sync.provider = provider;
      sync.category = category;
      auto started = std::chrono::steady_clock::now();
      SystemTime now = std::chrono::system_clock::now();
      sync.started = core::format_utc(now);
      auto finish = [&](std::string outcome) {
        sync.outcome = std::move(outcome);
        sync.finished = core::format_utc(std::chrono::system_clock::now());
        sync.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        report.providers.push_back(std::move(sync));
      };
      if (auto why = discovery_.missing_key(provider, category)) {
        sync.notes.push_back(*why);
        finish("skipped");
        continue;
      }
      auto read = rows_of.find(provider);
      if (read == rows_of.end()) read = rows_of.emplace(provider, registry::read_rows(client_, names, provider)).first;
      auto& rows = read->second;
      if (!rows) {
        // Without the rows a merge would overwrite people's choices: write nothing.
        sync.notes.push_back("Airtable could not be read: " + rows.error().describe());
        finish("failed");
        continue;
      }
      std::vector<RegistryRow> mine;
      for (const auto& r : rows->parsed.rows)
        if (r.category == category) mine.push_back(r);
      if (warned.insert(provider).second) {  // a provider's unreadable rows are named once per run
        sync.skipped_rows = rows->parsed.warnings.size();
        for (const auto& w : rows->parsed.warnings) sync.notes.push_back(w);
      }
      if (!options.force && fresh(mine, category, now, options.fresh_for)) {
        sync.notes.push_back("rows verified within " + std::to_string(options.fresh_for.count()) + " h; --force asks anyway");
        finish("skipped");
        continue;
      }
      auto listing = discovery_.discover(provider, category);
      if (listing) {
        sync.requests = listing->requests;
        for (const auto& w : listing->warnings) sync.notes.push_back(w);
      } else {
        sync.notes.push_back(listing.error().describe());
      }
      auto merged = registry::merge_listing(provider, category, listing ? &*listing : nullptr, std::move(mine), now, policy, names,
                                             rows->parsed.untouchable);
      sync.discovered = merged.discovered;
      sync.created = merged.created;
      sync.updated = merged.updated;
      sync.missing = merged.missing;
      sync.deprecated = merged.deprecated;
      sync.unchanged = merged.unchanged;
      sync.new_model_ids = merged.new_model_ids;
      for (const auto& w : merged.warnings) sync.notes.push_back(w);
      if (!options.dry_run && !merged.writes.empty()) {
        auto queued = registry_writer.submit(merged.writes, rows->records);
        if (!queued) {
          sync.notes.push_back("the outbox could not be written: " + queued.error().describe());
          finish("failed");
          continue;
        }
        written.push_back(report.providers.size());
      }
      finish(listing ? "success" : "failed");
    }
  }
  if (!options.dry_run) {
    report.registry_writes = registry_writer.flush(progress);
    // A provider whose rows did not all land is partial; what waits is in the outbox.
    if (!report.registry_writes.complete())
      for (size_t i : written)
        if (report.providers[i].outcome == "success") report.providers[i].outcome = "partial";
    for (const auto& rejected : report.registry_writes.rejected)
      for (auto& p : report.providers)
        if (rejected.key.rfind(p.provider + "/", 0) == 0) p.notes.push_back("refused by Airtable: " + rejected.key + ": " + rejected.message);

    BatchWriterOptions history_options;
    history_options.table = schemas_.history.name;
    for (const auto& key : schemas_.history.merge_on) history_options.merge_on.push_back(history_names(key));
    BatchWriter history_writer(client_, outbox_, history_options);
    std::vector<Fields> history;
    for (const auto& p : report.providers) {
      auto n = [](size_t v) { return FieldValue(static_cast<double>(v)); };
      history.push_back(Fields{
          {history_names("run_key"), instance + "/" + p.provider + "/" + std::string(to_string(p.category)) + "/" + p.started},
          {history_names("started"), p.started},
          {history_names("finished"), p.finished},
          {history_names("provider"), p.provider},
          {history_names("category"), std::string(to_string(p.category))},
          {history_names("outcome"), p.outcome},
          {history_names("discovered"), n(p.discovered)},
          {history_names("new"), n(p.created)},
          {history_names("updated"), n(p.updated)},
          {history_names("missing"), n(p.missing)},
          {history_names("requests"), n(p.requests)},
          {history_names("rate_limited"), n(report.registry_writes.rate_limited)},
          {history_names("errors"), joined(p.notes, "\n")},
          {history_names("new_model_ids"), joined(p.new_model_ids, "\n")},
          {history_names("instance"), instance},
      });
    }
    report.history_writes = history_writer.write(history, {});
  }
  return report;
}

}  // namespace airreg
