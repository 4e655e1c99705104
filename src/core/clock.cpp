#include "airreg/clock.hpp"

#include <condition_variable>
#include <mutex>
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
      [](TimePoint t, const std::stop_token& stop) {
        // Nobody notifies this variable: only the stop token's callback or the deadline ends the wait.
        std::mutex mutex;
        std::condition_variable_any never;
        std::unique_lock lock(mutex);
        never.wait_until(lock, stop, t, [] { return false; });
      },
  };
}

}  // namespace airreg
