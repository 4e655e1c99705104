#include "airreg/model_registry.hpp"

#include <spdlog/sinks/null_sink.h>

#include <future>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "registry/current_names.hpp"
#include "registry/merge.hpp"
#include "registry/resolve.hpp"
#include "registry/row_reader.hpp"
#include "registry/snapshot_store.hpp"
#include "registry/write_back.hpp"

namespace airreg {

namespace {

using Key = std::pair<std::string, ModelCategory>;

// A cached answer: as it came (returned on the miss that loaded it) and as later hits see it.
struct Entry {
  std::shared_ptr<const ModelList> usable, all, usable_hit, all_hit;
  Clock::TimePoint expires;
};

std::shared_ptr<const ModelList> with_source(const ModelList& list, const std::string& source) {
  auto copy = std::make_shared<ModelList>(list);
  copy->source = source;
  return copy;
}

Entry make_entry(ModelList all, Clock::TimePoint expires) {
  ModelList usable = all;
  std::erase_if(usable.models, [](const RegistryRow& r) { return !registry::servable(r); });
  Entry e;
  e.all = std::make_shared<ModelList>(std::move(all));
  e.usable = std::make_shared<ModelList>(std::move(usable));
  // A hit says "cache", except that stale and curated answers keep saying what they are.
  bool sound = e.all->source == "airtable" || e.all->source == "provider";
  e.all_hit = sound ? with_source(*e.all, "cache") : e.all;
  e.usable_hit = sound ? with_source(*e.usable, "cache") : e.usable;
  e.expires = expires;
  return e;
}

std::optional<SystemTime> newest_verified(const std::vector<RegistryRow>& rows) {
  std::optional<SystemTime> newest;
  for (const auto& r : rows)
    if (r.discovery_method != "manual" && r.last_verified) newest = std::max(newest.value_or(*r.last_verified), *r.last_verified);
  return newest;
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

class RegistryImpl final : public ModelRegistry {
 public:
  RegistryImpl(AirtableClient client, std::unique_ptr<Discovery> discovery, RegistrySchemas schemas,
               RegistryOptions options, Clock clock, std::shared_ptr<spdlog::logger> logger)
      : client_(std::move(client)),
        discovery_(std::move(discovery)),
        schemas_(std::move(schemas)),
        names_(schemas_.registry),
        options_(std::move(options)),
        clock_(std::move(clock)),
        outbox_(std::make_shared<Outbox>(options_.state_dir)),
        trust_factor_(1.0 - clock_.uniform() * options_.freshness_jitter),
        write_back_(client_, outbox_, names_, clock_, options_.verify_interval, options_.flush_timeout,
                    [this](const std::string& provider, const std::string& model) { return cached_verified(provider, model); },
                    std::move(logger)) {}

  Result<std::shared_ptr<const ModelList>> models(const std::string& provider, ModelCategory category,
                                                  bool include_inactive) override {
    Key key{provider, category};
    {
      std::shared_lock lock(cache_mutex_);
      auto it = cache_.find(key);
      if (it != cache_.end() && clock_.now() < it->second.expires) {
        hits_.fetch_add(1, std::memory_order_relaxed);
        return include_inactive ? it->second.all_hit : it->second.usable_hit;
      }
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    auto entry = load_once(key, false);
    if (!entry) return std::unexpected(entry.error());
    return include_inactive ? entry->all : entry->usable;
  }

  Result<std::shared_ptr<const ModelList>> refresh(const std::string& provider, ModelCategory category) override {
    auto entry = load_once(Key{provider, category}, true);
    if (!entry) return std::unexpected(entry.error());
    return entry->usable;
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
    write_back_.report_verified(provider, model_id);
  }

  RegistryStats stats() const override {
    RegistryStats s;
    s.hits = hits_.load();
    s.misses = misses_.load();
    s.upstream_calls = upstream_.load();
    s.errors = errors_.load();
    s.writes = write_back_.rows_queued();
    s.rate_limited = write_back_.rate_limited();
    if (auto status = outbox_->status(client_.config().base_id)) s.outbox = status->waiting;
    return s;
  }

 private:
  // One load per key at a time: concurrent misses wait for the same answer.
  Result<Entry> load_once(const Key& key, bool force) {
    std::unique_lock lock(flight_mutex_);
    if (auto it = in_flight_.find(key); it != in_flight_.end()) {
      auto shared = it->second;
      lock.unlock();
      return shared.get();
    }
    std::promise<Result<Entry>> promise;
    auto shared = promise.get_future().share();
    in_flight_.emplace(key, shared);
    lock.unlock();
    Result<Entry> result = load(key, force);
    if (result) {
      std::unique_lock cache(cache_mutex_);
      cache_[key] = *result;
    }
    promise.set_value(result);
    lock.lock();
    in_flight_.erase(key);
    return result;
  }

  Result<Entry> load(const Key& key, bool force) {
    const auto& [provider, category] = key;
    auto now = clock_.now();
    SystemTime wall = std::chrono::system_clock::now();
    ModelList list;
    list.provider = provider;
    list.category = category;

    // Airtable first; its snapshot on disk when it cannot be read.
    upstream_.fetch_add(1, std::memory_order_relaxed);
    auto read = registry::read_rows(client_, names_, provider);
    std::vector<AirtableRecord> records;
    bool airtable_ok = read.has_value();
    if (airtable_ok) {
      records = std::move(read->records);
      (void)registry::save_snapshot(options_.state_dir, client_.config().base_id, provider, records);
    } else {
      errors_.fetch_add(1, std::memory_order_relaxed);
      list.warnings.push_back("Airtable could not be read (" + read.error().describe() + "); statuses from the last snapshot");
      records = registry::load_snapshot(options_.state_dir, client_.config().base_id, provider);
    }
    auto parsed = registry::parse_rows(records, names_);
    for (auto& w : parsed.warnings) list.warnings.push_back(std::move(w));
    std::vector<RegistryRow> rows;
    for (auto& r : parsed.rows)
      if (r.category == category) rows.push_back(std::move(r));
    auto verified = newest_verified(rows);
    auto trusted_for = std::chrono::duration_cast<std::chrono::seconds>(options_.fresh_for * trust_factor_);

    if (airtable_ok && !force && verified && wall - *verified < trusted_for) {
      list.models = std::move(rows);
      list.source = "airtable";
      list.as_of = *verified;
      return make_entry(std::move(list), now + options_.cache_ttl);
    }
    // The provider, unless asked too recently, failing recently, or without a key.
    bool may_ask = force || ready_to_ask(key, now);
    if (auto no_key = discovery_->missing_key(provider, category)) {
      may_ask = false;
      list.warnings.push_back(*no_key);
    }
    if (may_ask) {
      {
        std::lock_guard lock(asked_mutex_);
        recently_asked_[key] = now;
      }
      upstream_.fetch_add(1, std::memory_order_relaxed);
      auto listing = discovery_->discover(provider, category);
      if (listing) {
        // Rows from a snapshot may be older than a person's latest choice: keep their cells out.
        registry::MergePolicy policy{options_.new_status, options_.grace, options_.verify_interval, 0.5, airtable_ok};
        auto merged = registry::merge_listing(provider, category, &*listing, std::move(rows), wall, policy, names_,
                                              parsed.untouchable);
        if (!merged.writes.empty()) {
          if (auto queued = write_back_.submit(merged.writes, records); !queued)
            list.warnings.push_back("could not queue the write-back: " + queued.error().describe());
        }
        for (auto& w : merged.warnings) list.warnings.push_back(std::move(w));
        list.models = std::move(merged.rows);
        list.source = "provider";
        list.as_of = wall;
        return make_entry(std::move(list), now + options_.cache_ttl);
      }
      errors_.fetch_add(1, std::memory_order_relaxed);
      {
        std::lock_guard lock(asked_mutex_);
        failed_until_[key] = now + options_.negative_ttl;  // a dead provider is not hammered
      }
      list.warnings.push_back(listing.error().describe());
    }
    // Stale rows: within the maximum age, or however old when Airtable is down too.
    if (!rows.empty() && (!airtable_ok || !verified || wall - *verified <= options_.stale_max_age)) {
      list.models = std::move(rows);
      list.source = "stale";
      list.as_of = verified.value_or(wall);
      return make_entry(std::move(list), now + options_.negative_ttl);
    }
    auto curated = discovery_->curated(provider, category);
    if (!curated.models.empty()) {
      for (const auto& m : curated.models) list.models.push_back(curated_row(provider, category, m));
      list.source = "curated";
      list.as_of = wall;
      return make_entry(std::move(list), now + options_.negative_ttl);
    }
    std::string why;
    for (const auto& w : list.warnings) why += (why.empty() ? "" : "; ") + w;
    return std::unexpected(make_error(ErrorCode::not_found, "no models known for " + provider + " (" +
                                                                std::string(to_string(category)) + "): " + why));
  }

  // At most one discovery per key per interval, none while a recent failure is remembered.
  bool ready_to_ask(const Key& key, Clock::TimePoint now) {
    std::lock_guard lock(asked_mutex_);
    if (auto failed = failed_until_.find(key); failed != failed_until_.end() && now < failed->second) return false;
    auto asked = recently_asked_.find(key);
    return asked == recently_asked_.end() || now - asked->second >= options_.discovery_interval;
  }

  // The Last Verified of a model in the cache, for the write-back of report_verified().
  std::optional<SystemTime> cached_verified(const std::string& provider, const std::string& model) const {
    std::shared_lock lock(cache_mutex_);
    for (const auto& [key, entry] : cache_)
      if (key.first == provider)
        for (const auto& r : entry.all->models)
          if (r.model_id == model) return r.last_verified;
    return std::nullopt;
  }

  AirtableClient client_;
  std::unique_ptr<Discovery> discovery_;
  RegistrySchemas schemas_;
  registry::FieldNames names_;
  RegistryOptions options_;
  Clock clock_;
  std::shared_ptr<Outbox> outbox_;
  double trust_factor_;

  mutable std::shared_mutex cache_mutex_;
  std::map<Key, Entry> cache_;
  std::mutex flight_mutex_;
  std::map<Key, std::shared_future<Result<Entry>>> in_flight_;
  std::mutex asked_mutex_;  // loads of different keys run together
  std::map<Key, Clock::TimePoint> recently_asked_, failed_until_;

  std::atomic<size_t> hits_{0}, misses_{0}, upstream_{0}, errors_{0};
  // Last: its flusher reads the cache, so it stops before the cache goes.
  registry::WriteBack write_back_;
};

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
  schemas.registry.name = airtable.table;
  schemas.history.name = airtable.history_table;
  auto discovery = Discovery::create(std::move(discovery_config), transport, clock);
  if (!discovery) return std::unexpected(discovery.error());
  AirtableClient client(std::move(airtable), transport);
  // Columns a person renamed are followed; if the schema cannot be read, schema/'s names.
  (void)registry::adopt_current_names(client, schemas);
  auto logger = std::make_shared<spdlog::logger>("airreg", std::make_shared<spdlog::sinks::null_sink_mt>());
  return std::unique_ptr<ModelRegistry>(std::make_unique<RegistryImpl>(std::move(client), std::move(*discovery),
                                                                       std::move(schemas), std::move(options),
                                                                       std::move(clock), std::move(logger)));
}

}  // namespace airreg
