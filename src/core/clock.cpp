#include "airreg/clock.hpp"

#include <random>
#include <thread>

namespace airreg {

Clock Clock::system() {
  return Clock{
      [] { return std::chrono::steady_clock::now(); },
      [](Duration d) { std::this_thread::sleep_for(d); },
      [] {
        thread_local std::mt19937_64 engine{std::random_device{}()};
        return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
      },
  };
}

}  // namespace airreg
