#include "airreg/model_registry.hpp"

#include <spdlog/sinks/null_sink.h>

#include <algorithm>
#include <future>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "airtable/columns.hpp"
#include "core/backoff.hpp"
#include "core/time_text.hpp"
#include "core/task_pool.hpp"
#include "registry/expiry_watch.hpp"
#include "registry/history_rows.hpp"
#include "registry/provider_refresh.hpp"
#include "registry/resolve.hpp"
#include "registry/snapshot_store.hpp"
#include "registry/call_budget.hpp"
#include "registry/table_binding.hpp"
#include "registry/table_source.hpp"
#include "registry/write_back.hpp"

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

namespace {

using registry::TableSnapshot;
using Key = std::pair<std::string, ModelCategory>;
using registry::Snapshot;

// Far enough back to tell the age of stale rows too (past the warning), still one page.
std::chrono::hours look_back(const RegistryOptions& o) { return std::max(o.fresh_for, o.stale_warn_after) + std::chrono::hours(24); }

// A cached answer: as it came (returned on the miss that loaded it) and as later hits see it.
struct Entry {
  std::shared_ptr<const ModelList> usable, all, usable_hit, all_hit;
  Clock::TimePoint expires;
};

std::shared_ptr<const ModelList> as_hit(const std::shared_ptr<const ModelList>& list) {
  if (list->degraded) return list;  // a hit on a degraded answer says what it is
  auto copy = std::make_shared<ModelList>(*list);  // its rows are shared, not copied
  copy->source = AnswerSource::cache;
  return copy;
}

Entry make_entry(ModelList all, Clock::TimePoint expires) {
  all.origin = all.source;
  ModelList usable = all;  // the lists share their rows
  usable.models = all.models.filtered([](const RegistryRow& r) { return registry::servable(r); });
  Entry e;
  e.all = std::make_shared<ModelList>(std::move(all));
  e.usable = std::make_shared<ModelList>(std::move(usable));
  e.all_hit = as_hit(e.all);
  e.usable_hit = as_hit(e.usable);
  e.expires = expires;
  return e;
}

// Taken by value: a snapshot's fresh copy of a provider's rows is filtered in place.
std::vector<RegistryRow> of_category(std::vector<RegistryRow> rows, ModelCategory category) {
  std::erase_if(rows, [&](const RegistryRow& r) { return r.category != category; });
  return rows;
}

// The rows of one category, moved out of `rows` (which keeps the others): a refresh's rows
// become its answers without a second copy of every row.
std::vector<RegistryRow> take_category(std::vector<RegistryRow>& rows, ModelCategory category) {
  auto mine = static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [&](const RegistryRow& r) { return r.category == category; }));
  // Sized once (10,000 rows are 5 MB of RegistryRow; growing by doubling would hold twice that).
  if (mine == rows.size()) return std::exchange(rows, {});
  std::vector<RegistryRow> out, rest;
  out.reserve(mine);
  rest.reserve(rows.size() - mine);
  for (auto& r : rows) (r.category == category ? out : rest).push_back(std::move(r));
  rows = std::move(rest);
  return out;
}

RegistryRow curated_row(const std::string& provider, ModelCategory category, const ModelInfo& m) {
  RegistryRow r;
  r.provider_id = provider;
  r.model_id = m.id;
  r.model_name = m.display_name;
  r.category = category;
  r.status = ModelStatus::active;  // the last resort: someone chose these by hand
  r.available = true;
  r.discovery_method = "fallback";
  r.features = m.features;
  return r;
}

std::string age_text(std::chrono::system_clock::duration age) {
  auto hours = std::chrono::duration_cast<std::chrono::hours>(age).count();
  return hours >= 48 ? std::to_string(hours / 24) + " days" : std::to_string(hours) + " h";
}

