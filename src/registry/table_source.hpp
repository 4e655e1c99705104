// The registry table as this instance knows it. get() answers, in this order:
//   1. the last read, while younger than the TTL;
//   2. with a fleet, the snapshot another instance read (one Redis round trip), else the
//      table read under the fleet's table lease, so that one instance of the fleet reads
//      Airtable while the others wait (up to lease_wait, in the background) for its snapshot
//      or for the lease to be free again (its holder died);
//   3. a read of Airtable (ceil(rows / 100) requests plus one of the history), retried on
//      5xx, timeouts, resets and 429s with backoff and full jitter.
// Every read is kept on disk (state.db), for when Airtable cannot be read, also after a
// restart: known() falls back to it. A failed read is remembered for the negative TTL.
// Thread-safe; one read at a time per instance.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>

#include "airreg/airtable_client.hpp"
#include "airtable/columns.hpp"
#include "fleet/fleet.hpp"
#include "registry/snapshot_store.hpp"
#include "registry/table_snapshot.hpp"

namespace airreg::registry {

using Snapshot = std::shared_ptr<const TableSnapshot>;

class TableSource {
 public:
  struct Settings {
    Clock clock;
    std::chrono::seconds ttl{3600};           // a read is reused this long (s)
    std::chrono::seconds negative_ttl{60};    // a failed read is not tried again sooner (s)
    int read_attempts = 4;
    std::chrono::hours look_back{24 * 8};     // how far back the history tells when listings were read (h)
    std::chrono::milliseconds lease_wait{30'000};  // how long a load waits for another instance's read (ms)
    std::shared_ptr<spdlog::logger> logger;
  };
  struct Counters {
    size_t reads = 0, requests = 0, errors = 0, rate_limited = 0, shared_taken = 0;
  };

  TableSource(AirtableClient client, airtable::BoundTables tables, std::filesystem::path state_dir,
              std::shared_ptr<fleet::Fleet> fleet, Settings settings);

  // Once stop is requested, reads in flight are abandoned (a process shutting down).
  void set_stop_token(std::stop_token stop) { client_.set_stop_token(std::move(stop)); }
  // Called with every snapshot get() starts using (read here or taken from the fleet).
  void on_new_snapshot(std::function<void(const Snapshot&)> callback) { on_new_ = std::move(callback); }

  // The table now; an error when it cannot be had now (known() is then the best there is).
  // `force`: read Airtable even when the last read is young.
  Result<Snapshot> get(bool force, const std::stop_token& stop);
  // The last table known, from Airtable, the fleet or the disk; null when there is none.
  Snapshot known();
  // The same without looking at the disk (const: for figures).
  Snapshot current() const;
  // The table changed (a notice, our own write): the next get() reads again, and does not
  // take the fleet's snapshot from before the change.
  void invalidate();
  Counters counters() const;

 private:
  Result<Snapshot> read_airtable(const std::stop_token& stop, uint64_t generation);
  Result<TableSnapshot> read_with_retries(const std::stop_token& stop);
  std::optional<Snapshot> adopt(std::optional<fleet::SharedSnapshot> shared, uint64_t generation);
  // Takes `snap` as the table; live only when nothing was invalidated since `generation`.
  void use(Snapshot snap, Clock::TimePoint loaded, uint64_t generation);
  uint64_t generation() const;

  AirtableClient client_;
  airtable::BoundTables tables_;
  SnapshotStore store_;
  std::shared_ptr<fleet::Fleet> fleet_;
  Settings settings_;
  std::function<void(const Snapshot&)> on_new_;

  std::mutex read_mutex_;  // one read at a time
  mutable std::mutex mutex_;
  Snapshot current_;
  bool live_ = false;             // read from Airtable, here or by the fleet (else from disk)
  bool disk_tried_ = false;
  Clock::TimePoint loaded_{};
  Clock::TimePoint failed_until_{};
  Error error_;
  uint64_t shared_seq_ = 0;       // the fleet's sequence of the snapshot in use
  // Bumped by invalidate(): a read that began before a change must not be taken for live
  // once it ends (it may hold the rows from before the change).
  uint64_t generation_ = 0;
  std::atomic<size_t> reads_{0}, requests_{0}, errors_{0}, rate_limited_{0}, shared_taken_{0};
};

}  // namespace airreg::registry
