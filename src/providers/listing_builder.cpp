#include "providers/listing_builder.hpp"

#include <algorithm>

namespace airreg::providers {

void add_feature(ModelInfo& model, const std::string& feature) {
  if (std::find(model.features.begin(), model.features.end(), feature) == model.features.end())
    model.features.push_back(feature);
}

ListingBuilder::ListingBuilder(const ProviderRules& rules, std::string rules_key, DiscoveryResult& result)
    : rules_(rules), rules_key_(std::move(rules_key)), result_(result) {}

void ListingBuilder::offer(ModelInfo model, object& entry) {
  Verdict verdict = rules_.classify(rules_key_, model.id);
  decide(std::move(model), verdict, &entry);
}

void ListingBuilder::offer(ModelInfo model) {
  Verdict verdict = rules_.classify(rules_key_, model.id);
  decide(std::move(model), verdict, nullptr);
}

void ListingBuilder::decide(ModelInfo model, const Verdict& verdict, object* entry) {
  std::string reason;
  bool keep = verdict.category == result_.category;
  if (keep && entry) {
    for (const auto& check : rules_.checks(rules_key_, result_.category))
      if (!passes(*entry, check)) {
        keep = false;
        reason = check.skip;
        break;
      }
  } else if (!keep) {
    reason = verdict.category ? "a " + std::string(to_string(*verdict.category)) + " model" : verdict.skip;
  }
  if (model.id.empty()) {
    ++unnamed_;
    return;
  }
  if (keep && result_.category == ModelCategory::tts) add_feature(model, "tts");
  auto found = seen_.find(model.id);
  if (found != seen_.end()) {
    auto& [kept, index] = found->second;
    if (kept || !keep) return;  // the first kept entry of an id stands for it
    result_.skipped.erase(result_.skipped.begin() + static_cast<long>(index));
    for (auto& [id, state] : seen_)
      if (!state.first && state.second > index) --state.second;
  }
  if (keep) {
    seen_[model.id] = {true, result_.models.size()};
    result_.models.push_back(std::move(model));
  } else {
    seen_[model.id] = {false, result_.skipped.size()};
    result_.skipped.push_back(SkippedModel{model.id, reason});
  }
}

}  // namespace airreg::providers
