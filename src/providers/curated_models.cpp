#include "providers/curated_models.hpp"

#include <simdjson.h>

#include "core/durable_file.hpp"

namespace airreg::providers {

Result<CuratedModels> CuratedModels::load(const std::string& path) {
  auto text = core::read_text(path);
  if (!text) return std::unexpected(text.error());
  if (text->empty()) return std::unexpected(make_error(ErrorCode::config, path + ": missing or empty"));
  return parse(*text, path);
}

Result<CuratedModels> CuratedModels::parse(const std::string& json, const std::string& source) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(json).get(root); err)
    return std::unexpected(make_error(ErrorCode::config, source + ": not JSON (" + simdjson::error_message(err) + ")"));
  CuratedModels curated;
  std::string_view s;
  if (root["reviewed"].get(s) == simdjson::SUCCESS) curated.reviewed_ = s;
  simdjson::dom::object providers;
  if (root["providers"].get(providers) != simdjson::SUCCESS)
    return std::unexpected(make_error(ErrorCode::config, source + ": no \"providers\" object"));
  for (auto [provider, categories] : providers) {
    simdjson::dom::object by_category;
    if (categories.get(by_category) != simdjson::SUCCESS) continue;
    for (auto [category_name, list] : by_category) {
      auto category = parse_category(category_name);
      if (!category)
        return std::unexpected(make_error(ErrorCode::config, source + ": " + std::string(provider) + " has unknown category \"" +
                                                                 std::string(category_name) + "\""));
      List l;
      if (list["default"].get(s) == simdjson::SUCCESS) l.default_id = s;
      simdjson::dom::array models;
      if (list["models"].get(models) == simdjson::SUCCESS)
        for (auto m : models) {
          ModelInfo info;
          if (m["id"].get(s) != simdjson::SUCCESS || s.empty()) continue;
          info.id = s;
          info.display_name = m["name"].get(s) == simdjson::SUCCESS ? std::string(s) : info.id;
          int64_t n;
          double d;
          if (m["context_window"].get(n) == simdjson::SUCCESS) info.context_window = n;
          if (m["max_output_tokens"].get(n) == simdjson::SUCCESS) info.max_output_tokens = n;
          if (m["input_cost_per_1k"].get(d) == simdjson::SUCCESS) info.input_cost_per_1k = d;
          if (m["output_cost_per_1k"].get(d) == simdjson::SUCCESS) info.output_cost_per_1k = d;
          simdjson::dom::array features;
          if (m["features"].get(features) == simdjson::SUCCESS)
            for (auto f : features)
              if (f.get(s) == simdjson::SUCCESS) info.features.emplace_back(s);
          info.raw_json = simdjson::minify(m);
          l.models.push_back(std::move(info));
        }
      curated.lists_[{std::string(provider), *category}] = std::move(l);
    }
  }
  return curated;
}

const std::vector<ModelInfo>* CuratedModels::models(const std::string& provider, ModelCategory category) const {
  auto it = lists_.find({provider, category});
  return it == lists_.end() ? nullptr : &it->second.models;
}

std::optional<std::string> CuratedModels::default_model(const std::string& provider, ModelCategory category) const {
  auto it = lists_.find({provider, category});
  if (it == lists_.end() || it->second.default_id.empty()) return std::nullopt;
  return it->second.default_id;
}

}  // namespace airreg::providers
