// One provider's refresh, as `airreg sync` and the read path both run it: ask the provider
// for each of its categories, merge every listing into all the provider's rows by the
// ownership rules (matching by key, whatever the Category), and collect the writes. The
// rows are threaded through the categories, so a model a person moved from text to tts is
// one row seen by both passes. Not thread-safe: one per refresh.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "airreg/discovery.hpp"
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
  std::vector<Fields> writes;     // by Columns::cell, in merge order
  bool listed() const;            // at least one listing was read
};

ProviderRefresh refresh_provider(const Discovery& discovery, const std::string& provider,
                                 const std::vector<ModelCategory>& categories, std::vector<RegistryRow> rows,
                                 const std::set<std::string>& untouchable, SystemTime now, const MergePolicy& policy,
                                 const airtable::Columns& columns, std::stop_token stop = {});

// The categories a provider offers among `wanted`.
std::vector<ModelCategory> offered_categories(const Discovery& discovery, const std::string& provider,
                                              const std::vector<ModelCategory>& wanted);

// A ProviderSync (counts, notes, new and unclassified ids) of one category's refresh.
ProviderSync sync_record(const std::string& provider, const CategoryRefresh& refresh);

}  // namespace airreg::registry
