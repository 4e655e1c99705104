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
  if (keep_skipped_) seen_.reserve(seen_.size() + entries);  // without keep_skipped, it grows with the kept ones
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
  unclassified_.clear();
  dropped_ = 0;
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
  if (!verdict.matched && !model.id.empty() && result_.unclassified.size() <= IdIndex::kMaxRef) {
    auto listed = [&](IdIndex::Ref r) -> std::string_view { return result_.unclassified[r]; };
    if (unclassified_.find_or_add(model.id, static_cast<IdIndex::Ref>(result_.unclassified.size()), listed).second)
      result_.unclassified.push_back(model.id);
  }
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
  // References fit below kSkippedBit, and a skipped one (index | kSkippedBit) is at most
  // IdIndex::kMaxRef: simdjson reads documents under 4 GiB, fewer than 2^31 entries of 2 bytes.
  if (result_.models.size() >= kSkippedBit || result_.skipped.size() >= kSkippedBit - 1) return;
  auto ref = keep ? static_cast<IdIndex::Ref>(result_.models.size()) : static_cast<IdIndex::Ref>(result_.skipped.size()) | kSkippedBit;
  auto id_of = [&](IdIndex::Ref r) -> std::string_view {
    return r & kSkippedBit ? result_.skipped[r & ~kSkippedBit].id : result_.models[r].id;
  };
  auto [stored, fresh] = seen_.find_or_add(model.id, ref, id_of);  // one lookup per entry
  if (!fresh) {
    if (!(*stored & kSkippedBit) || !keep) return;  // the first kept entry of an id stands for it
    // Skipped first, kept now: the skipped entry goes, by finish() (an erase here, and the
    // references after it renumbered, would cost the whole listing per such id).
    result_.skipped[*stored & ~kSkippedBit].id.clear();
    ++dropped_;
    *stored = ref;
  }
  if (keep) {
    result_.models.push_back(std::move(model));
  } else {
    result_.skipped.push_back(SkippedModel{std::move(model.id), std::move(reason)});
  }
}

void ListingBuilder::finish() {
  if (dropped_ == 0) return;
  // Only the dropped ones have no id: an entry without one is never recorded.
  std::erase_if(result_.skipped, [](const SkippedModel& s) { return s.id.empty(); });
  dropped_ = 0;
  seen_.clear();  // its references into skipped are stale now
}

}  // namespace airreg::providers
