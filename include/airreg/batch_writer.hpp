// The write path: upserts rows into one Airtable table, 10 per request, sending only rows
// whose cells changed, paced by the base's RateLimiter (through the client), retrying what a
// retry can fix, and keeping on disk (the Outbox) every row until Airtable has it.
//
//   submit(rows, current)  diff against the rows the caller read, journal the changed ones
//   flush()                write everything waiting in the outbox for this base, oldest first
//   write(rows, current)   both
//
// Failures: a 429 pauses every request to the base (Retry-After, else 30 s) and the batch is
// sent again; a 5xx, timeout or reset is retried with exponential backoff and full jitter,
// and when the retries run out the flush stops (the rows wait in the outbox); a 401/403 stops
// at once; a 422 is split in halves until each refused row is alone, the others are written
// and each refused row is reported (and moved to rejected.jsonl).
//
// Thread-safe: any thread may submit; flushes of one base run one at a time in the process
// (and across processes sharing the state directory).
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "airreg/airtable_client.hpp"
#include "airreg/clock.hpp"
#include "airreg/outbox.hpp"

namespace airreg {

struct BatchWriterOptions {
  std::string table;                      // the table rows go to (name or id)
  std::vector<std::string> merge_on;      // field names of the key, e.g. Provider ID, Model ID
  size_t batch_size = 10;                 // rows per request (Airtable's maximum)
  int max_attempts = 5;                   // tries per request for 5xx, timeouts and resets
  std::chrono::milliseconds backoff_base{1'000};  // first backoff ceiling (ms)
  std::chrono::milliseconds backoff_cap{30'000};  // largest backoff ceiling (ms)
  int max_rate_limited = 10;              // 429s in a row on one request before the flush stops
  bool typecast = false;                  // let Airtable convert text to select options etc.
};

struct WriteProgress {
  size_t rows_done = 0;    // landed or refused
  size_t rows_total = 0;
  size_t requests = 0;
  size_t retries = 0;
  size_t rate_limited = 0;  // 429 answers
};
using ProgressCallback = std::function<void(const WriteProgress&)>;

struct RejectedRow {
  std::string key;      // e.g. "openai/gpt-4o"
  std::string table;
  std::string message;  // Airtable's
};

struct WriteReport {
  size_t submitted = 0;   // rows given to write()/submit()
  size_t unchanged = 0;   // left out: the table already holds them
  size_t written = 0;     // rows Airtable confirmed (created + updated)
  size_t created = 0;
  size_t updated = 0;
  size_t replayed = 0;    // of the written, rows that waited in the outbox from before
  size_t waiting = 0;     // rows still in the outbox for this base after the flush
  size_t requests = 0;
  size_t retries = 0;
  size_t rate_limited = 0;
  std::vector<RejectedRow> rejected;
  std::optional<Error> stopped;  // why the flush stopped early (outage, 401/403, disk)

  bool complete() const { return !stopped && rejected.empty() && waiting == 0; }
};

class BatchWriter {
 public:
  BatchWriter(AirtableClient client, std::shared_ptr<Outbox> outbox, BatchWriterOptions options,
              Clock clock = Clock::system(),
              std::shared_ptr<spdlog::logger> logger = nullptr);

  // Journals the rows that differ from `current` (the rows the caller read from the table)
  // and returns how many it queued. `report`, when given, counts submitted and unchanged.
  Result<size_t> submit(const std::vector<Fields>& rows, const std::vector<AirtableRecord>& current,
                        WriteReport* report = nullptr);
  // Writes every row of this base waiting in the outbox (any table), then compacts it.
  // Stops early, leaving the rest in the outbox, on cancel() or when `deadline` passes.
  WriteReport flush(const ProgressCallback& progress = {}, std::optional<Clock::TimePoint> deadline = {});
  WriteReport write(const std::vector<Fields>& rows, const std::vector<AirtableRecord>& current,
                    const ProgressCallback& progress = {});

  // Stops the running flush after the request in flight, and every later one: what is not
  // written stays in the outbox. For a process that is shutting down.
  void cancel() { cancelled_ = true; }

 private:
  class Flush;

  AirtableClient client_;
  std::shared_ptr<Outbox> outbox_;
  BatchWriterOptions options_;
  Clock clock_;
  std::shared_ptr<spdlog::logger> logger_;
  std::atomic<bool> cancelled_{false};
  std::mutex submitted_mutex_;
  std::unordered_set<std::string> submitted_ids_;  // queued by this writer and not yet landed
};

}  // namespace airreg
