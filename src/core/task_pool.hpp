// A few worker threads running queued tasks in the background (the registry's refreshes), so
// that no caller waits for Airtable or a provider longer than it chose to. Destruction
// requests stop (tasks see it through stop_token() and return early), drops what has not
// started and joins the workers. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace airreg::core {

class TaskPool {
 public:
  explicit TaskPool(size_t threads);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  // Queues a task; false once stopping (the task is dropped).
  bool post(std::function<void()> task);
  std::stop_token stop_token() const { return stop_.get_token(); }
  void request_stop();

 private:
  void work();
  std::stop_source stop_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;  // last: they start once the rest exists
};

}  // namespace airreg::core
