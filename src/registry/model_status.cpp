#include "airreg/registry_row.hpp"

namespace airreg {

namespace {
constexpr std::string_view kNames[] = {"pending", "active", "beta", "preview", "disabled", "deprecated"};
}

std::string_view to_string(ModelStatus s) { return kNames[static_cast<int>(s)]; }

std::optional<ModelStatus> parse_status(std::string_view text) {
  for (int i = 0; i < 6; ++i)
    if (kNames[i] == text) return static_cast<ModelStatus>(i);
  return std::nullopt;
}

bool usable(ModelStatus s) { return s == ModelStatus::active || s == ModelStatus::beta || s == ModelStatus::preview; }

}  // namespace airreg
