#include "registry/provider_refresh.hpp"

#include <algorithm>

namespace airreg::registry {

bool ProviderRefresh::listed() const {
  return std::any_of(categories.begin(), categories.end(), [](const CategoryRefresh& c) { return c.listing.has_value(); });
}

std::vector<ModelCategory> offered_categories(const Discovery& discovery, const std::string& provider,
                                              const std::vector<ModelCategory>& wanted) {
  std::vector<ModelCategory> out;
  for (ModelCategory c : wanted) {
    auto offered = discovery.providers(c);
    if (std::find(offered.begin(), offered.end(), provider) != offered.end()) out.push_back(c);
  }
  return out;
}

ProviderRefresh refresh_provider(const Discovery& discovery, const std::string& provider,
                                 const std::vector<ModelCategory>& categories, std::vector<RegistryRow> rows,
                                 const std::set<std::string>& untouchable, SystemTime now, const MergePolicy& policy,
                                 const airtable::Columns& columns, std::stop_token stop) {
  ProviderRefresh out;
  out.provider = provider;
  for (ModelCategory category : categories) {
    CategoryRefresh c;
    c.category = category;
    auto listing = discovery.discover(provider, category, stop);
    if (listing) {
      c.listing = std::move(*listing);
    } else {
      c.error = listing.error();
    }
    c.merged = merge_listing(provider, category, c.listing ? &*c.listing : nullptr, std::move(rows), now, policy, columns,
                             untouchable);
    // Merged: the listing's models and skipped ids are not read again (sync_record needs its
    // requests, warnings and unclassified ids), so they go before the next category is listed.
    if (c.listing) {
      c.listing->models = {};
      c.listing->skipped = {};
    }
    rows = std::move(c.merged.rows);
    c.merged.rows.clear();
    for (auto& w : c.merged.writes) out.writes.push_back(std::move(w));
    c.merged.writes.clear();
    out.categories.push_back(std::move(c));
  }
  out.rows = std::move(rows);
  return out;
}

ProviderSync sync_record(const std::string& provider, const CategoryRefresh& c) {
  ProviderSync sync;
  sync.provider = provider;
  sync.category = c.category;
  if (c.listing) {
    sync.requests = c.listing->requests;
    sync.unclassified = c.listing->unclassified;
    for (const auto& w : c.listing->warnings) sync.notes.push_back(w);
    if (!c.listing->unclassified.empty()) {
      std::string ids;
      for (const auto& id : c.listing->unclassified) ids += (ids.empty() ? "" : ", ") + id;
      sync.notes.push_back("unclassified: " + ids + ": add a rule in schema/provider_rules.json");
    }
  } else if (c.error) {
    sync.notes.push_back(c.error->describe());
  }
  sync.discovered = c.merged.discovered;
  sync.created = c.merged.created;
  sync.updated = c.merged.updated;
  sync.missing = c.merged.missing;
  sync.deprecated = c.merged.deprecated;
  sync.unchanged = c.merged.unchanged;
  sync.new_model_ids = c.merged.new_model_ids;
  for (const auto& w : c.merged.warnings) sync.notes.push_back(w);
  sync.outcome = c.listing ? SyncOutcome::success : SyncOutcome::failed;
  return sync;
}

}  // namespace airreg::registry
