// The registry as a server reads it (DESIGN.md, "The read path"): an in-process cache of the
// models per provider and category, filled from one read of the whole Airtable table while a
// provider's listing is fresh, and from the provider (merged by the ownership rules and
// written back in the background) when it is not, with fallbacks when either is down.
//
// A call never waits long and never fails while anything can answer: an expired entry is
// served while one background refresh runs; a miss waits at most `wait_for` and then gets the
// best fallback (the last snapshot, the provider's listing with the snapshot's statuses, the
// curated list), while the load goes on and the next call gets its result. A 429 is waited
// out in the background. Every answer says where it came from and how old it is.
//
// One per process; thread-safe; a cache hit takes no exclusive lock and does no I/O.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airreg/airtable_client.hpp"
#include "airreg/clock.hpp"
#include "airreg/discovery.hpp"
#include "airreg/registry_row.hpp"
#include "airreg/row_list.hpp"
#include "airreg/schema.hpp"
#include "airreg/sync_outcome.hpp"

namespace airreg {

struct RegistryOptions {
  std::chrono::seconds cache_ttl{3600};             // a cached answer is used this long (s)
  std::chrono::hours fresh_for{24};                 // a provider's listing read this recently is trusted (h)
  double freshness_jitter = 0.05;                   // each instance trusts up to 5 % less, to spread refreshes
  std::chrono::seconds negative_ttl{60};            // a failure, and a degraded answer, is kept this long (s)
  std::chrono::hours stale_warn_after{7 * 24};      // stale rows older than this carry a warning (h)
  std::chrono::seconds discovery_interval{300};     // a provider is asked at most this often (s)
  std::chrono::minutes verify_interval{60};         // Last Verified is written at most this often per model (min)
  std::chrono::hours grace{7 * 24};                 // missing this long -> deprecated (h)
  std::chrono::milliseconds wait_for{2000};         // a miss waits this long, then gets a fallback (ms)
  std::chrono::milliseconds startup_jitter{1000};   // the first read waits up to this, unless a caller waits (ms)
  int read_attempts = 4;                            // tries of a table read on 5xx, timeouts, resets (and 429s)
  ModelStatus new_status = ModelStatus::pending;    // what new models enter as
  std::filesystem::path state_dir;                  // outbox and snapshots; empty: default_state_dir()
  std::chrono::seconds flush_timeout{10};           // destruction waits this long at most; the rest stays queued (s)
  std::string instance;                             // for the history table and the fleet; empty: host:pid
  // redis://[:password@]host:port/db or a unix socket path (AIRREG_REDIS_URL): the instances on
  // the base share reads, leases, the rate limit and change notices. Empty: this one alone.
  std::string redis_url;
  // Airtable calls a month this base may spend (AIRREG_MONTHLY_CALL_BUDGET; the fleet's with
  // Redis): revalidations are spaced to stay inside it. Nothing: unlimited.
  std::optional<long long> monthly_budget;
  std::chrono::hours full_read_every{24};           // every row read at least this often, for deletions (h)
  // A revalidation asks for rows changed since its last read less this: Airtable's clock and
  // ours may differ, and a change may land while a read runs (rows found again are read twice).
  std::chrono::seconds clock_skew{60};              // (s)
  std::shared_ptr<spdlog::logger> logger;           // null: nothing is logged

