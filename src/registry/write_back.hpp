// The registry's write-back: rows the read path merged, and report_verified() calls, go to
// the batch writer, which a background thread flushes, so that no reader waits for Airtable.
// Destruction stops the thread and flushes for at most flush_timeout; what is left stays in
// the outbox for the next start. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "airreg/batch_writer.hpp"
#include "airreg/registry_row.hpp"
#include "registry/field_names.hpp"

namespace airreg::registry {

class WriteBack {
 public:
  // The Last Verified a model's row holds now, as far as the caller knows.
  using LastVerified = std::function<std::optional<SystemTime>(const std::string& provider, const std::string& model)>;

  WriteBack(AirtableClient client, std::shared_ptr<Outbox> outbox, const FieldNames& names, Clock clock,
            std::chrono::minutes verify_interval, std::chrono::seconds flush_timeout, LastVerified last_verified,
            std::shared_ptr<spdlog::logger> logger);
  ~WriteBack();
  WriteBack(const WriteBack&) = delete;
  WriteBack& operator=(const WriteBack&) = delete;

  // Queues changed rows (diffed against `current`) and wakes the flusher.
  Result<size_t> submit(const std::vector<Fields>& rows, const std::vector<AirtableRecord>& current);
  // A real call to the model worked: becomes a Last Verified write when the cell is old.
  void report_verified(const std::string& provider, const std::string& model_id);

  size_t rows_queued() const { return queued_.load(); }
  size_t rate_limited() const { return rate_limited_.load(); }

 private:
  void wake();
  void queue_verified();
  void flush_loop();

  const FieldNames& names_;
  Clock clock_;
  std::chrono::minutes verify_interval_;
  std::chrono::seconds flush_timeout_;
  LastVerified last_verified_;
  BatchWriter writer_;

  std::mutex verified_mutex_;
  std::map<std::pair<std::string, std::string>, SystemTime> verified_;  // provider, model -> when
  std::atomic<size_t> queued_{0}, rate_limited_{0};

  std::mutex flush_mutex_;
  std::condition_variable flush_wanted_;
  bool flush_requested_ = false, stopping_ = false;
  std::thread flusher_;  // last: starts when everything above exists
};

}  // namespace airreg::registry
