// A ModelRegistry whose answers a test sets, for unit tests of what sits on top of it (serve's
// router). It records report_verified and refresh calls. Thread-safe.
#pragma once

#include <map>
#include <mutex>

#include "airreg/model_registry.hpp"

namespace airreg::test {

class FakeRegistry final : public ModelRegistry {
 public:
  // The answer for a provider and category; the usable list is derived from its rows.
  void set(const std::string& provider, ModelCategory category, std::vector<RegistryRow> rows,
           AnswerSource source = AnswerSource::cache, uint64_t version = 1) {
    std::lock_guard lock(mutex_);
    ModelList all;
    all.provider = provider;
    all.category = category;
    all.models = std::move(rows);
    all.source = source;
    all.origin = source == AnswerSource::cache ? AnswerSource::airtable : source;
    all.as_of = std::chrono::system_clock::now() - std::chrono::seconds(30);
    all.version = version;
    all.degraded = source == AnswerSource::stale || source == AnswerSource::curated;
    ModelList usable = all;
    usable.models = all.models.filtered([](const RegistryRow& r) { return airreg::usable(r.status) && r.available; });
    lists_[{provider, category}] = {std::make_shared<ModelList>(std::move(usable)), std::make_shared<ModelList>(std::move(all))};
    answers_changed();  // the hot path's views are made again
  }

  Result<std::shared_ptr<const ModelList>> models(const std::string& provider, ModelCategory category,
                                                  bool include_inactive) override {
    std::lock_guard lock(mutex_);
    auto it = lists_.find({provider, category});
    if (it == lists_.end()) return std::unexpected(make_error(ErrorCode::not_found, "no models known for " + provider));
    return include_inactive ? it->second.second : it->second.first;
  }
  Result<ModelChoice> resolve(const std::string& provider, ModelCategory category, const std::string& requested) override {
    auto list = models(provider, category, false);
    if (!list) return std::unexpected(list.error());
    for (const auto& r : (*list)->models)
      if (r.model_id == requested) return ModelChoice{requested, ResolveRule::requested, (*list)->source};
    if ((*list)->models.empty()) return std::unexpected(make_error(ErrorCode::not_found, "no usable model of " + provider));
    return ModelChoice{(*list)->models.front().model_id, ResolveRule::sort_order, (*list)->source};
  }
  std::optional<std::string> recommended(const std::string&, ModelCategory) override { return std::nullopt; }
  void report_verified(const std::string& provider, const std::string& model_id) override {
    std::lock_guard lock(mutex_);
    verified.emplace_back(provider, model_id);
  }
  Result<std::shared_ptr<const ModelList>> refresh(const std::string& provider, ModelCategory category) override {
    {
      std::lock_guard lock(mutex_);
      refreshed.push_back(provider);
    }
    return models(provider, category, false);
  }
  std::vector<std::string> providers() override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [key, lists] : lists_)
      if (std::find(out.begin(), out.end(), key.first) == out.end()) out.push_back(key.first);
    return out;
  }
  RegistryStats stats() const override {
    std::lock_guard lock(mutex_);
    return stats_;
  }
  void set_stats(RegistryStats s) {
    std::lock_guard lock(mutex_);
    stats_ = std::move(s);
  }
  std::vector<CachedAnswer> cached() const override {
    std::lock_guard lock(mutex_);
    std::vector<CachedAnswer> out;
    for (const auto& [key, lists] : lists_)
      out.push_back(CachedAnswer{key.first, key.second, lists.second->origin, lists.second->as_of, lists.second->degraded,
                                 lists.first->models.size(), 0, lists.second->models.size()});
    return out;
  }
  std::vector<LastSync> last_syncs() override { return {}; }
  std::map<std::string, SystemTime> last_listed() const override { return {}; }
  void invalidate(const std::vector<std::string>&) override {}
  void use_webhook(bool) override {}
  std::vector<std::string> apply_changes(const std::vector<RecordChange>&) override { return {}; }

  std::vector<std::pair<std::string, std::string>> verified;
  std::vector<std::string> refreshed;

 private:
  RegistryStats stats_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, ModelCategory>,
           std::pair<std::shared_ptr<const ModelList>, std::shared_ptr<const ModelList>>>
      lists_;
};

// A row as the table would hold it.
inline RegistryRow row(const std::string& provider, const std::string& id, ModelStatus status = ModelStatus::active) {
  RegistryRow r;
  r.provider_id = provider;
  r.model_id = id;
  r.model_name = id;
  r.status = status;
  r.available = true;
  r.discovery_method = "api";
  return r;
}

}  // namespace airreg::test
