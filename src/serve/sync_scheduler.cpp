#include "serve/sync_scheduler.hpp"

#include <random>

namespace airreg::serve {

SyncScheduler::SyncScheduler(std::function<void()> sync, std::chrono::milliseconds period,
                             std::shared_ptr<fleet::Fleet> fleet, std::shared_ptr<spdlog::logger> logger)
    : sync_(std::move(sync)), period_(period), fleet_(std::move(fleet)), logger_(std::move(logger)),
      thread_([this] { loop(); }) {}

SyncScheduler::~SyncScheduler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void SyncScheduler::loop() {
  std::mt19937_64 random{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.9, 1.1);
  std::unique_lock lock(mutex_);
  for (;;) {
    auto wait = std::chrono::milliseconds(static_cast<long long>(static_cast<double>(period_.count()) * jitter(random)));
    if (wake_.wait_for(lock, wait, [&] { return stopping_; })) return;
    lock.unlock();
    // One instance of the fleet per period; a little less than the period, so that the next
    // period's claim is free again whatever the jitter.
    if (fleet_->try_claim("scheduled-sync", std::chrono::duration_cast<std::chrono::milliseconds>(period_ * 0.8))) {
      if (logger_) logger_->info("scheduled sync starting");
      sync_();
    } else if (logger_) {
      logger_->info("scheduled sync left to another instance of the fleet");
    }
    lock.lock();
  }
}

}  // namespace airreg::serve