  // The defaults above, changed by the AIRREG_ variables that are set (AIRREG_CACHE_TTL,
  // AIRREG_REDIS_URL, ...; docs/library.md lists them); a config error names a bad one.
  static Result<RegistryOptions> from_environment();
};

// Where an answer came from. `cache` is a hit on a sound answer (from Airtable or the
// provider); a hit on a degraded one says what it is (stale, curated, ...), never `cache`.
enum class AnswerSource { cache, shared, airtable, provider, stale, curated };
std::string_view to_string(AnswerSource s);

struct ModelList {
  std::string provider;
  ModelCategory category = ModelCategory::text;
  RowList models;  // shared with the answer's other views; read it like a const vector
  AnswerSource source = AnswerSource::airtable;
  AnswerSource origin = AnswerSource::airtable;  // where the data came from, also on a hit
  SystemTime as_of;    // when the data was read from its source: its age is now - as_of
  // Stale rows, the curated list, or the provider's listing without the table's rows (read
  // from a snapshot, or from nothing): kept only for the negative TTL, never called `cache`.
  bool degraded = false;
  std::vector<std::string> warnings;
  uint64_t version = 0;  // the table snapshot the answer was made from (0: none): an ETag
};

// What the cache holds for one provider and category, for status pages and metrics.
struct CachedAnswer {
  std::string provider;
  ModelCategory category = ModelCategory::text;
  AnswerSource source = AnswerSource::airtable;  // where its data came from
  SystemTime as_of;
  bool degraded = false;
  size_t usable = 0, pending = 0, rows = 0;
};

// The newest run of Model Sync History for a provider and category (from the last table read).
struct LastSync {
  std::string provider;
  ModelCategory category = ModelCategory::text;
  SyncOutcome outcome = SyncOutcome::success;
  SystemTime finished;
};

// Requests to Airtable ("airtable", provider empty) or to a provider, by outcome.
struct UpstreamCount {
  std::string target, provider, outcome;
  size_t count = 0;
};

enum class ResolveRule { requested, recommended, sort_order, curated_default };
std::string_view to_string(ResolveRule r);

struct ModelChoice {
  std::string model_id;
  ResolveRule rule = ResolveRule::requested;
  AnswerSource source = AnswerSource::airtable;
};

struct RegistryStats {
  size_t hits = 0, misses = 0;
  size_t stale_served = 0;      // expired entries served while they were refreshed
  size_t fallbacks_served = 0;  // misses answered by a fallback after wait_for
  size_t airtable_reads = 0;    // table reads (each ceil(rows/100) requests, plus the history's)
  size_t airtable_requests = 0; // every request this registry sent to Airtable (reads and writes)
  size_t provider_calls = 0;    // discoveries of a provider's listing
  size_t errors = 0;            // failed reads and discoveries
  size_t writes = 0;            // rows queued for Airtable
  size_t rate_limited = 0;      // 429s seen
  size_t outbox = 0;            // rows waiting in the outbox now
  size_t verified_coalesced = 0;  // report_verified calls that needed no write
  size_t shared_snapshots = 0;    // tables taken from the fleet instead of read from Airtable
  bool fleet = false;             // a Redis URL was given
  bool redis_ok = false;          // ... and Redis answered the last command
  std::string redis_error;        // why it did not ("" when it did)
  size_t fleet_instances = 1;     // instances of the fleet seen in the last 30 s
  size_t revalidations = 0;       // of the table: one request asks whether any row changed
  size_t revalidations_unchanged = 0;  // of those, the ones that found nothing (one call each)
  long long calls_month = 0;      // Airtable calls this calendar month (UTC), the fleet's with Redis
  long long calls_projected = 0;  // by the month's end at this pace
  std::optional<long long> call_budget;  // the monthly budget, when one is set
  std::chrono::seconds revalidation_period{0};  // the table is revalidated this often now
  bool reads_allowed = true;      // false once the budget's share for reads is spent
  std::vector<UpstreamCount> upstream;  // by target, provider and outcome (ok, error, rate_limited)
  std::string last_write_error;   // why the last flush stopped ("" when none did)
  std::optional<SystemTime> last_write_error_at;
};

namespace detail {
// The hot path's per-thread views (answer_views.cpp): the answers one thread last got from one
// registry, valid while that registry's generation has not moved.
struct ViewSlot {
  std::shared_ptr<const ModelList> lists[2];  // usable, every row
  std::string requested;                      // resolve_view's last question...
  std::optional<ModelChoice> choice;          // ...and its answer
};
struct ThreadViews {
  uint64_t registry = 0;    // the registry's views id (never reused)
  uint64_t generation = 0;  // the registry's generation they were made at; 0: none
  std::vector<ViewSlot> slots;  // by handle * 2 + category
  size_t slot_count = 0;        // slots.size(), kept: a hit compares it without a division
  std::atomic<uint64_t>* hits = nullptr;  // this thread's counter, on its own cache line
};
// A plain pointer, constinit: no TLS wrapper call (or check for one) on a hit. The views it
// points to are owned by a thread_local in answer_views.cpp and freed when the thread ends.
extern thread_local constinit ThreadViews* tl_views __attribute__((tls_model("initial-exec")));
}  // namespace detail

class ModelRegistry {
 public:
  static Result<std::unique_ptr<ModelRegistry>> create(AirtableConfig airtable, DiscoveryConfig discovery,
                                                       RegistrySchemas schemas, RegistryOptions options = {},
                                                       std::shared_ptr<HttpTransport> transport = nullptr,
                                                       Clock clock = Clock::system());
  ModelRegistry();
  virtual ~ModelRegistry();
  ModelRegistry(const ModelRegistry&) = delete;
  ModelRegistry& operator=(const ModelRegistry&) = delete;

