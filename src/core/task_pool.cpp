#include "core/task_pool.hpp"

namespace airreg::core {

TaskPool::TaskPool(size_t threads) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

TaskPool::~TaskPool() {
  request_stop();
  for (auto& t : threads_) t.join();
}

void TaskPool::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stop_.request_stop();
    tasks_.clear();
  }
  wake_.notify_all();
}

bool TaskPool::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stop_.stop_requested()) return false;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void TaskPool::work() {
  std::stop_token stop = stop_.get_token();
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [&] { return !tasks_.empty(); })) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    // A task that throws must not take the process down; the registry's tasks catch their own.
    try {
      task();
    } catch (...) {
    }
  }
}

}  // namespace airreg::core
