// schema/curated_models.json: a short, dated list of known models per provider and category
// with a default. Immutable after load; thread-safe to share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "airreg/discovery.hpp"

namespace airreg::providers {

class CuratedModels {
 public:
  static Result<CuratedModels> load(const std::string& path);
  static Result<CuratedModels> parse(const std::string& json, const std::string& source_name);

  const std::vector<ModelInfo>* models(const std::string& provider, ModelCategory category) const;
  std::optional<std::string> default_model(const std::string& provider, ModelCategory category) const;
  const std::string& reviewed() const { return reviewed_; }

 private:
  struct List {
    std::string default_id;
    std::vector<ModelInfo> models;
  };
  std::map<std::pair<std::string, ModelCategory>, List> lists_;
  std::string reviewed_;
};

}  // namespace airreg::providers
