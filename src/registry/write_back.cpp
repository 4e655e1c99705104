#include "registry/write_back.hpp"

#include <spdlog/sinks/null_sink.h>

#include "core/time_text.hpp"

namespace airreg::registry {

WriteBack::WriteBack(AirtableClient client, std::shared_ptr<Outbox> outbox, BatchWriterOptions registry,
                     BatchWriterOptions history, Settings settings)
    : settings_(std::move(settings)),
      registry_table_(registry.table),
      writer_(client, outbox, std::move(registry), settings_.clock, settings_.logger),
      history_writer_(std::move(client), std::move(outbox), std::move(history), settings_.clock, settings_.logger),
      flusher_([this] { flush_loop(); }) {}

WriteBack::~WriteBack() {
  // A watchdog cuts the last flush short at the deadline, also mid-request.
  auto deadline = settings_.clock.now() + settings_.flush_timeout;
  std::mutex watch_mutex;
  std::condition_variable watch_done;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(watch_mutex);
    if (!watch_done.wait_for(lock, settings_.flush_timeout, [&] { return done; })) {
      writer_.cancel();
      history_writer_.cancel();
    }
  });
  {
    std::lock_guard lock(flush_mutex_);
    stopping_ = true;
  }
  flush_wanted_.notify_all();
  flusher_.join();
  // What does not land in time stays in the outbox for the next start.
  while (!flush_once(deadline) && settings_.clock.now() < deadline)
    settings_.clock.sleep_until(std::min(deadline, settings_.clock.now() + std::chrono::milliseconds(200)));
  {
    std::lock_guard lock(watch_mutex);
    done = true;
  }
  watch_done.notify_all();
  watchdog.join();
}

Result<size_t> WriteBack::submit(std::vector<Fields> rows, const ReadCells& current, bool read_just_now,
                                 bool wake_flusher) {
  auto queued = writer_.submit_cells(std::move(rows), current, nullptr, read_just_now);
  if (queued) {
    queued_.fetch_add(*queued, std::memory_order_relaxed);
    if (wake_flusher) wake();
  }
  return queued;
}

Result<size_t> WriteBack::submit_history(const std::vector<Fields>& rows) {
  auto queued = history_writer_.submit(rows, {});
  if (queued) wake();
  return queued;
}

bool WriteBack::report_verified(const std::string& key, const std::string& record_id,
                                std::optional<SystemTime> last_verified) {
  auto now = settings_.clock.now();
  auto wall = std::chrono::system_clock::now();
  {
    std::lock_guard lock(state_mutex_);
    auto at = verified_at_.find(key);
    bool recent = at != verified_at_.end() && now - at->second < settings_.verify_interval;
    bool cell_recent = last_verified && wall - *last_verified < settings_.verify_interval;
    if (recent || cell_recent || verified_pending_.count(key)) {
      coalesced_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    verified_at_[key] = now;
    verified_pending_[key] = record_id;
  }
  wake();
  return true;
}

std::pair<std::string, std::optional<SystemTime>> WriteBack::last_error() const {
  std::lock_guard lock(state_mutex_);
  return {last_error_, last_error_at_};
}

void WriteBack::wake() {
  {
    std::lock_guard lock(flush_mutex_);
    flush_requested_ = true;
  }
  flush_wanted_.notify_one();
}

void WriteBack::queue_verified() {
  std::map<std::string, std::string> batch;
  {
    std::lock_guard lock(state_mutex_);
    batch.swap(verified_pending_);
  }
  if (batch.empty()) return;
  std::string now = core::format_utc(std::chrono::system_clock::now());
  std::vector<AirtableRecord> updates;
  std::vector<std::string> labels;
  for (const auto& [key, record_id] : batch) {
    updates.push_back(AirtableRecord{record_id, "", {{settings_.last_verified_cell, now}}});
    labels.push_back(key);
  }
  if (auto queued = writer_.submit_updates(updates, labels)) queued_.fetch_add(*queued, std::memory_order_relaxed);
}

bool WriteBack::flush_once(std::optional<Clock::TimePoint> deadline, bool* cut_short) {
  queue_verified();
  // One instance of the fleet writes at a time; the lease outlives a slow flush by renewals.
  std::unique_ptr<fleet::Lease> lease;
  if (settings_.fleet) {
    lease = settings_.fleet->try_lease("write", std::chrono::seconds(30));
    if (!lease) return false;
  }
  auto report = writer_.flush({}, deadline);
  lease.reset();
  // That flush wrote the history's rows too: their writer learns which landed.
  if (auto forgot = history_writer_.forget_settled(); !forgot && settings_.logger)
    settings_.logger->warn("the outbox could not be read: {}", forgot.error().describe());
  // The providers whose rows changed; a Last Verified bump or a history row changes no answer.
  if (auto landed = report.upserted.find(registry_table_); landed != report.upserted.end() && settings_.on_written)
    settings_.on_written(landed->second);
  if (cut_short) *cut_short = report.stopped && report.stopped->code == ErrorCode::cancelled && report.waiting > 0;
  rate_limited_.fetch_add(report.rate_limited, std::memory_order_relaxed);
  requests_.fetch_add(report.requests, std::memory_order_relaxed);
  if (report.stopped && report.stopped->code != ErrorCode::cancelled) {
    if (settings_.logger) settings_.logger->warn("write-back stopped: {}", report.stopped->describe());
    std::lock_guard lock(state_mutex_);
    last_error_ = report.stopped->describe();
    last_error_at_ = std::chrono::system_clock::now();
  }
  return true;
}

void WriteBack::flush_loop() {
  std::unique_lock lock(flush_mutex_);
  for (;;) {
    flush_wanted_.wait(lock, [&] { return flush_requested_ || stopping_; });
    if (stopping_) return;
    flush_requested_ = false;
    lock.unlock();
    // Bounded, so that it never holds the base's flush lock for long. What is left (a first
    // fill of thousands of rows takes minutes at 5 requests a second) goes on after a pause,
    // not at the next wake, which may be an hour away.
    bool cut_short = false;
    if (!flush_once(settings_.clock.now() + std::chrono::seconds(60), &cut_short) || cut_short) {
      // Another instance is writing, or rows are left: try again shortly.
      lock.lock();
      flush_wanted_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
      flush_requested_ = true;
      continue;
    }
    lock.lock();
  }
}

}  // namespace airreg::registry
