// `serve --sync-every`: a sync of every configured provider on a period, so that a fleet needs
// no cron. Each wait is the period give or take 10 % (instances started together spread out),
// and with Redis one instance of the fleet per period runs it (a claim on the base), the
// others skip. The first sync runs one period after the start. Thread-safe; stops (after the
// sync in progress, if any) when destroyed.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "fleet/fleet.hpp"

namespace airreg::serve {

class SyncScheduler {
 public:
  SyncScheduler(std::function<void()> sync, std::chrono::milliseconds period, std::shared_ptr<fleet::Fleet> fleet,
                std::shared_ptr<spdlog::logger> logger);
  ~SyncScheduler();
  SyncScheduler(const SyncScheduler&) = delete;
  SyncScheduler& operator=(const SyncScheduler&) = delete;

 private:
  void loop();

  std::function<void()> sync_;
  std::chrono::milliseconds period_;
  std::shared_ptr<fleet::Fleet> fleet_;
  std::shared_ptr<spdlog::logger> logger_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest exists
};

}  // namespace airreg::serve
