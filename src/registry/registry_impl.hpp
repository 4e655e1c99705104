// The registry behind ModelRegistry::create, in three files by what each part does:
//   model_registry.cpp  the public calls (answers, resolve, stats) and create()
//   registry_cache.cpp  the cache, its loads in flight, the fleet's notices, the table's snapshots
//   registry_load.cpp   one load: Airtable, else the provider (merged and written back), else
//                       stale rows, else the curated list
// Private to those files.
#pragma once

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>

#include "airreg/model_registry.hpp"
#include "core/task_pool.hpp"
#include "registry/call_budget.hpp"
#include "registry/expiry_watch.hpp"
#include "registry/provider_refresh.hpp"
#include "registry/table_binding.hpp"
#include "registry/table_source.hpp"
#include "registry/write_back.hpp"

namespace airreg::registry {

using Key = std::pair<std::string, ModelCategory>;

// A cached answer: as it came (returned on the miss that loaded it) and as later hits see it.
struct Entry {
  std::shared_ptr<const ModelList> usable, all, usable_hit, all_hit;
  Clock::TimePoint expires;
};

Entry make_entry(ModelList all, Clock::TimePoint expires);

class RegistryImpl final : public ModelRegistry {
 public:
  RegistryImpl(AirtableClient client, std::unique_ptr<Discovery> discovery, airtable::BoundTables tables,
               RegistryOptions options, Clock clock, std::shared_ptr<fleet::Fleet> fleet);
  ~RegistryImpl() override;
  Result<std::shared_ptr<const ModelList>> models(const std::string& provider, ModelCategory category,
                                                  bool include_inactive) override;
  Result<std::shared_ptr<const ModelList>> refresh(const std::string& provider, ModelCategory category) override;
  Result<ModelChoice> resolve(const std::string& provider, ModelCategory category, const std::string& requested) override;
  std::optional<std::string> recommended(const std::string& provider, ModelCategory category) override;
  void report_verified(const std::string& provider, const std::string& model_id) override;
  std::vector<std::string> providers() override;
  std::vector<CachedAnswer> cached() const override;
  std::vector<LastSync> last_syncs() override;
  std::map<std::string, SystemTime> last_listed() const override;
  void invalidate(const std::vector<std::string>& providers) override;
  void use_webhook(bool active) override;
  std::vector<std::string> apply_changes(const std::vector<RecordChange>& changes) override;
  std::optional<AirtableClient> airtable_client() const override { return client_; }
  RegistryStats stats() const override;

 private:
  // ---- the fleet's notices, the cache and its loads (registry_cache.cpp)
  void written(const std::set<std::string>& providers);
  void noticed(const fleet::Notice& n);
  Result<std::shared_ptr<const ModelList>> answer(const Key& key, bool include_inactive);
  void put(const Key& key, const Entry& entry);
  Clock::TimePoint next_expiry(Clock::TimePoint now) const;
  std::shared_future<void> start_load(const Key& key, bool changed = false);
  std::chrono::milliseconds miss_wait();
  void expire_now(const Key& key);
  void loads_outdated(const std::vector<std::string>& providers);
  void remember_failure(const Key& key, Error e);
  void fill_fresh(const Snapshot& snap);
  bool fresh(const TableSnapshot& snap, const std::string& provider, SystemTime wall) const;
  Entry airtable_entry(const TableSnapshot& snap, const std::string& provider, ModelCategory category,
                       RowList rows, std::vector<std::string> notes = {});
  Snapshot known_snapshot() { return table_.known(); }
  Result<Snapshot> table(bool force) { return table_.get(force, pool_.stop_token()); }

  // ---- one load (registry_load.cpp)
  void load(const Key& key, bool force);
  std::optional<Entry> ask_provider(const Key& key, const Snapshot& snap, bool live, SystemTime wall,
                                    std::vector<std::string>& warnings);
  void write_history(const registry::ProviderRefresh& refresh, const Snapshot& snap, bool live, std::vector<std::string>& warnings);
  void apply_outbox_statuses(const std::string& provider, std::vector<RegistryRow>& rows);
  Entry stale_or_curated(const Key& key, const Snapshot& snap, bool live, SystemTime wall, std::vector<std::string> warnings);
  Result<Entry> fallback_entry(const Key& key);
  bool ready_to_ask(const std::string& provider);
  static std::string core_now();

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

}  // namespace airreg::registry
