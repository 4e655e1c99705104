#include "airreg/model_registry.hpp"

#include <spdlog/sinks/null_sink.h>

#include <algorithm>

#include "registry/history_rows.hpp"
#include "registry/registry_impl.hpp"
#include "registry/resolve.hpp"
#include "registry/snapshot_store.hpp"

namespace airreg {

std::string_view to_string(AnswerSource s) {
  switch (s) {
    case AnswerSource::cache: return "cache";
    case AnswerSource::shared: return "shared";
    case AnswerSource::airtable: return "airtable";
    case AnswerSource::provider: return "provider";
    case AnswerSource::stale: return "stale";
    case AnswerSource::curated: return "curated";
  }
  return "stale";
}

std::string_view to_string(ResolveRule r) {
  switch (r) {
    case ResolveRule::requested: return "requested";
    case ResolveRule::recommended: return "recommended";
    case ResolveRule::sort_order: return "sort order";
    case ResolveRule::curated_default: return "curated default";
  }
  return "requested";
}

namespace registry {

namespace {

// Far enough back to tell the age of stale rows too (past the warning), still one page.
std::chrono::hours look_back(const RegistryOptions& o) { return std::max(o.fresh_for, o.stale_warn_after) + std::chrono::hours(24); }

}  // namespace

RegistryImpl::RegistryImpl(AirtableClient client, std::unique_ptr<Discovery> discovery, airtable::BoundTables tables,
                           RegistryOptions options, Clock clock, std::shared_ptr<fleet::Fleet> fleet)
    : client_(std::move(client)),
      discovery_(std::move(discovery)),
      tables_(std::move(tables)),
      options_(std::move(options)),
      clock_(std::move(clock)),
      fleet_(std::move(fleet)),
      budget_scope_(client_.rate_limiter(), fleet_->request_budget()),
      outbox_(std::make_shared<Outbox>(options_.state_dir)),
      trust_factor_(1.0 - clock_.uniform() * options_.freshness_jitter),
      instance_(fleet_->instance()),
      budget_(std::make_shared<registry::CallBudget>(
          registry::CallBudget::Settings{options_.monthly_budget, 0.25, 1.5, options_.cache_ttl}, fleet_, options_.state_dir,
          client_.config().base_id)),
      table_(client_, tables_, options_.state_dir, fleet_, budget_,
             registry::TableSource::Settings{clock_, options_.cache_ttl, options_.negative_ttl, options_.read_attempts,
                                             look_back(options_), std::chrono::seconds(30), options_.full_read_every,
                                             options_.clock_skew, options_.logger}),
      write_back_(client_, outbox_, registry::registry_writer_options(tables_.registry),
                  registry::history_writer_options(tables_.history),
                  registry::WriteBack::Settings{clock_, options_.verify_interval, options_.flush_timeout,
                                                tables_.registry.cell("last_verified"), options_.logger, fleet_,
                                                [this](const std::set<std::string>& providers) { written(providers); }}),
      pool_(4) {
  client_.set_stop_token(pool_.stop_token());
  table_.set_stop_token(pool_.stop_token());
  table_.on_new_snapshot([this](const Snapshot& snap) { fill_fresh(snap); });
  fleet_->listen([this](const fleet::Notice& n) { noticed(n); });
  if (tables_.warning) options_.logger->warn("{}", *tables_.warning);
  // The first read waits a random share of startup_jitter, so that a fleet started at once
  // spreads its reads; a caller's miss does not wait for it.
  auto delay = std::chrono::duration_cast<Clock::Duration>(options_.startup_jitter * clock_.uniform());
  pool_.post([this, delay] {
    clock_.sleep_until(clock_.now() + delay, pool_.stop_token());
    if (!pool_.stop_token().stop_requested()) (void)table(false);
  });
}

RegistryImpl::~RegistryImpl() {
  // Reads and discoveries in flight are abandoned; the write-back then flushes for at most
  // flush_timeout as it is destroyed.
  fleet_->listen(nullptr);
  pool_.request_stop();
}

Result<std::shared_ptr<const ModelList>> RegistryImpl::models(const std::string& provider, ModelCategory category,
                                                              bool include_inactive) {
  Key key{provider, category};
  std::optional<Entry> expired;
  {
    std::shared_lock lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (clock_.now() < it->second.expires) {
        hits_.fetch_add(1, std::memory_order_relaxed);
        return include_inactive ? it->second.all_hit : it->second.usable_hit;
      }
      expired = it->second;
    }
  }
  if (expired) {
    // Stale while revalidate: the old answer now (its as_of tells its age), one refresh behind it.
    (void)start_load(key);
    stale_served_.fetch_add(1, std::memory_order_relaxed);
    return include_inactive ? expired->all_hit : expired->usable_hit;
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  auto loading = start_load(key);
  if (loading.wait_for(miss_wait()) == std::future_status::ready) return answer(key, include_inactive);
  // Still loading (a slow read, or a second run after a change): an answer a first run has
  // stored beats a fallback.
  if (auto stored = answer(key, include_inactive)) return stored;
  // The load goes on in the background; this caller gets the best fallback now.
  fallbacks_served_.fetch_add(1, std::memory_order_relaxed);
  auto fallback = fallback_entry(key);
  if (!fallback) return std::unexpected(fallback.error());
  put(key, *fallback);
  return include_inactive ? fallback->all : fallback->usable;
}

Result<std::shared_ptr<const ModelList>> RegistryImpl::refresh(const std::string& provider, ModelCategory category) {
  Key key{provider, category};
  load(key, true);
  return answer(key, false);
}

Result<ModelChoice> RegistryImpl::resolve(const std::string& provider, ModelCategory category, const std::string& requested) {
  auto list = models(provider, category, true);
  if (!list) return std::unexpected(list.error());
  auto chosen = registry::resolve_model((*list)->models, requested, discovery_->curated_default(provider, category));
  if (chosen.model_id.empty())
    return std::unexpected(make_error(ErrorCode::not_found, "no usable " + std::string(to_string(category)) + " model of " +
                                                                provider + ": approve one by setting its Status to active"));
  return ModelChoice{chosen.model_id, chosen.rule, (*list)->source};
}

std::optional<std::string> RegistryImpl::recommended(const std::string& provider, ModelCategory category) {
  auto list = models(provider, category, false);
  if (!list) return std::nullopt;
  for (const auto& r : (*list)->models)
    if (r.recommended) return r.model_id;
  return std::nullopt;
}

void RegistryImpl::report_verified(const std::string& provider, const std::string& model_id) {
  // Only a row that exists, by its record id: an unknown or mistyped id creates nothing.
  Snapshot snap = known_snapshot();
  if (!snap) return;
  for (const auto& r : snap->parsed.rows)
    if (r.provider_id == provider && r.model_id == model_id && !r.record_id.empty()) {
      write_back_.report_verified(r.key(), r.record_id, r.last_verified);
      return;
    }
  unknown_verified_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<std::string> RegistryImpl::providers() {
  if (!known_snapshot()) (void)table(false);
  Snapshot snap = known_snapshot();
  return snap ? snap->providers() : std::vector<std::string>{};
}

std::vector<CachedAnswer> RegistryImpl::cached() const {
  std::vector<CachedAnswer> out;
  std::shared_lock lock(cache_mutex_);
  for (const auto& [key, entry] : cache_) {
    const ModelList& all = *entry.all;
    CachedAnswer a{key.first, key.second, all.origin, all.as_of, all.degraded, entry.usable->models.size(), 0,
                   all.models.size()};
    for (const auto& r : all.models) a.pending += r.status == ModelStatus::pending;
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<LastSync> RegistryImpl::last_syncs() {
  Snapshot snap = known_snapshot();
  return snap ? snap->last_runs : std::vector<LastSync>{};
}

std::map<std::string, SystemTime> RegistryImpl::last_listed() const {
  Snapshot snap = table_.current();
  return snap ? snap->last_listed : std::map<std::string, SystemTime>{};
}

void RegistryImpl::invalidate(const std::vector<std::string>& providers) {
  noticed(fleet::Notice{fleet::Notice::Kind::changed, "", providers, 0});
}

void RegistryImpl::use_webhook(bool active) {
  webhook_ = active;
  table_.set_pushed(active);
}

std::vector<std::string> RegistryImpl::apply_changes(const std::vector<RecordChange>& changes) {
  auto applied = table_.apply(changes);
  if (!applied) {
    // Not applicable to the table held: every answer is loaded again from a read, here and
    // in the fleet.
    noticed(fleet::Notice{fleet::Notice::Kind::changed, "", {}, 0});
    fleet_->publish(fleet::Notice{fleet::Notice::Kind::changed, fleet_->instance(), {}, 0});
    return {};
  }
  const auto& touched = *applied;
  std::vector<std::string> providers(touched.begin(), touched.end());
  if (providers.empty()) return providers;
  // The answers of those providers are made again from the updated table (no read), and the
  // fleet is told: its instances take the updated table from Redis.
  loads_outdated(providers);  // before the scan, as in noticed()
  std::vector<Key> stale;
  {
    std::unique_lock lock(cache_mutex_);
    auto now = clock_.now();
    for (auto& [key, entry] : cache_)
      if (touched.count(key.first)) {
        entry.expires = std::min(entry.expires, now);
        stale.push_back(key);
      }
  }
  answers_changed();
  for (const auto& key : stale) (void)start_load(key, true);
  fleet_->publish(fleet::Notice{fleet::Notice::Kind::changed, fleet_->instance(), providers, 0});
  return providers;
}

RegistryStats RegistryImpl::stats() const {
  RegistryStats s;
  s.hits = hits_.load() + view_hits();
  s.misses = misses_.load();
  s.stale_served = stale_served_.load();
  s.fallbacks_served = fallbacks_served_.load();
  auto table = table_.counters();
  s.airtable_reads = table.reads;
  s.airtable_requests = table.requests + write_back_.requests();
  s.shared_snapshots = table.shared_taken;
  s.revalidations = table.revalidations;
  s.revalidations_unchanged = table.unchanged;
  table_.count_calls();
  auto month = budget_->status();
  s.calls_month = month.calls;
  s.calls_projected = month.projected;
  s.call_budget = month.budget;
  s.revalidation_period = month.period;
  s.reads_allowed = month.reads_allowed;
  s.provider_calls = provider_calls_.load();
  s.errors = errors_.load();
  s.writes = write_back_.rows_queued();
  s.rate_limited = write_back_.rate_limited() + table.rate_limited;
  s.errors += table.errors;
  auto fleet = fleet_->status();
  s.fleet = fleet.configured;
  s.redis_ok = fleet.redis_ok;
  s.redis_error = fleet.last_error;
  s.fleet_instances = fleet.instances;
  s.verified_coalesced = write_back_.coalesced();
  auto airtable = client_.outcomes();
  s.upstream.push_back(UpstreamCount{"airtable", "", "ok", airtable.ok});
  s.upstream.push_back(UpstreamCount{"airtable", "", "rate_limited", airtable.rate_limited});
  s.upstream.push_back(UpstreamCount{"airtable", "", "error", airtable.failed});
  {
    std::lock_guard lock(asked_mutex_);
    for (const auto& [provider, counts] : provider_outcomes_) {
      s.upstream.push_back(UpstreamCount{"provider", provider, "ok", counts.first});
      s.upstream.push_back(UpstreamCount{"provider", provider, "error", counts.second});
    }
  }
  if (auto status = outbox_->status(client_.config().base_id)) s.outbox = status->waiting;
  auto [error, at] = write_back_.last_error();
  s.last_write_error = error;
  s.last_write_error_at = at;
  return s;
}

}  // namespace registry

Result<std::unique_ptr<ModelRegistry>> ModelRegistry::create(AirtableConfig airtable, DiscoveryConfig discovery_config,
                                                             RegistrySchemas schemas, RegistryOptions options,
                                                             std::shared_ptr<HttpTransport> transport, Clock clock) {
  if (!transport) transport = make_curl_transport();
  if (options.state_dir.empty()) {
    auto dir = default_state_dir();
    if (!dir) return std::unexpected(dir.error());
    options.state_dir = *dir;
  }
  if (!options.logger) options.logger = std::make_shared<spdlog::logger>("airreg", std::make_shared<spdlog::sinks::null_sink_mt>());
  schemas.registry.name = airtable.table;
  schemas.history.name = airtable.history_table;
  discovery_config.keep_skipped = false;  // a refresh never reads them
  auto discovery = Discovery::create(std::move(discovery_config), transport, clock);
  if (!discovery) return std::unexpected(discovery.error());
  AirtableClient client(std::move(airtable), transport);
  if (options.instance.empty()) {
    // Unique per registry: two in one process are two instances of the fleet.
    static std::atomic<int> made{0};
    int n = made.fetch_add(1);
    options.instance = registry::default_instance() + (n == 0 ? "" : "#" + std::to_string(n));
  }
  auto fleet = fleet::connect_fleet(fleet::fleet_config(options.redis_url, client.config().base_id, options.instance,
                                                       client.config().max_requests_per_second, options.logger));
  if (!fleet) return std::unexpected(fleet.error());
  registry::SnapshotStore store(options.state_dir);
  std::optional<airtable::BoundTables> tables;
  {
    // The binding's request is the fleet's too (the registry takes the budget over after).
    fleet::SharedBudgetScope binding_budget(client.rate_limiter(), (*fleet)->request_budget());
    tables = registry::bound_tables(client, schemas, store, **fleet);
  }
  return std::unique_ptr<ModelRegistry>(std::make_unique<registry::RegistryImpl>(std::move(client), std::move(*discovery),
                                                                       std::move(*tables), std::move(options),
                                                                       std::move(clock), std::move(*fleet)));
}

}  // namespace airreg
