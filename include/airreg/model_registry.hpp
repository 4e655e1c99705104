// The registry as a server reads it (DESIGN.md, "The read path"): an in-process cache of the
// usable models per provider and category, filled from Airtable while its rows are fresh and
// from the provider (merged by the ownership rules and written back in the background) when
// they are not, with fallbacks when either is down. One per process; thread-safe; a cache hit
// takes no exclusive lock and does no I/O.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "airreg/airtable_client.hpp"
#include "airreg/clock.hpp"
#include "airreg/discovery.hpp"
#include "airreg/registry_row.hpp"
#include "airreg/schema.hpp"

namespace airreg {

struct RegistryOptions {
  std::chrono::seconds cache_ttl{3600};             // a cached answer is used this long (s)
  std::chrono::hours fresh_for{24};                 // Airtable rows verified this recently are trusted (h)
  double freshness_jitter = 0.05;                   // each instance trusts up to 5 % less, to spread refreshes
  std::chrono::seconds negative_ttl{60};            // a failure is remembered this long (s)
  std::chrono::hours stale_max_age{7 * 24};         // stale rows are served up to this age (h)
  std::chrono::seconds discovery_interval{300};     // a provider is asked at most this often (s)
  std::chrono::minutes verify_interval{60};         // Last Verified is bumped when older (min)
  std::chrono::hours grace{7 * 24};                 // missing this long -> deprecated (h)
  ModelStatus new_status = ModelStatus::pending;    // what new models enter as
  std::filesystem::path state_dir;                  // outbox and snapshots; empty: default_state_dir()
  std::chrono::seconds flush_timeout{10};           // on destruction, then the rest stays in the outbox (s)
};

struct ModelList {
  std::string provider;
  ModelCategory category = ModelCategory::text;
  std::vector<RegistryRow> models;
  std::string source;  // cache, airtable, provider, stale, curated
  SystemTime as_of;    // when the data was read from its source
  std::vector<std::string> warnings;
};

struct ModelChoice {
  std::string model_id;
  std::string rule;  // requested, recommended, sort order, curated default
  std::string source;
};

struct RegistryStats {
  size_t hits = 0, misses = 0, upstream_calls = 0, errors = 0, writes = 0, rate_limited = 0, outbox = 0;
};

class ModelRegistry {
 public:
  static Result<std::unique_ptr<ModelRegistry>> create(AirtableConfig airtable, DiscoveryConfig discovery,
                                                       RegistrySchemas schemas, RegistryOptions options = {},
                                                       std::shared_ptr<HttpTransport> transport = nullptr,
                                                       Clock clock = Clock::system());
  virtual ~ModelRegistry() = default;

  // The usable models (or every row, include_inactive) and where they came from.
  virtual Result<std::shared_ptr<const ModelList>> models(const std::string& provider, ModelCategory category,
                                                          bool include_inactive = false) = 0;
  virtual Result<ModelChoice> resolve(const std::string& provider, ModelCategory category, const std::string& requested) = 0;
  virtual std::optional<std::string> recommended(const std::string& provider, ModelCategory category) = 0;
  // A real call to the model worked: batched into Last Verified writes.
  virtual void report_verified(const std::string& provider, const std::string& model_id) = 0;
  // Asks the provider now (not waiting for freshness or the discovery interval).
  virtual Result<std::shared_ptr<const ModelList>> refresh(const std::string& provider, ModelCategory category) = 0;
  virtual RegistryStats stats() const = 0;
};

}  // namespace airreg
