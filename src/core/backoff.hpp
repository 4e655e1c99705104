// Exponential backoff with full jitter (a uniform draw between zero and the ceiling, which
// doubles per attempt up to a cap), so clients that failed together do not retry together.
#pragma once

#include <algorithm>
#include <chrono>

namespace airreg::core {

// attempt counts from 1 (the wait after the first failure). uniform is a draw from [0, 1).
inline std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base,
                                               std::chrono::milliseconds cap, double uniform) {
  auto ceiling = base;
  for (int i = 1; i < attempt && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  return std::chrono::milliseconds(static_cast<long long>(uniform * static_cast<double>(ceiling.count())));
}

}  // namespace airreg::core
