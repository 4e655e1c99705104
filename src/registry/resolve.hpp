// Which model to use (DESIGN.md, "Using a model"): the requested one if it may be served;
// else the provider's Recommended one; else the first that may be served by Sort Order, then
// name; else the curated default, unless a row refuses it. Pure function.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "airreg/model_registry.hpp"
#include "airreg/registry_row.hpp"

namespace airreg::registry {

struct Resolution {
  std::string model_id;  // empty when nothing can be served
  ResolveRule rule = ResolveRule::requested;
  const RegistryRow* row = nullptr;  // into the rows given; null for the curated default
};

// A row may be served when its Status is usable and the provider still lists it (a row a
// person added by hand counts as listed).
bool servable(const RegistryRow& row);

// `rows`: every row of the provider and category, usable or not: the curated default is only
// chosen when no row says otherwise about it (a person's disabled, pending or deprecated row
// refuses it like any other).
Resolution resolve_model(const RowList& rows, const std::string& requested,
                         const std::optional<std::string>& curated_default);

}  // namespace airreg::registry
