#include "faults.hpp"

namespace airtable_local {

Faults::Faults(FaultOptions options)
    : options_(options), rng_(options.seed ? *options.seed : std::random_device{}()) {}

Faults::Kind Faults::roll() {
  std::lock_guard lock(mutex_);
  double r = std::uniform_real_distribution<double>(0, 1)(rng_);
  if (r < options_.fail_rate) return Kind::Fail;
  r -= options_.fail_rate;
  if (r < options_.drop_rate) return Kind::Drop;
  r -= options_.drop_rate;
  if (r < options_.truncate_rate) return Kind::Truncate;
  return Kind::None;
}

int Faults::fail_status() {
  static constexpr int kStatuses[] = {500, 502, 503};
  std::lock_guard lock(mutex_);
  return kStatuses[std::uniform_int_distribution<int>(0, 2)(rng_)];
}

}  // namespace airtable_local
