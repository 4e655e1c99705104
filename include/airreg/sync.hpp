// A sync: read the registry table once (every provider's rows, and from the history when
// each provider's listing was last read), then for each provider whose listing is old (or
// every one with --force) ask it for each category, merge by the ownership rules (matching
// rows by key, whatever their Category), write the changed rows through the batch writer,
// and add one row per provider and category to "Model Sync History". What `airreg sync` runs.
// Not thread-safe: one sync at a time per SyncRunner.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "airreg/airtable_client.hpp"
#include "airreg/batch_writer.hpp"
#include "airreg/discovery.hpp"
#include "airreg/registry_row.hpp"
#include "airreg/schema.hpp"
#include "airreg/sync_outcome.hpp"

namespace airreg {

struct SyncOptions {
  std::vector<std::string> providers;    // empty: every provider that has its key
  std::vector<ModelCategory> categories{ModelCategory::text, ModelCategory::tts};
  bool force = false;                    // ask providers whose listing is still fresh
  bool dry_run = false;                  // merge and report, write nothing
  ModelStatus new_status = ModelStatus::pending;
  std::chrono::hours fresh_for{24};      // a listing read this recently (history) is trusted (h)
  std::chrono::hours grace{7 * 24};      // missing this long -> deprecated (h)
  std::chrono::minutes verify_interval{60};  // Last Verified is bumped when older (min)
  std::string instance;                  // who ran it, for the history; default host:pid
  // The fleet's Redis (AIRREG_REDIS_URL): the sync takes the base's shared rate limit, writes
  // under the fleet's write lease, and tells every instance which providers changed.
  std::string redis_url;
};


struct ProviderSync {
  std::string provider;
  ModelCategory category = ModelCategory::text;
  SyncOutcome outcome = SyncOutcome::success;
  size_t discovered = 0, created = 0, updated = 0, missing = 0, deprecated = 0, unchanged = 0;
  size_t skipped_rows = 0;  // rows of the table that could not be read (garbage)
  size_t requests = 0;      // to the provider
  std::chrono::milliseconds elapsed{0};
  std::vector<std::string> new_model_ids;
  std::vector<std::string> unclassified;  // listed ids no rule classes (a new family?)
  std::vector<std::string> notes;   // why skipped or failed, warnings, rows skipped
  std::string started, finished;    // ISO 8601 UTC
};

struct SyncReport {
  std::vector<ProviderSync> providers;
  WriteReport registry_writes;
  WriteReport history_writes;
  std::vector<std::string> warnings;  // about the whole run (e.g. column names not checked)
  bool ok() const;  // every provider succeeded or was skipped, and every row landed
};

class SyncRunner {
 public:
  SyncRunner(AirtableClient client, std::shared_ptr<Outbox> outbox, const Discovery& discovery, RegistrySchemas schemas);
  SyncReport run(const SyncOptions& options, const ProgressCallback& progress = {});

 private:
  AirtableClient client_;
  std::shared_ptr<Outbox> outbox_;
  const Discovery& discovery_;
  RegistrySchemas schemas_;
};

}  // namespace airreg