  // The hot path, for a server that asks on every request (docs/library.md). handle() interns
  // a provider's name once (thread-safe, never fails). models_view() answers exactly what
  // models() answers, but a hit costs one atomic load of a generation number and a
  // per-thread counter: no lock, no clock, no shared write, so it scales with threads. The
  // pointer is valid until this thread's next models_view() or resolve_view() on this registry;
  // copy the list, or call models() for a shared_ptr to keep. Expiry is noticed within 50 ms
  // (a ticker moves the generation), not at the very instant.
  using ProviderHandle = uint32_t;
  ProviderHandle handle(std::string_view provider);
  Result<const ModelList*> models_view(ProviderHandle provider, ModelCategory category, bool include_inactive = false) {
    // The hit, inline: this thread's view of this registry, at the current generation.
    const detail::ThreadViews* v = detail::tl_views;
    size_t index = static_cast<size_t>(provider) * 2 + (category == ModelCategory::tts ? 1 : 0);
    if (v && v->generation == generation_.value.load(std::memory_order_acquire) && index < v->slot_count) [[likely]] {
      if (const ModelList* list = v->slots[index].lists[include_inactive].get()) [[likely]] {
        // Only this thread writes its counter: no read-modify-write on a shared line.
        v->hits->store(v->hits->load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return list;
      }
    }
    return models_view_miss(provider, category, include_inactive);
  }
  // resolve() on the hot path: the last answer per (provider, category) is kept per thread for
  // the model asked for. Valid as models_view()'s pointer is.
  Result<const ModelChoice*> resolve_view(ProviderHandle provider, ModelCategory category, std::string_view requested) {
    const detail::ThreadViews* v = detail::tl_views;
    size_t index = static_cast<size_t>(provider) * 2 + (category == ModelCategory::tts ? 1 : 0);
    if (v && v->generation == generation_.value.load(std::memory_order_acquire) && index < v->slot_count) [[likely]] {
      const detail::ViewSlot& slot = v->slots[index];
      if (slot.choice && slot.requested == requested) [[likely]] {
        v->hits->store(v->hits->load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return &*slot.choice;
      }
    }
    return resolve_view_miss(provider, category, requested);
  }

  // The usable models (or every row, include_inactive) and where they came from.
  virtual Result<std::shared_ptr<const ModelList>> models(const std::string& provider, ModelCategory category,
                                                          bool include_inactive = false) = 0;
  virtual Result<ModelChoice> resolve(const std::string& provider, ModelCategory category, const std::string& requested) = 0;
  virtual std::optional<std::string> recommended(const std::string& provider, ModelCategory category) = 0;
  // A real call to the model worked: at most one Last Verified write per model per
  // verify_interval, only for a row that exists (by its record id); never creates a row.
  virtual void report_verified(const std::string& provider, const std::string& model_id) = 0;
  // Asks the provider now (not waiting for freshness or the discovery interval) and waits.
  virtual Result<std::shared_ptr<const ModelList>> refresh(const std::string& provider, ModelCategory category) = 0;
  // The providers with rows in the table, as last read (reads it when nothing was read yet).
  virtual std::vector<std::string> providers() = 0;
  virtual RegistryStats stats() const = 0;
  // Every (provider, category) the cache holds now, with its source and age.
  virtual std::vector<CachedAnswer> cached() const = 0;
  // From the last table read: the newest sync run of each provider and category, and when
  // each provider's listing was last read (its newest success or partial run).
  virtual std::vector<LastSync> last_syncs() = 0;
  virtual std::map<std::string, SystemTime> last_listed() const = 0;
  // The table changed (a sync this process ran, a webhook): these providers' answers (every
  // one when empty) are dropped and loaded again at once.
  virtual void invalidate(const std::vector<std::string>& providers) = 0;
  // Webhooks tell this registry every change (airreg serve --public-url): the table is not
  // revalidated between full reads, and its own writes come back through the payloads.
  virtual void use_webhook(bool active) = 0;
  // A webhook payload's changes, applied to the table without reading it; the providers whose
  // rows they touched (their answers are made again, and the fleet is told).
  virtual std::vector<std::string> apply_changes(const std::vector<RecordChange>& changes) = 0;
  // A client of this registry's base that shares its pacing and its request count, for a
  // caller that calls Airtable beside it (serve's webhook): its calls are counted in the
  // month's calls and the budget like the registry's own. Nothing when the registry has no
  // client of its own (a fake).
  virtual std::optional<AirtableClient> airtable_client() const;

 protected:
  // Implementations call this whenever an answer of models() may differ from the last one
  // (an answer stored, dropped or expired): every thread's views are made again.
  void answers_changed() noexcept;
  // Hits of models_view() and resolve_view(), summed over the threads (for stats()).
  size_t view_hits() const;

 private:
  // Cold: laid out away from the hits, which fall through.
  [[gnu::cold]] Result<const ModelList*> models_view_miss(ProviderHandle provider, ModelCategory category, bool include_inactive);
  [[gnu::cold]] Result<const ModelChoice*> resolve_view_miss(ProviderHandle provider, ModelCategory category,
                                                             std::string_view requested);

  struct Views;
  std::unique_ptr<Views> views_;
  // Moves whenever an answer may have changed. Its values are never shared by two registries
  // (the views id is in the high bits), so a thread's views match it only if they were made
  // by this registry at this generation: the hit compares nothing else. On its own cache line,
  // away from whatever an implementation writes.
  struct alignas(64) Generation {
    std::atomic<uint64_t> value{0};
  };
  Generation generation_;
};

}  // namespace airreg
