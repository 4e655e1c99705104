// Which model to use (DESIGN.md, "Using a model"): the requested one if it may be served;
// else the provider's Recommended one; else the first that may be served by Sort Order, then
// name; else the curated default. Pure function.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "airreg/registry_row.hpp"

namespace airreg::registry {

struct Resolution {
  std::string model_id;  // empty when nothing can be served
  std::string rule;      // requested, recommended, sort order, curated default, none
  const RegistryRow* row = nullptr;  // into the rows given; null for the curated default
};

// A row may be served when its Status is usable and the provider still lists it (a row a
// person added by hand counts as listed).
bool servable(const RegistryRow& row);

Resolution resolve_model(const std::vector<RegistryRow>& rows, const std::string& requested,
                         const std::optional<std::string>& curated_default);

}  // namespace airreg::registry