class RegistryImpl final : public ModelRegistry {
 public:
  RegistryImpl(AirtableClient client, std::unique_ptr<Discovery> discovery, airtable::BoundTables tables,
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

  ~RegistryImpl() override {
    // Reads and discoveries in flight are abandoned; the write-back then flushes for at most
    // flush_timeout as it is destroyed.
    fleet_->listen(nullptr);
    pool_.request_stop();
  }

  Result<std::shared_ptr<const ModelList>> models(const std::string& provider, ModelCategory category,
                                                  bool include_inactive) override {
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

  Result<std::shared_ptr<const ModelList>> refresh(const std::string& provider, ModelCategory category) override {
    Key key{provider, category};
    load(key, true);
    return answer(key, false);
  }

  Result<ModelChoice> resolve(const std::string& provider, ModelCategory category, const std::string& requested) override {
    auto list = models(provider, category, true);
    if (!list) return std::unexpected(list.error());
    auto chosen = registry::resolve_model((*list)->models, requested, discovery_->curated_default(provider, category));
    if (chosen.model_id.empty())
      return std::unexpected(make_error(ErrorCode::not_found, "no usable " + std::string(to_string(category)) + " model of " +
                                                                  provider + ": approve one by setting its Status to active"));
    return ModelChoice{chosen.model_id, chosen.rule, (*list)->source};
  }

  std::optional<std::string> recommended(const std::string& provider, ModelCategory category) override {
    auto list = models(provider, category, false);
    if (!list) return std::nullopt;
    for (const auto& r : (*list)->models)
      if (r.recommended) return r.model_id;
    return std::nullopt;
  }

  void report_verified(const std::string& provider, const std::string& model_id) override {
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

  std::vector<std::string> providers() override {
    if (!known_snapshot()) (void)table(false);
    Snapshot snap = known_snapshot();
    return snap ? snap->providers() : std::vector<std::string>{};
  }

  std::vector<CachedAnswer> cached() const override {
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

  std::vector<LastSync> last_syncs() override {
    Snapshot snap = known_snapshot();
    return snap ? snap->last_runs : std::vector<LastSync>{};
  }

  std::map<std::string, SystemTime> last_listed() const override {
    Snapshot snap = table_.current();
    return snap ? snap->last_listed : std::map<std::string, SystemTime>{};
  }

  void invalidate(const std::vector<std::string>& providers) override {
    noticed(fleet::Notice{fleet::Notice::Kind::changed, "", providers, 0});
  }

  void use_webhook(bool active) override {
    webhook_ = active;
    table_.set_pushed(active);
  }

  std::vector<std::string> apply_changes(const std::vector<RecordChange>& changes) override {
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

  RegistryStats stats() const override {
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

 private:
  // ---- the fleet

  // Our write-back changed these providers' rows: our table is old, so is the fleet's.
  void written(const std::set<std::string>& providers) {
    table_.count_calls();
    // With webhooks the payloads bring our own changes too (applied, not read again).
    if (webhook_) return;
    table_.invalidate();
    fleet_->announce_change(std::vector<std::string>(providers.begin(), providers.end()));
  }

  // Another instance changed rows (or notices may have been missed): those keys expire now
  // and are loaded again at once; until the new rows are in, callers get the answers they had
  // (marked with their age) rather than a wait or a fallback.
  void noticed(const fleet::Notice& n) {
    if (n.kind != fleet::Notice::Kind::changed) return;
    table_.invalidate();
    // Before the cache is scanned: a load that ends in between is either marked, or has
    // stored its answer where the scan finds it.
    loads_outdated(n.providers);
    std::vector<Key> expired;
    {
      std::unique_lock lock(cache_mutex_);
      auto now = clock_.now();
      for (auto& [key, entry] : cache_) {
        bool named = n.providers.empty() || std::find(n.providers.begin(), n.providers.end(), key.first) != n.providers.end();
        if (!named) continue;
        entry.expires = std::min(entry.expires, now);
        expired.push_back(key);
      }
    }
    answers_changed();
    for (const auto& key : expired) (void)start_load(key, true);
  }

  // ---- the cache

  Result<std::shared_ptr<const ModelList>> answer(const Key& key, bool include_inactive) {
    {
      std::shared_lock lock(cache_mutex_);
      if (auto it = cache_.find(key); it != cache_.end()) return include_inactive ? it->second.all : it->second.usable;
    }
    std::lock_guard lock(flight_mutex_);
    if (auto it = failures_.find(key); it != failures_.end()) return std::unexpected(it->second);
    return std::unexpected(make_error(ErrorCode::not_found, "no answer for " + key.first));
  }

  // A degraded answer never replaces a sound one that is still valid.
  void put(const Key& key, const Entry& entry) {
    std::unique_lock lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end() && entry.all->degraded && !it->second.all->degraded && clock_.now() < it->second.expires) return;
    cache_[key] = entry;
    lock.unlock();
    expiry_.expires_at(entry.expires);
    answers_changed();
  }

  // The earliest expiry after `now` of the answers held (for the hot path's expiry watch).
  Clock::TimePoint next_expiry(Clock::TimePoint now) const {
    std::shared_lock lock(cache_mutex_);
    auto next = Clock::TimePoint::max();
    for (const auto& [key, entry] : cache_)
      if (entry.expires > now) next = std::min(next, entry.expires);
    return next;
  }

  // One load per key at a time, in the background: concurrent misses share it. After a change
  // (`changed`), a load already in flight may have read the table before it: it is joined, and
  // marked to load once more when it ends, so the older answer it stores does not stand.
  std::shared_future<void> start_load(const Key& key, bool changed = false) {
    std::lock_guard lock(flight_mutex_);
    if (auto it = loading_.find(key); it != loading_.end()) {
      it->second.again |= changed;
      return it->second.done;
    }
    auto promise = std::make_shared<std::promise<void>>();
    std::shared_future<void> done = promise->get_future().share();
    loading_.emplace(key, Flight{done, clock_.now(), false});
    bool posted = pool_.post([this, key, promise] {
      // Whatever happens in a run, the key is free again after the last, and only then are the
      // waiters released: a caller who comes after a release must start a new load, never join
      // a finished one (a waiter that gives up meanwhile takes the first run's stored answer).
      for (bool again = true; again;) {
        try {
          load(key, false);
        } catch (const std::exception& e) {
          remember_failure(key, make_error(ErrorCode::transport, std::string("the registry's load failed: ") + e.what()));
        } catch (...) {
          remember_failure(key, make_error(ErrorCode::transport, "the registry's load failed"));
        }
        {
          std::lock_guard l(flight_mutex_);
          auto& flight = loading_.at(key);
          again = flight.again && !pool_.stop_token().stop_requested();
          flight.again = false;
          if (again) {
            flight.started = clock_.now();  // other misses' waits count from this run
          } else {
            loading_.erase(key);
          }
        }
        // What the run stored came from a table read before the change: the next run's answer
        // replaces it even when degraded (say, the rows read again while this run's history
        // row is still on its way to Airtable, so the listing does not look fresh yet).
        if (again) expire_now(key);
      }
      promise->set_value();
    });
    if (!posted) {
      loading_.erase(key);
      promise->set_value();
    }
    return done;
  }

  // How long a miss may wait: wait_for, less the time the oldest load in flight has run
  // already (they all wait for the same table read), so that asking for three providers while
  // Airtable hangs costs one wait_for, not three.
  std::chrono::milliseconds miss_wait() {
    auto now = clock_.now();
    Clock::TimePoint oldest = now;
    {
      std::lock_guard lock(flight_mutex_);
      for (const auto& [key, flight] : loading_) oldest = std::min(oldest, flight.started);
    }
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - oldest);
    return std::max(std::chrono::milliseconds(0), options_.wait_for - waited);
  }

  void expire_now(const Key& key) {
    std::unique_lock lock(cache_mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) it->second.expires = std::min(it->second.expires, clock_.now());
  }

  // The rows of these providers (every one when empty) changed: loads in flight for them,
  // first misses included, may have read the table before, so each loads once more.
  void loads_outdated(const std::vector<std::string>& providers) {
    std::lock_guard lock(flight_mutex_);
    for (auto& [key, flight] : loading_)
      if (providers.empty() || std::find(providers.begin(), providers.end(), key.first) != providers.end())
        flight.again = true;
  }

  void remember_failure(const Key& key, Error e) {
    std::lock_guard lock(flight_mutex_);
    failures_[key] = std::move(e);
  }

  // ---- the table

  Snapshot known_snapshot() { return table_.known(); }

  Result<Snapshot> table(bool force) { return table_.get(force, pool_.stop_token()); }

  // After a read: every provider whose listing is fresh is answered from it, every category.
  void fill_fresh(const Snapshot& snap) {
    auto wall = std::chrono::system_clock::now();
    for (const auto& provider : snap->providers()) {
      if (!fresh(*snap, provider, wall)) continue;
      for (ModelCategory c : {ModelCategory::text, ModelCategory::tts}) {
        auto rows = of_category(snap->rows_of(provider), c);
        if (rows.empty() && registry::offered_categories(*discovery_, provider, {c}).empty()) continue;
        put({provider, c}, airtable_entry(*snap, provider, c, std::move(rows)));
      }
    }
  }

  bool fresh(const TableSnapshot& snap, const std::string& provider, SystemTime wall) const {
    auto listed = snap.listed_at(provider, wall);
    auto trusted_for = std::chrono::duration_cast<std::chrono::seconds>(options_.fresh_for * trust_factor_);
    return listed && wall - *listed < trusted_for;
  }

  Entry airtable_entry(const TableSnapshot& snap, const std::string& provider, ModelCategory category,
                       std::vector<RegistryRow> rows, std::vector<std::string> notes = {}) {
    ModelList list;
    list.provider = provider;
    list.category = category;
    list.models = std::move(rows);
    list.source = snap.shared ? AnswerSource::shared : AnswerSource::airtable;
    list.as_of = snap.read_at;
    list.version = snap.version;
    list.warnings = snap.warnings_of(provider);
    for (auto& n : notes) list.warnings.push_back(std::move(n));
    return make_entry(std::move(list), clock_.now() + options_.cache_ttl);
  }

  // ---- a load: Airtable, else the provider, else stale rows, else the curated list

  void load(const Key& key, bool force) {
    const auto& [provider, category] = key;
    {
      std::lock_guard lock(flight_mutex_);
      failures_.erase(key);
    }
    auto wall = std::chrono::system_clock::now();
    std::vector<std::string> warnings;
    auto read = table(false);
    bool live = read.has_value();
    Snapshot snap = live ? *read : known_snapshot();
    // The month's calls are spent (Airtable's quota, or our budget's share for reads): the rows
    // as last read answer. Not "Airtable down": nothing is merged against them or written.
    bool spent = !live && read.error().code == ErrorCode::quota_exhausted;
    if (!live) {
      warnings.push_back((spent ? read.error().message : "Airtable could not be read (" + read.error().describe() + ")") +
                         (snap ? "; statuses from the last snapshot" : "; no snapshot of the table yet"));
    }
    if (live && !force && !fresh(*snap, provider, wall)) {
      // Old by the history this table was read with: another instance may have listed it since
      // (one request, at most every 10 minutes).
      table_.refresh_history(std::chrono::minutes(10), pool_.stop_token());
      if (auto newer = known_snapshot()) snap = newer;
    }
    if (live && !force && fresh(*snap, provider, wall)) {
      put(key, airtable_entry(*snap, provider, category, of_category(snap->rows_of(provider), category)));
      return;
    }
    if (spent) {
      put(key, stale_or_curated(key, snap, live, wall, std::move(warnings)));
      return;
    }
    auto no_key = discovery_->missing_key(provider, category);
    bool known = !registry::offered_categories(*discovery_, provider, {category}).empty();
    if (live && (no_key || !known)) {
      // Nothing to list (no key, or rows people keep by hand for a provider airreg cannot
      // ask): the table's rows are the registry, when it has some.
      auto rows = of_category(snap->rows_of(provider), category);
      if (!rows.empty()) {
        std::string why = no_key ? *no_key : provider + " has no listing airreg can read";
        put(key, airtable_entry(*snap, provider, category, std::move(rows), {why + ": the rows as the table holds them"}));
        return;
      }
    }
    if (no_key) warnings.push_back(*no_key);
    if (!no_key && known && (force || ready_to_ask(provider))) {
      // One instance of the fleet asks a provider per discovery interval; the others serve the
      // rows until its write-back's notice arrives.
      if (force || fleet_->try_claim("discover:" + provider, options_.discovery_interval)) {
        if (auto listed = ask_provider(key, snap, live, wall, warnings)) {
          put(key, *listed);
          return;
        }
      } else {
        warnings.push_back("another instance of the fleet is asking " + provider + " (or did so within " +
                           std::to_string(options_.discovery_interval.count()) + " s)");
      }
    }
    put(key, stale_or_curated(key, snap, live, wall, std::move(warnings)));
  }

  // Discovery of every category of the provider, merged with its rows; writes back only
  // what was merged against rows actually read, or a snapshot. Nothing when the listing of
  // `key`'s category failed.
  std::optional<Entry> ask_provider(const Key& key, const Snapshot& snap, bool live, SystemTime wall,
                                    std::vector<std::string>& warnings) {
    const auto& [provider, category] = key;
    {
      std::lock_guard lock(asked_mutex_);
      asked_at_[provider] = clock_.now();
    }
    std::vector<ModelCategory> categories;
    for (ModelCategory c : registry::offered_categories(*discovery_, provider, {ModelCategory::text, ModelCategory::tts}))
      if (!discovery_->missing_key(provider, c)) categories.push_back(c);
    provider_calls_.fetch_add(categories.size(), std::memory_order_relaxed);
    registry::MergePolicy policy{options_.new_status, options_.grace, options_.verify_interval, 0.5};
    std::vector<RegistryRow> rows = snap ? snap->rows_of(provider) : std::vector<RegistryRow>{};
    std::set<std::string> untouchable = snap ? snap->parsed.untouchable : std::set<std::string>{};
    // Merged against nothing (no read, no snapshot): nothing is written, it would overwrite
    // a person's cells. Else writes are queued in batches as the merge makes them.
    std::optional<std::vector<AirtableRecord>> current;
    std::optional<Error> unqueued;
    registry::WriteBatches queue = [&](std::vector<Fields>&& batch) {
      if (!snap) return;
      if (!current) current = snap->records_of(provider, tables_.registry);
      // The writer skips its re-read of people's cells only when this instance read the
      // table moments ago; a snapshot up to an hour old, or another instance's, may miss an edit.
      bool read_just_now = live && !snap->shared && std::chrono::system_clock::now() - snap->read_at < std::chrono::seconds(10);
      auto queued = write_back_.submit(batch, *current, read_just_now);
      if (!queued && !unqueued) unqueued = queued.error();
    };
    auto refresh = registry::refresh_provider(*discovery_, provider, categories, std::move(rows), untouchable, wall, policy,
                                              tables_.registry, pool_.stop_token(), queue);
    current.reset();
    if (unqueued) warnings.push_back("could not queue the write-back: " + unqueued->describe());
    {
      std::lock_guard lock(asked_mutex_);
      auto& counts = provider_outcomes_[provider];
      for (const auto& c : refresh.categories) ++(c.listing ? counts.first : counts.second);
    }
    if (!refresh.listed()) {
      errors_.fetch_add(1, std::memory_order_relaxed);
      std::lock_guard lock(asked_mutex_);
      failed_until_[provider] = clock_.now() + options_.negative_ttl;  // a dead provider is not hammered
    }
    write_history(refresh, snap, live, warnings);
    if (!snap) apply_outbox_statuses(provider, refresh.rows);
    std::optional<Entry> mine;
    for (const auto& c : refresh.categories) {
      if (!c.listing) {
        if (c.category == category && c.error) warnings.push_back(c.error->describe());
        continue;
      }
      ModelList list;
      list.provider = provider;
      list.category = c.category;
      list.models = take_category(refresh.rows, c.category);
      list.source = AnswerSource::provider;
      list.as_of = wall;
      list.degraded = !live;
      list.version = snap ? snap->version : 0;
      list.warnings = warnings;
      if (snap)
        for (auto& w : snap->warnings_of(provider)) list.warnings.push_back(std::move(w));
      for (const auto& w : c.merged.warnings) list.warnings.push_back(w);
      Entry e = make_entry(std::move(list), clock_.now() + (live ? options_.cache_ttl : options_.negative_ttl));
      if (c.category == category) {
        mine = e;
      } else {
        put({provider, c.category}, e);
      }
    }
    return mine;
  }

  // The history row of each category, where the table was read.
  void write_history(const registry::ProviderRefresh& refresh, const Snapshot& snap, bool live, std::vector<std::string>& warnings) {
    if (!snap || !live || !refresh.listed()) return;  // "listed" only where the table was read
    std::vector<Fields> history;
    std::string now = core_now();
    for (const auto& c : refresh.categories) {
      ProviderSync sync = registry::sync_record(refresh.provider, c);
      sync.started = sync.finished = now;
      history.push_back(registry::history_row(sync, tables_.history, instance_, 0));
    }
    if (auto queued = write_back_.submit_history(history); !queued)
      warnings.push_back("could not queue the history: " + queued.error().describe());
  }

  static std::string core_now();

  // No table read and no snapshot: a status a person's row is known to hold from the outbox
  // (a row queued earlier) still stands; new models follow the new-model policy.
  void apply_outbox_statuses(const std::string& provider, std::vector<RegistryRow>& rows) {
    auto waiting = outbox_->waiting(client_.config().base_id);
    if (!waiting) return;
    const auto& c = tables_.registry;
    for (const auto& e : *waiting) {
      auto get = [&](const char* key) -> std::string {
        auto it = e.fields.find(c.cell(key));
        const std::string* s = it == e.fields.end() ? nullptr : std::get_if<std::string>(&it->second);
        return s ? *s : std::string();
      };
      if (get("provider_id") != provider) continue;
      auto status = parse_status(get("status"));
      if (!status) continue;
      for (auto& r : rows)
        if (r.model_id == get("model_id")) r.status = *status;
    }
  }

  // The rows however old (stale, with their age), else the curated list without the models a
  // person's row refuses, else an error.
  Entry stale_or_curated(const Key& key, const Snapshot& snap, bool live, SystemTime wall, std::vector<std::string> warnings) {
    const auto& [provider, category] = key;
    ModelList list;
    list.provider = provider;
    list.category = category;
    list.degraded = true;
    list.version = snap ? snap->version : 0;
    auto all_rows = snap ? snap->rows_of(provider) : std::vector<RegistryRow>{};
    auto rows = of_category(all_rows, category);
    auto expires = clock_.now() + options_.negative_ttl;
    if (!rows.empty()) {
      // Their age: when the listing was last read, else (older than the history we read) the
      // newest Last Verified, an upper bound.
      auto listed = snap->listed_at(provider, wall);
      std::optional<SystemTime> verified;
      for (const auto& r : rows)
        if (r.last_verified) verified = std::max(verified.value_or(*r.last_verified), std::min(*r.last_verified, wall));
      list.as_of = listed ? *listed : verified.value_or(snap->read_at);
      list.source = AnswerSource::stale;
      list.models = std::move(rows);
      if (wall - list.as_of > options_.stale_warn_after)
        warnings.push_back("the rows of " + provider + " were last listed " + age_text(wall - list.as_of) +
                           " ago (the provider could not be asked since)");
      else if (!listed && wall - snap->read_at < options_.stale_warn_after && !verified)
        warnings.push_back("the rows of " + provider + " carry no sign of when they were last listed");
      list.warnings = std::move(warnings);
      (void)live;
      return make_entry(std::move(list), expires);
    }
    auto curated = discovery_->curated(provider, category);
    for (const auto& m : curated.models) {
      bool refused = std::any_of(all_rows.begin(), all_rows.end(), [&](const RegistryRow& r) {
        return r.model_id == m.id && !usable(r.status);
      });
      if (!refused) list.models.push_back(curated_row(provider, category, m));
    }
    list.source = AnswerSource::curated;
    list.as_of = wall;
    for (auto& w : curated.warnings) warnings.push_back(std::move(w));
    list.warnings = std::move(warnings);
    if (curated.models.empty()) {
      std::string why;
      for (const auto& w : list.warnings) why += (why.empty() ? "" : "; ") + w;
      remember_failure(key, make_error(ErrorCode::not_found, "no models known for " + provider + " (" +
                                                                 std::string(to_string(category)) + "): " + why));
    }
    return make_entry(std::move(list), expires);
  }

  // The best answer right now, without waiting: the last snapshot's rows, else curated.
  Result<Entry> fallback_entry(const Key& key) {
    Snapshot snap = known_snapshot();
    auto e = stale_or_curated(key, snap, false, std::chrono::system_clock::now(),
                              {"still loading (waited " + std::to_string(options_.wait_for.count()) + " ms): a fallback answers meanwhile"});
    if (e.all->models.empty() && e.all->source == AnswerSource::curated) {
      std::lock_guard lock(flight_mutex_);
      if (auto it = failures_.find(key); it != failures_.end()) return std::unexpected(it->second);
    }
    return e;
  }

  // At most one discovery per provider per interval, none while a recent failure is remembered.
  bool ready_to_ask(const std::string& provider) {
    std::lock_guard lock(asked_mutex_);
    auto now = clock_.now();
    if (auto failed = failed_until_.find(provider); failed != failed_until_.end() && now < failed->second) return false;
    auto asked = asked_at_.find(provider);
    return asked == asked_at_.end() || now - asked->second >= options_.discovery_interval;
  }

  AirtableClient client_;
  std::unique_ptr<Discovery> discovery_;
  airtable::BoundTables tables_;
  RegistryOptions options_;
  Clock clock_;
  std::shared_ptr<fleet::Fleet> fleet_;
  // Every request of this process to the base takes a slot of the fleet's budget, until the
  // write-back (declared after, so destroyed before) has made its last flush.
  fleet::SharedBudgetScope budget_scope_;
  std::shared_ptr<Outbox> outbox_;
  double trust_factor_;
  std::string instance_;
  std::shared_ptr<registry::CallBudget> budget_;
  registry::TableSource table_;
  std::atomic<bool> webhook_{false};

  mutable std::shared_mutex cache_mutex_;
  std::map<Key, Entry> cache_;
  std::mutex flight_mutex_;
  struct Flight {
    std::shared_future<void> done;
    Clock::TimePoint started;
    bool again = false;  // a change arrived while it ran: load once more
  };
  std::map<Key, Flight> loading_;
  std::map<Key, Error> failures_;

  mutable std::mutex asked_mutex_;  // loads of different keys run together
  std::map<std::string, Clock::TimePoint> asked_at_, failed_until_;
  std::map<std::string, std::pair<size_t, size_t>> provider_outcomes_;  // provider -> listings read, failed

  std::atomic<size_t> hits_{0}, misses_{0}, stale_served_{0}, fallbacks_served_{0}, provider_calls_{0}, errors_{0},
      unknown_verified_{0};
  registry::WriteBack write_back_;
  // Its thread reads the cache (declared above); the pool's tasks tell it of new answers, so
  // it stops after the pool.
  registry::ExpiryWatch expiry_{clock_, std::chrono::milliseconds(50),
                                [this](Clock::TimePoint now) { return next_expiry(now); }, [this] { answers_changed(); }};
  // Last: its tasks use everything above, so it stops (and joins) first.
  core::TaskPool pool_;
};

std::string RegistryImpl::core_now() { return core::format_utc(std::chrono::system_clock::now()); }

}  // namespace

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
  return std::unique_ptr<ModelRegistry>(std::make_unique<RegistryImpl>(std::move(client), std::move(*discovery),
                                                                       std::move(*tables), std::move(options),
                                                                       std::move(clock), std::move(*fleet)));
}

}  // namespace airreg
