#include "registry/provider_refresh.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/heap_trim.hpp"

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

namespace {

// Hands writes on in batches of kWriteBatchRows, holding back those of rows a later category
// may write again (see provider_refresh.hpp) until the end.
class WriteStream {
 public:
  explicit WriteStream(const WriteBatches& batches) : batches_(batches) {}

  void take(Fields&& write, std::string key, bool hold) {
    if (hold || held_keys_.count(key)) {
      held_keys_.insert(std::move(key));
      held_.push_back(std::move(write));
      return;
    }
    batch_.push_back(std::move(write));
    if (batch_.size() >= kWriteBatchRows) hand_on(batch_);
  }

  void finish() {
    hand_on(batch_);
    hand_on(held_);
  }

 private:
  void hand_on(std::vector<Fields>& writes) {
    if (writes.empty()) return;
    batches_(std::move(writes));
    writes = {};
  }

  const WriteBatches& batches_;
  std::vector<Fields> batch_, held_;
  std::unordered_set<std::string> held_keys_;
};

// A Discovery (a caller's own, too) may list an id twice: the first entry stands for it, as
// in ListingBuilder, so that a category writes a row once.
void keep_first_of_each_id(std::vector<ModelInfo>& models) {
  std::unordered_set<std::string_view> seen;
  bool repeated = false;
  for (const auto& m : models)
    if (!seen.insert(m.id).second) {
      repeated = true;
      break;
    }
  if (!repeated) return;
  std::unordered_set<std::string> kept;  // copies: the entries move while erased
  std::erase_if(models, [&](const ModelInfo& m) { return !kept.insert(m.id).second; });
}

}  // namespace

ProviderRefresh refresh_provider(const Discovery& discovery, const std::string& provider,
                                 const std::vector<ModelCategory>& categories, const RowsToMerge& rows_to_merge,
                                 const std::set<std::string>& untouchable, SystemTime now, const MergePolicy& policy,
                                 const airtable::Columns& columns, std::stop_token stop, const WriteBatches& batches) {
  ProviderRefresh out;
  out.provider = provider;
  // Every listing first: which rows a later category lists decides which writes wait.
  for (ModelCategory category : categories) {
    CategoryRefresh c;
    c.category = category;
    auto listing = discovery.discover(provider, category, stop);
    if (listing) {
      c.listing = std::move(*listing);
      // Never read by a refresh: not held while the other listings are read and merged. (Assigned
      // an empty vector, not `= {}`, which keeps the buffer.)
      c.listing->skipped = std::vector<SkippedModel>();
      keep_first_of_each_id(c.listing->models);
    } else {
      c.error = listing.error();
    }
    out.categories.push_back(std::move(c));
  }
  // The listings' bodies and parsers are freed by now (a body of megabytes, grown by doubling
  // as it came in): given back to the system before the rows are copied for the merge, they
  // are not resident under it (a usual day of 10,000 rows peaked 4 MB higher).
  core::trim_heap();
  RowList read = rows_to_merge ? rows_to_merge() : RowList();
  // Copied into room for the rows and every model new to them, made once: grown by the
  // merge, or by a reserve after the copy, both buffers would be held at once (4.4 MB each
  // for 10,000 rows; a TTS listing adds a few known models to a text listing's rows). The
  // answers keep this buffer: no room for models that have a row already.
  std::unordered_set<std::string_view> have;
  for (const auto& r : read) have.insert(r.model_id);
  size_t room = read.size();
  for (const auto& c : out.categories)
    if (c.listing)
      for (const auto& m : c.listing->models) room += have.insert(m.id).second;
  have = std::unordered_set<std::string_view>();
  std::vector<RegistryRow> rows;
  rows.reserve(room);
  for (const auto& r : read) rows.push_back(r);
  read = RowList();
  WriteStream stream(batches);
  for (size_t k = 0; k < out.categories.size(); ++k) {
    CategoryRefresh& c = out.categories[k];
    std::unordered_set<std::string_view> listed_later;
    for (size_t j = k + 1; j < out.categories.size(); ++j)
      if (const auto& later = out.categories[j].listing)
        for (const auto& m : later->models) listed_later.insert(m.id);
    WriteOut take = [&](Fields&& write, const RegistryRow& row) {
      if (!batches) {
        out.writes.push_back(std::move(write));
        return;
      }
      bool again = listed_later.count(row.model_id) || listed_category(row) != c.category;
      stream.take(std::move(write), row.key(), again);
    };
    c.merged = merge_listing(provider, c.category, c.listing ? &*c.listing : nullptr, std::move(rows), now, policy, columns,
                             untouchable, take);
    // Merged: the listing's models are not read again (sync_record needs its requests,
    // warnings and unclassified ids).
    if (c.listing) c.listing->models = std::vector<ModelInfo>();
    rows = std::move(c.merged.rows);
    c.merged.rows.clear();
  }
  if (batches) stream.finish();
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
