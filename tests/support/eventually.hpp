// Waits (polling every 10 ms, up to `timeout`) until a background effect is visible, for
// integration tests of work that runs on other threads. Returns whether it became true; the
// timeout is a bound for a hung test, not a speed target.
#pragma once

#include <chrono>
#include <thread>

namespace airreg::test {

template <typename Predicate>
bool eventually(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace airreg::test
