// The registry's write-back: rows the read path merged, history rows of its refreshes, and
// report_verified() calls go to the outbox, which a background thread flushes, so that no
// reader waits for Airtable. report_verified is coalesced: at most one Last Verified write per
// model per verify_interval in this process, whatever the call rate, and only as an update of
// a record that exists. Destruction flushes for at most flush_timeout (then cancels the
// request in flight); what is left stays in the outbox for the next start.
//
// In a fleet a flush holds the base's write lease, so that two instances' writes never
// interleave (each keeps its own outbox), and once rows landed `on_written` is told which
// providers' rows changed (the registry then tells the fleet). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <set>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "airreg/batch_writer.hpp"
#include "airreg/registry_row.hpp"
#include "fleet/fleet.hpp"

namespace airreg::registry {

class WriteBack {
 public:
  struct Settings {
    Clock clock;
    std::chrono::minutes verify_interval{60};
    std::chrono::seconds flush_timeout{10};
    std::string last_verified_cell;  // the Last Verified column's cell key
    std::shared_ptr<spdlog::logger> logger;
    std::shared_ptr<fleet::Fleet> fleet;  // null: this process alone
    // The providers whose registry rows a flush wrote; called on the flushing thread.
    std::function<void(const std::set<std::string>&)> on_written;
  };

  WriteBack(AirtableClient client, std::shared_ptr<Outbox> outbox, BatchWriterOptions registry,
            BatchWriterOptions history, Settings settings);
  ~WriteBack();
  WriteBack(const WriteBack&) = delete;
  WriteBack& operator=(const WriteBack&) = delete;

  // Queues changed rows (diffed against `current`) and wakes the flusher, unless told not to
  // (a refresh queueing batches wakes it once all of them, and its history, are queued).
  Result<size_t> submit(std::vector<Fields> rows, const ReadCells& current, bool read_just_now,
                        bool wake_flusher = true);
  Result<size_t> submit_history(const std::vector<Fields>& rows);
  // A real call worked for the model whose row is `record_id` (its Last Verified as last
  // read: `last_verified`). True when a write was queued, false when coalesced.
  bool report_verified(const std::string& key, const std::string& record_id, std::optional<SystemTime> last_verified);

  size_t rows_queued() const { return queued_.load(); }
  size_t rate_limited() const { return rate_limited_.load(); }
  size_t requests() const { return requests_.load(); }
  size_t coalesced() const { return coalesced_.load(); }
  // The last flush that stopped early: why, and when.
  std::pair<std::string, std::optional<SystemTime>> last_error() const;

  // Wakes the flusher (after rows queued without waking it).
  void wake();

 private:
  void queue_verified();
  // False when another instance of the fleet holds the write lease (nothing was sent).
  // `cut_short`: set when the deadline stopped it with rows still waiting.
  bool flush_once(std::optional<Clock::TimePoint> deadline, bool* cut_short = nullptr);
  void flush_loop();

  Settings settings_;
  std::string registry_table_;
  BatchWriter writer_;
  BatchWriter history_writer_;

  mutable std::mutex state_mutex_;
  std::map<std::string, Clock::TimePoint> verified_at_;  // key -> when this process last queued it
  std::map<std::string, std::string> verified_pending_;  // key -> record id, not yet queued
  std::string last_error_;
  std::optional<SystemTime> last_error_at_;
  std::atomic<size_t> queued_{0}, rate_limited_{0}, requests_{0}, coalesced_{0};

  std::mutex flush_mutex_;
  std::condition_variable flush_wanted_;
  bool flush_requested_ = false, stopping_ = false;
  std::thread flusher_;  // last: starts when everything above exists
};

}  // namespace airreg::registry
