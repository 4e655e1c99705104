// One provider's refresh, as `airreg sync` and the read path both run it: ask the provider
// for each of its categories, then merge every listing into all the provider's rows by the
// ownership rules (matching by key, whatever the Category), and collect the writes or hand
// them on in batches. The rows are threaded through the categories, so a model a person
// moved from text to tts is one row seen by both passes. Not thread-safe: one per refresh.
//
// Batches: a first refresh of thousands of models would otherwise hold every new row's cells
// at once (about 1.5 KB each, the largest part of its memory). A write goes into the next
// batch unless a later category may write its row again (the row is in a later listing, or
// its listed category is not this one): such writes are held and handed on last, all in one
// batch, where the batch writer makes the writes of one row one row. Two outbox entries of
// one row would keep only the newer one's guarded cells, and its Metadata would claim
// seeded cells that were never written.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "airreg/discovery.hpp"
#include "airreg/row_list.hpp"
#include "airreg/sync.hpp"
#include "registry/merge.hpp"

namespace airreg::registry {

struct CategoryRefresh {
  ModelCategory category = ModelCategory::text;
  std::optional<DiscoveryResult> listing;  // empty when discovery failed; its models and skipped go once merged
  std::optional<Error> error;              // why it failed
  MergeResult merged;                      // counts, warnings (rows and writes moved out)
};

struct ProviderRefresh {
  std::string provider;
  std::vector<CategoryRefresh> categories;
  std::vector<RegistryRow> rows;  // all the provider's rows after every merge
  std::vector<Fields> writes;     // by Columns::cell, in merge order (empty when handed on in batches)
  bool listed() const;            // at least one listing was read
};

// Takes a batch of writes (by Columns::cell) as the merge makes them.
using WriteBatches = std::function<void(std::vector<Fields>&& batch)>;
constexpr size_t kWriteBatchRows = 500;  // rows per batch: 50 full Airtable requests

// The provider's rows to merge into, every category (shared, not copied: the refresh copies
// them once it knows how many rows the listings add), asked for once every listing is read:
// a listing's parser (about 14 bytes per byte of its body) is gone by then, so that it and
// the copy are never held at once.
using RowsToMerge = std::function<RowList()>;

// `batches`, when given, takes the writes (else they collect in ProviderRefresh::writes).
ProviderRefresh refresh_provider(const Discovery& discovery, const std::string& provider,
                                 const std::vector<ModelCategory>& categories, const RowsToMerge& rows_to_merge,
                                 const std::set<std::string>& untouchable, SystemTime now, const MergePolicy& policy,
                                 const airtable::Columns& columns, std::stop_token stop = {},
                                 const WriteBatches& batches = {});

// The categories a provider offers among `wanted`.
std::vector<ModelCategory> offered_categories(const Discovery& discovery, const std::string& provider,
                                              const std::vector<ModelCategory>& wanted);

// A ProviderSync (counts, notes, new and unclassified ids) of one category's refresh.
ProviderSync sync_record(const std::string& provider, const CategoryRefresh& refresh);

}  // namespace airreg::registry
