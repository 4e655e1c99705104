// The registry table as this instance knows it, at the fewest Airtable calls that keep it
// right (Airtable's monthly quota counts every one). get() answers, in this order:
//   1. the last table, while younger than the revalidation period (the cache TTL, stretched by
//      the call budget when one is set; with webhooks, until a full read is due);
//   2. with a fleet, the table another instance read (one Redis round trip), else the table
//      read under the fleet's table lease, so that one instance reads Airtable while the others
//      wait (up to lease_wait, in the background) for its snapshot or for the lease to be free;
//   3. a revalidation of the table it has (also one from disk): one request asks whether any
//      row changed since (LAST_MODIFIED_TIME()), and only the changed rows are read (paged), with
//      the history (a change comes with a sync's or a write-back's run);
//   4. a full read (ceil(rows / 100) requests and one of the history) when there is no table
//      yet or the last full read is older than full_read_every (deletions show only then,
//      or in webhook payloads);
// retried on 5xx, timeouts, resets and 429s with backoff and full jitter; never on a spent
// monthly quota, and not at all once the budget's share for reads is spent (the table it has
// answers, marked with its age). Every table is kept on disk (state.db) for when Airtable cannot
// be read, also after a restart. Thread-safe; one read at a time per instance.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>

#include "airreg/airtable_client.hpp"
#include "airtable/columns.hpp"
#include "fleet/fleet.hpp"
#include "registry/call_budget.hpp"
#include "registry/snapshot_store.hpp"
#include "registry/table_snapshot.hpp"

namespace airreg::registry {

using Snapshot = std::shared_ptr<const TableSnapshot>;

class TableSource {
 public:
  struct Settings {
    Clock clock;
    std::chrono::seconds ttl{3600};           // a table is trusted this long before a revalidation (s)
    std::chrono::seconds negative_ttl{60};    // a failed read is not tried again sooner (s)
    int read_attempts = 4;
    std::chrono::hours look_back{24 * 8};     // how far back the history tells when listings were read (h)
    std::chrono::milliseconds lease_wait{30'000};  // how long a load waits for another instance's read (ms)
    std::chrono::hours full_read_every{24};   // a full read at least this often (deletions) (h)
    std::chrono::seconds clock_skew{60};      // changes are asked for since the last read less this (s)
    std::shared_ptr<spdlog::logger> logger;
  };
  struct Counters {
    size_t reads = 0, requests = 0, errors = 0, rate_limited = 0, shared_taken = 0, revalidations = 0,
           unchanged = 0;  // revalidations that found nothing changed: one call each
  };

  TableSource(AirtableClient client, airtable::BoundTables tables, std::filesystem::path state_dir,
              std::shared_ptr<fleet::Fleet> fleet, std::shared_ptr<CallBudget> budget, Settings settings);

  // Once stop is requested, reads in flight are abandoned (a process shutting down).
  void set_stop_token(std::stop_token stop) { client_.set_stop_token(std::move(stop)); }
  // Called with every snapshot get() starts using (read here or taken from the fleet).
  void on_new_snapshot(std::function<void(const Snapshot&)> callback) { on_new_ = std::move(callback); }

  // The table now; an error when it cannot be had now (known() is then the best there is).
  // `force`: read every row now.
  Result<Snapshot> get(bool force, const std::stop_token& stop);
  // The last table known, from Airtable, the fleet or the disk; null when there is none.
  Snapshot known();
  // The same without looking at the disk (const: for figures).
  Snapshot current() const;
  // The table changed (a notice, our own write): the next get() revalidates, and does not
  // take the fleet's snapshot from before the change.
  void invalidate();
  // Webhooks keep the table up to date: no revalidation until a full read is due.
  void set_pushed(bool pushed);
  // A webhook payload's changes applied to the table (no read); the providers they touched.
  // Nothing when they cannot be applied (no live table, a change to a row it lacks): the
  // table is invalidated, and the next get() reads it.
  std::optional<std::set<std::string>> apply(const std::vector<RecordChange>& changes);
  // Model Sync History read again (one request) when the last read is older than `older_than`:
  // before asking a provider whose listing looks old, in case another instance listed it.
  void refresh_history(std::chrono::seconds older_than, const std::stop_token& stop);
  Counters counters() const;
  // Adds the calls made since the last count to the month's (the call budget).
  void count_calls() const;

 private:
  Result<Snapshot> read_airtable(const std::stop_token& stop, uint64_t generation, bool force);
  Result<TableSnapshot> full_read();
  Result<TableSnapshot> revalidate(const TableSnapshot& base);
  Result<TableSnapshot> with_retries(const std::function<Result<TableSnapshot>()>& attempt, const std::stop_token& stop);
  std::optional<Snapshot> adopt(std::optional<fleet::SharedSnapshot> shared, uint64_t generation);
  // Takes `snap` as the table; live only when nothing was invalidated since `generation`.
  void use(Snapshot snap, Clock::TimePoint loaded, uint64_t generation);
  // Keeps it on disk and, with a fleet, in Redis under `seq`.
  void keep(const TableSnapshot& snap, std::optional<uint64_t> seq);
  Clock::Duration period() const;
  // Sets when the next full read is due, for a snapshot about to be used (under mutex_).
  void note_full_read(const TableSnapshot& snap);

  AirtableClient client_;
  airtable::BoundTables tables_;
  SnapshotStore store_;
  std::shared_ptr<fleet::Fleet> fleet_;
  std::shared_ptr<CallBudget> budget_;
  Settings settings_;
  std::function<void(const Snapshot&)> on_new_;

  std::mutex read_mutex_;  // one read at a time
  mutable std::mutex mutex_;
  Snapshot current_;
  bool live_ = false;             // read from Airtable, here or by the fleet (else from disk)
  bool disk_tried_ = false;
  std::atomic<bool> pushed_{false};  // webhooks keep it up to date
  Clock::TimePoint loaded_{};
  Clock::TimePoint failed_until_{};
  Clock::TimePoint full_read_due_{};  // on settings_.clock: a revalidation is enough before it
  Error error_;
  uint64_t shared_seq_ = 0;       // the fleet's sequence of the snapshot in use
  // Bumped by invalidate(): a read that began before a change must not be taken for live
  // once it ends (it may hold the rows from before the change).
  uint64_t generation_ = 0;
  std::atomic<size_t> reads_{0}, requests_{0}, errors_{0}, rate_limited_{0}, shared_taken_{0}, revalidations_{0},
      unchanged_{0};
};

}  // namespace airreg::registry
