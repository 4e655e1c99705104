#include "providers/listing_builder.hpp"

#include <algorithm>
#include <cmath>

namespace airreg::providers {

void add_feature(ModelInfo& model, std::string_view feature) {
  if (std::find(model.features.begin(), model.features.end(), feature) == model.features.end())
    model.features.emplace_back(feature);
}

ListingBuilder::ListingBuilder(const ProviderRules& rules, std::string rules_key, DiscoveryResult& result,
                               bool keep_skipped)
    : rules_(rules),
      rules_key_(std::move(rules_key)),
      result_(result),
      keep_skipped_(keep_skipped),
      provider_rules_(rules_.find(rules_key_)) {}

namespace {

// Numbers derived from the provider's (per-token prices times 1,000, cents per 100M tokens)
// can leave the finite range; such a value says nothing and would break the JSON we write.
void keep_finite(std::optional<double>& v) {
  if (v && (!std::isfinite(*v) || *v < 0)) v.reset();
}

}  // namespace

void ListingBuilder::expect(size_t entries) {
  // Grown at least twofold too: a listing read in pieces calls this per piece, and a reserve
  // a few entries larger each time would rehash every id each time.
  if (size_t wanted = seen_.size() + entries; keep_skipped_ && wanted > seen_.bucket_count() * seen_.max_load_factor())
    seen_.reserve(std::max(wanted, 2 * seen_.size()));  // without keep_skipped, it grows with the kept ones
  // Room for every entry to be kept, grown at least twofold (a paged listing calls this per
  // page): a vector doubling entry by entry holds both buffers at once when it grows, 5 MB
  // for 10,000 entries. Discovery returns what a category keeps without the spare room.
  auto& models = result_.models;
  if (size_t wanted = models.size() + entries; wanted > models.capacity())
    models.reserve(std::max(wanted, 2 * models.capacity()));
}

bool ListingBuilder::fresh() const {
  return named_ == 0 && unnamed_ == 0 && result_.models.empty() && result_.skipped.empty() && result_.unclassified.empty();
}

void ListingBuilder::restart() {
  seen_.clear();
  named_ = 0;
  unnamed_ = 0;
  result_.models.clear();
  result_.skipped.clear();
  result_.unclassified.clear();
}

void ListingBuilder::offer(ModelInfo model, object& entry, JsonListing& listing) {
  keep_finite(model.input_cost_per_1k);
  keep_finite(model.output_cost_per_1k);
  Verdict verdict = provider_rules_ ? provider_rules_->classify(model.id) : rules_.classify(rules_key_, model.id);
  bool keep = verdict.category == result_.category;
  std::string reason;
  if (keep) {  // kept by a rule: the provider has rules
    for (const auto& check : provider_rules_->checks(result_.category))
      if (!listing.passes(entry, check)) {
        keep = false;
        reason = check.skip;
        break;
      }
  } else {
    reason = verdict.category ? "a " + std::string(to_string(*verdict.category)) + " model" : verdict.skip;
  }
  if (listing.failed()) return;
  // No rule speaks for it: perhaps a new model family. Named, never silently skipped.
  if (!verdict.matched && !model.id.empty() &&
      std::find(result_.unclassified.begin(), result_.unclassified.end(), model.id) == result_.unclassified.end())
    result_.unclassified.push_back(model.id);
  decide(std::move(model), keep, std::move(reason));
}

void ListingBuilder::decide(ModelInfo model, bool keep, std::string reason) {
  if (model.id.empty()) {
    ++unnamed_;
    return;
  }
  ++named_;
  // Not recorded, a skipped entry needs no place in seen_ either: a later kept entry of its id
  // is kept all the same, and an earlier one stands.
  if (!keep && !keep_skipped_) return;
  if (keep && result_.category == ModelCategory::tts) add_feature(model, "tts");
  auto [found, fresh] = seen_.try_emplace(model.id);  // one lookup per entry
  auto& [kept, index] = found->second;
  if (!fresh) {
    if (kept || !keep) return;  // the first kept entry of an id stands for it
    size_t was = index;
    result_.skipped.erase(result_.skipped.begin() + static_cast<long>(was));
    for (auto& [id, state] : seen_)
      if (!state.first && state.second > was) --state.second;
  }
  kept = keep;
  if (keep) {
    index = result_.models.size();
    result_.models.push_back(std::move(model));
  } else {
    index = result_.skipped.size();
    result_.skipped.push_back(SkippedModel{std::move(model.id), std::move(reason)});
  }
}

}  // namespace airreg::providers
