#include "airreg/sync.hpp"

#include <algorithm>

#include "airtable/columns.hpp"
#include "core/time_text.hpp"
#include "fleet/fleet.hpp"
#include "registry/history_rows.hpp"
#include "registry/provider_refresh.hpp"
#include "registry/table_reader.hpp"

namespace airreg {

namespace {

// A sync asked these providers just now: the fleet's servers need not ask them for as long.
constexpr std::chrono::minutes kDiscoveryClaim{5};

std::string now_text() { return core::format_utc(std::chrono::system_clock::now()); }

// The providers to sync: those asked, else every one with a key of any wanted category.
std::vector<std::string> providers_to_sync(const Discovery& discovery, const SyncOptions& options) {
  if (!options.providers.empty()) return options.providers;
  std::vector<std::string> out;
  for (ModelCategory c : options.categories)
    for (const auto& p : discovery.providers(c))
      if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  return out;
}

}  // namespace

std::string_view to_string(SyncOutcome o) {
  switch (o) {
    case SyncOutcome::success: return "success";
    case SyncOutcome::partial: return "partial";
    case SyncOutcome::failed: return "failed";
    case SyncOutcome::skipped: return "skipped";
  }
  return "failed";
}

std::optional<SyncOutcome> parse_outcome(std::string_view text) {
  for (SyncOutcome o : {SyncOutcome::success, SyncOutcome::partial, SyncOutcome::failed, SyncOutcome::skipped})
    if (to_string(o) == text) return o;
  return std::nullopt;
}

bool SyncReport::ok() const {
  for (const auto& p : providers)
    if (p.outcome != SyncOutcome::success && p.outcome != SyncOutcome::skipped) return false;
  return registry_writes.complete() && history_writes.complete();
}

SyncRunner::SyncRunner(AirtableClient client, std::shared_ptr<Outbox> outbox, const Discovery& discovery,
                       RegistrySchemas schemas)
    : client_(std::move(client)), outbox_(std::move(outbox)), discovery_(discovery), schemas_(std::move(schemas)) {}

SyncReport SyncRunner::run(const SyncOptions& options, const ProgressCallback& progress) {
  SyncReport report;
  std::string instance = options.instance.empty() ? registry::default_instance() : options.instance;
  auto connected = fleet::connect_fleet(
      fleet::fleet_config(options.redis_url, client_.config().base_id, instance, client_.config().max_requests_per_second));
  if (!connected) report.warnings.push_back(connected.error().describe() + "; syncing without the fleet");
  std::shared_ptr<fleet::Fleet> fleet = connected ? *connected : fleet::local_fleet(instance);
  fleet::SharedBudgetScope budget(client_.rate_limiter(), fleet->request_budget());
  auto bound = airtable::bind_tables(client_, schemas_);
  if (bound.warning) report.warnings.push_back(*bound.warning);
  const airtable::Columns& registry = bound.registry;
  const airtable::Columns& history = bound.history;
  registry::MergePolicy policy{options.new_status, options.grace, options.verify_interval, 0.5, true};
  BatchWriter registry_writer(client_, outbox_, registry::registry_writer_options(registry));

  // One read of the whole table serves every provider.
  SystemTime read_at = std::chrono::system_clock::now();
  auto table = registry::read_table(client_, registry, history, read_at, {options.fresh_for});
  if (table)
    for (const auto& w : table->warnings) report.warnings.push_back(w);
  std::vector<size_t> written;  // report indexes whose writes were queued
  for (const auto& provider : providers_to_sync(discovery_, options)) {
    auto categories = registry::offered_categories(discovery_, provider, options.categories);
    std::vector<ProviderSync> records;
    auto record = [&](ModelCategory category, SyncOutcome outcome, std::string note) {
      ProviderSync sync;
      sync.provider = provider;
      sync.category = category;
      sync.outcome = outcome;
      sync.started = sync.finished = now_text();
      if (!note.empty()) sync.notes.push_back(std::move(note));
      records.push_back(std::move(sync));
    };
    std::vector<ModelCategory> to_ask;
    for (ModelCategory c : categories) {
      if (auto why = discovery_.missing_key(provider, c)) {
        record(c, SyncOutcome::skipped, *why);
      } else if (!table) {
        // Without the rows a merge would overwrite people's choices: write nothing.
        record(c, SyncOutcome::failed, "Airtable could not be read: " + table.error().describe());
      } else {
        to_ask.push_back(c);
      }
    }
    if (!to_ask.empty()) {
      auto listed = table->listed_at(provider, read_at);
      if (!options.force && listed && read_at - *listed < options.fresh_for) {
        for (ModelCategory c : to_ask)
          record(c, SyncOutcome::skipped, "listing read " + core::format_utc(*listed) + ", within " +
                                              std::to_string(options.fresh_for.count()) + " h; --force asks anyway");
        to_ask.clear();
      }
    }
    if (!to_ask.empty()) {
      std::string started = now_text();
      auto begun = std::chrono::steady_clock::now();
      // Writes are queued in batches as the merge makes them (nothing on a dry run).
      std::optional<Error> unqueued;
      bool queued_any = false;
      registry::WriteBatches queue;
      if (!options.dry_run)
        queue = [&](std::vector<Fields>&& batch) {
          auto current = table->records_of(provider, registry, batch);  // decoded for this batch only
          auto queued = registry_writer.submit_cells(std::move(batch), current.cells);
          if (queued) {
            queued_any = true;
          } else if (!unqueued) {
            unqueued = queued.error();
          }
        };
      auto refresh = registry::refresh_provider(discovery_, provider, to_ask, [&] { return table->rows_in(provider); },
                                                table->parsed.untouchable, read_at, policy, registry, {}, queue);
      // The servers of the fleet need not ask this provider again soon.
      (void)fleet->try_claim("discover:" + provider, kDiscoveryClaim);
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begun);
      bool first = true;
      for (const auto& c : refresh.categories) {
        ProviderSync sync = registry::sync_record(provider, c);
        sync.started = started;
        sync.finished = now_text();
        sync.elapsed = elapsed;
        // A provider's unreadable rows are named once per run, on its first category.
        if (first) {
          auto named = table->warnings_of(provider);
          sync.skipped_rows = named.size();
          sync.notes.insert(sync.notes.begin(), named.begin(), named.end());
          first = false;
        }
        records.push_back(std::move(sync));
      }
      // A batch that could not be queued fails the provider; one queued before it is still
      // written (partial), and the fleet is still told.
      if (unqueued)
        for (auto& r : records)
          if (r.outcome == SyncOutcome::success) {
            r.outcome = queued_any ? SyncOutcome::partial : SyncOutcome::failed;
            r.notes.push_back("the outbox could not be written: " + unqueued->describe());
          }
      if (queued_any)
        for (size_t i = 0; i < records.size(); ++i) written.push_back(report.providers.size() + i);
    }
    for (auto& r : records) report.providers.push_back(std::move(r));
  }
  if (options.dry_run) return report;

