#include "registry/resolve.hpp"

#include <algorithm>
#include <limits>

namespace airreg::registry {

bool servable(const RegistryRow& row) {
  return usable(row.status) && (row.available || row.discovery_method == "manual");
}

Resolution resolve_model(const RowList& rows, const std::string& requested,
                         const std::optional<std::string>& curated_default) {
  for (const auto& r : rows)
    if (r.model_id == requested && servable(r)) return {r.model_id, ResolveRule::requested, &r};
  // Lower Sort Order first; rows without one after those with one; then by name.
  auto before = [](const RegistryRow* a, const RegistryRow* b) {
    double sa = a->sort_order.value_or(std::numeric_limits<double>::infinity());
    double sb = b->sort_order.value_or(std::numeric_limits<double>::infinity());
    if (sa != sb) return sa < sb;
    const std::string& na = a->model_name.empty() ? a->model_id : a->model_name;
    const std::string& nb = b->model_name.empty() ? b->model_id : b->model_name;
    return na < nb;
  };
  std::vector<const RegistryRow*> candidates;
  for (const auto& r : rows)
    if (servable(r)) candidates.push_back(&r);
  std::sort(candidates.begin(), candidates.end(), before);
  for (const auto* r : candidates)
    if (r->recommended) return {r->model_id, ResolveRule::recommended, r};
  if (!candidates.empty()) return {candidates.front()->model_id, ResolveRule::sort_order, candidates.front()};
  bool refused = curated_default && std::any_of(rows.begin(), rows.end(), [&](const RegistryRow& r) {
    return r.model_id == *curated_default;  // it has a row, and the row is not servable (else chosen above)
  });
  if (curated_default && !refused) return {*curated_default, ResolveRule::curated_default, nullptr};
  return {"", ResolveRule::curated_default, nullptr};
}

}  // namespace airreg::registry
