// Every RegistryOptions setting an operator may change, as data: its flag, its AIRREG_
// variable, its unit and what it does. The commands (models, resolve, serve) make flags of
// them; RegistryOptions::from_environment reads the variables. One table, so that a setting
// never has a flag without a variable or a unit its help does not name. Pure data.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airreg/model_registry.hpp"

namespace airreg::registry {

struct RegistrySetting {
  std::string flag;      // without the dashes: "cache-ttl"
  std::string variable;  // "AIRREG_CACHE_TTL"
  std::string help;      // what it does, its unit and its default
  // Sets it from text; the reason when the text cannot be one.
  std::function<std::optional<std::string>(RegistryOptions&, std::string_view)> apply;
};

const std::vector<RegistrySetting>& registry_settings();

// Applies `value` (from `source`, a flag or a variable, for the message); a config error
// naming the source and the accepted form when it does not parse.
Result<void> apply_setting(RegistryOptions& options, const RegistrySetting& setting, std::string_view value,
                           std::string_view source);

}  // namespace airreg::registry
