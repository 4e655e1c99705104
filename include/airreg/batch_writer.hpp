// The write path: upserts rows into one Airtable table, 10 per request, sending only rows
// whose cells changed, paced by the base's RateLimiter (through the client), retrying what a
// retry can fix, and keeping on disk (the Outbox) every row until Airtable has it.
//
//   submit(rows, current)    diff against the rows the caller read, journal the changed ones
//   submit_updates(records)  updates of records known by id (never creates one)
//   flush()                  write everything waiting in the outbox for this base, oldest first
//   write(rows, current)     submit + flush
//
// People's cells: the cells of `guarded_fields` are journalled with the value the caller's
// rows held (compare-and-set). Before rows that waited are replayed they are read again, and a
// row whose guarded cells no longer hold those values is sent with its connector cells only.
//
// Failures: a 429 pauses every request to the base (Retry-After, else 30 s) and the batch is
// sent again; a 5xx, timeout or reset is retried with exponential backoff and full jitter,
// and when the retries run out the flush stops (the rows wait in the outbox); a 401/403 stops
// at once. A 422 is classified by Airtable's error type: a schema problem (an unknown field, a
// missing select option) stops the flush with what to fix; a refused cell is left out and the
// row sent again; any other refused row is isolated by splitting the batch, and kept aside
// (Outbox::rejected) until a person re-queues it (`airreg flush --rejected`).
//
// Thread-safe: any thread may submit; flushes of one base run one at a time in the process
// (and across processes sharing the state directory).
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "airreg/airtable_client.hpp"
#include "airreg/clock.hpp"
#include "airreg/outbox.hpp"

namespace airreg {

struct BatchWriterOptions {
  std::string table;                      // the table rows go to (id or name)
  std::vector<std::string> merge_on;      // fields of the key (ids or names), e.g. Provider ID, Model ID
  std::set<std::string> guarded_fields;   // cells a person may own: compare-and-set on replay
  std::map<std::string, std::string> field_names;  // field id -> name, to read Airtable's messages
  size_t batch_size = 10;                 // rows per request (Airtable's maximum)
  int max_attempts = 5;                   // tries per request for 5xx, timeouts and resets
  std::chrono::milliseconds backoff_base{1'000};  // first backoff ceiling (ms)
  std::chrono::milliseconds backoff_cap{30'000};  // largest backoff ceiling (ms)
  int max_rate_limited = 10;              // 429s in a row on one request before the flush stops
  std::chrono::milliseconds lock_timeout{60'000};  // waiting for another process's flush (ms)
  bool typecast = false;                  // let Airtable convert text to select options etc.
  size_t flush_page_rows = 500;           // rows a flush reads from the outbox at a time (with every entry of each)
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

// A cell left out of a row that was written otherwise.
struct DroppedCell {
  std::string key;      // the row, e.g. "openai/gpt-4o"
  std::string field;    // the field id or name
  std::string reason;   // Airtable's refusal, or "a person changed it"
};

// A row that landed, as a reader of the report names it.
struct WriteReport {
  size_t submitted = 0;   // rows given to write()/submit()
  size_t unchanged = 0;   // left out: the table already holds them
  size_t written = 0;     // rows Airtable confirmed (created + updated)
  size_t created = 0;
  size_t updated = 0;
  size_t replayed = 0;    // of the written, rows that waited in the outbox from before
  size_t waiting = 0;     // rows still in the outbox for this base after the flush
  size_t requests = 0;    // every request the flush sent, reads before a replay included
  size_t retries = 0;
  size_t rate_limited = 0;
  size_t conflicts = 0;   // rows whose people's cells were left out: a person changed them meanwhile
  size_t gone = 0;        // updates of records that no longer exist, dropped
  std::vector<RejectedRow> rejected;
  std::vector<DroppedCell> dropped_cells;
  // The tables upserts landed in, each with the first merge_on value of the rows upserted
  // there (in the registry, their providers: "openai" of "openai/gpt-4o"). Updates of known
  // records (Last Verified) are not named. Names, not rows: a flush of 10,000 rows keeps a few.
  std::map<std::string, std::set<std::string>> upserted;
  std::optional<Error> stopped;  // why the flush stopped early (outage, 401/403, schema, disk)

  bool complete() const { return !stopped && rejected.empty() && waiting == 0; }
};

class BatchWriter {
 public:
  BatchWriter(AirtableClient client, std::shared_ptr<Outbox> outbox, BatchWriterOptions options,
              Clock clock = Clock::system(),
              std::shared_ptr<spdlog::logger> logger = nullptr);

  // Journals the rows that differ from `current` (the rows the caller read from the table)
  // and returns how many it queued. `report`, when given, counts submitted and unchanged.
  // `read_just_now`: `current` was read from Airtable just before, so the next flush need not
  // read it again; false when it came from a snapshot (then the rows are checked first).
  Result<size_t> submit(const std::vector<Fields>& rows, const std::vector<AirtableRecord>& current,
                        WriteReport* report = nullptr, bool read_just_now = true);
  // The same, with the records' cells lent by pointer (read during the call only); rows a
  // caller is done with are moved in, not copied.
  Result<size_t> submit_cells(std::vector<Fields> rows, const ReadCells& current, WriteReport* report = nullptr,
                              bool read_just_now = true);
  // Journals updates of existing records by id (only connector cells: no compare-and-set).
  Result<size_t> submit_updates(const std::vector<AirtableRecord>& updates,
                                const std::vector<std::string>& labels = {});
  // Writes every row of this base waiting in the outbox (any table). Stops early, leaving
  // the rest in the outbox, on cancel() or when `deadline` passes.
  WriteReport flush(const ProgressCallback& progress = {}, std::optional<Clock::TimePoint> deadline = {});
  WriteReport write(const std::vector<Fields>& rows, const std::vector<AirtableRecord>& current,
                    const ProgressCallback& progress = {});

  // Rows this writer queued that it has not seen settled (landed, dropped or set aside).
  size_t unsettled() const;
  // Forgets the rows it queued that another writer's flush settled: a flush writes every row
  // of the outbox, whichever writer queued it, so a writer that never flushes itself (the
  // registry's history rows) would otherwise keep their ids for the life of the process.
  Result<void> forget_settled();

  // Stops the running flush after the request in flight, and every later one: what is not
  // written stays in the outbox. For a process that is shutting down.
  void cancel() { stop_.request_stop(); }
  std::stop_token stop_token() const { return stop_.get_token(); }

 private:
  class Flush;

  AirtableClient client_;
  std::shared_ptr<Outbox> outbox_;
  BatchWriterOptions options_;
  Clock clock_;
  std::shared_ptr<spdlog::logger> logger_;
  std::stop_source stop_;
  mutable std::mutex submitted_mutex_;
  // Entries queued by this writer and not yet landed, by id; with the time they were queued
  // when they were never tried and the rows were read just before they were queued: those
  // need no re-read, unless their record was written since (landed_at_). One map for both:
  // a refresh of 10,000 rows queues 10,000 ids.
  std::unordered_map<std::string, std::optional<Clock::TimePoint>> submitted_;
  std::unordered_map<std::string, Clock::TimePoint> landed_at_;  // a record's table and key -> when a flush wrote it
};

}  // namespace airreg