  // One instance of the fleet writes at a time.
  auto lease = fleet::wait_for_lease(*fleet, "write", std::chrono::seconds(30), std::chrono::seconds(60));
  if (!lease) {
    report.warnings.push_back("another instance of the fleet held the write lease for 60 s: the rows wait in the outbox");
    for (size_t i : written)
      if (report.providers[i].outcome == SyncOutcome::success) report.providers[i].outcome = SyncOutcome::partial;
    return report;
  }
  report.registry_writes = registry_writer.flush(progress);
  // A provider whose rows did not all land is partial; what waits is in the outbox.
  if (!report.registry_writes.complete())
    for (size_t i : written)
      if (report.providers[i].outcome == SyncOutcome::success) report.providers[i].outcome = SyncOutcome::partial;
  for (const auto& rejected : report.registry_writes.rejected)
    for (auto& p : report.providers)
      if (rejected.key.rfind(p.provider + "/", 0) == 0) p.notes.push_back("refused by Airtable: " + rejected.key + ": " + rejected.message);
  for (const auto& cell : report.registry_writes.dropped_cells)
    for (auto& p : report.providers)
      if (cell.key.rfind(p.provider + "/", 0) == 0) p.notes.push_back("left out " + cell.field + " of " + cell.key + ": " + cell.reason);
  if (report.registry_writes.stopped) report.warnings.push_back("writing stopped: " + report.registry_writes.stopped->describe());

  BatchWriter history_writer(client_, outbox_, registry::history_writer_options(history));
  std::vector<Fields> rows;
  for (const auto& p : report.providers)
    rows.push_back(registry::history_row(p, history, instance, report.registry_writes.rate_limited));
  report.history_writes = history_writer.write(rows, {});
  lease.reset();
  // Once the rows and the history (which makes the listings fresh) are in: every instance
  // reads them within a second.
  if (report.registry_writes.written > 0) {
    std::vector<std::string> changed;
    for (size_t i : written)
      if (std::find(changed.begin(), changed.end(), report.providers[i].provider) == changed.end())
        changed.push_back(report.providers[i].provider);
    fleet->announce_change(changed);
  }
  return report;
}

}  // namespace airreg
