// What /metrics shows, in Prometheus's text exposition format 0.0.4: serve's own counters (HTTP
// requests by route and code, a duration histogram by route) kept in fixed arrays of atomics
// (recording a request takes no lock), and the registry's figures rendered at scrape time.
// Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "airreg/model_registry.hpp"

namespace airreg::serve {

enum class Route {
  page, healthz, readyz, metrics, models, resolve, verified, refresh, openai_models, openai_model, webhook, other,
};
inline constexpr size_t kRoutes = static_cast<size_t>(Route::other) + 1;
std::string_view route_label(Route r);

class Metrics {
 public:
  void observe(Route route, int status, std::chrono::nanoseconds took);
  // Everything, for one scrape.
  std::string render(const ModelRegistry& registry) const;

 private:
  static constexpr std::array<int, 14> kCodes{200, 202, 204, 304, 400, 401, 403, 404, 405, 413, 429, 500, 503, 0};
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  static size_t code_index(int status);

  std::array<std::array<std::atomic<uint64_t>, kCodes.size()>, kRoutes> requests_{};
  std::array<std::array<std::atomic<uint64_t>, kBuckets.size() + 1>, kRoutes> buckets_{};  // last: +Inf
  std::array<std::atomic<uint64_t>, kRoutes> duration_ns_{};
};

// A label value as the format wants it: backslash, quote and newline escaped.
std::string escape_label(std::string_view value);

}  // namespace airreg::serve
