// The outbox: rows on their way to Airtable, kept on disk until Airtable has them. The batch
// writer journals every row here before sending it and removes it once it landed, so a
// crash, an outage or a stop loses nothing; replaying is safe because writes are upserts (or
// updates of a known record), and because every cell a person may own carries the value the
// merge saw, so that a replay hours later never overwrites what a person changed meanwhile.
//
// Storage: state.db (SQLite, WAL) in the state directory, tables `outbox` (waiting rows) and
// `rejected` (rows Airtable refused, with its message, until a person re-queues them). No
// secrets are written. A legacy outbox.jsonl (airreg 0.1) is imported once and renamed.
// Thread-safe, and safe between processes sharing the directory.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "airreg/airtable_types.hpp"
#include "airreg/error.hpp"

namespace airreg {

struct OutboxEntry {
  std::string id;         // unique; given by append() when empty
  std::string base_id;
  std::string table;      // the table's id (or name where ids are unknown)
  // Upsert: the field ids (or names) the row is matched on. Empty when record_id is set.
  std::vector<std::string> merge_on;
  // Update of this one record, never a creation (report_verified's Last Verified).
  std::string record_id;
  Fields fields;          // cells to write, by field id (or name)
  // Compare-and-set: for each cell a person may own, the value the merge saw (empty when it
  // saw none). Before a replay the row is read again and such a cell is written only while
  // the table still holds that value. Cells without an expectation are the connector's.
  Fields expect;
  std::string queued_at;  // ISO 8601, UTC; given by append() when empty
  std::string label;      // the row as people name it ("openai/gpt-4o"), for messages
};

struct RejectedEntry {
  OutboxEntry entry;
  std::string message;      // Airtable's, with its type
  std::string rejected_at;  // ISO 8601, UTC
};

struct OutboxStatus {
  size_t waiting = 0;    // rows not yet in Airtable
  std::string oldest;    // queued_at of the oldest waiting row ("" when none)
  size_t rejected = 0;   // rows refused by Airtable, kept until re-queued
  std::vector<std::string> warnings;
};

// What a read of the outbox decodes of each row's cells.
enum class OutboxCells {
  all,   // every cell, and the compare-and-set values
  keys,  // only the cells the row is merged on (expect left empty): which row each entry
         // writes, for a reader that then loads a page of entries at a time
};

// $AIRREG_STATE_DIR, else $XDG_STATE_HOME/airreg, else ~/.local/state/airreg.
Result<std::filesystem::path> default_state_dir();

class Outbox {
 public:
  // Nothing is opened until the first call; the directory is created 0700 then, and refused
  // when another user owns it or others may write it.
  explicit Outbox(std::filesystem::path dir);
  ~Outbox();
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path database() const { return dir_ / "state.db"; }

  // Appends in one transaction; fills id and queued_at where empty.
  Result<void> append(std::vector<OutboxEntry>& entries);
  // Rows still waiting, oldest first; of one base, or of all when base_id is empty.
  Result<std::vector<OutboxEntry>> waiting(const std::string& base_id = "") const;
  // The same, one row at a time (the outbox's lock is held meanwhile: `take` must not call it).
  Result<void> each_waiting(const std::string& base_id, OutboxCells cells,
                            const std::function<void(OutboxEntry&)>& take) const;
  // The waiting rows with these ids, whole, in queue order (ids no longer waiting are skipped).
  Result<std::vector<OutboxEntry>> entries(const std::vector<std::string>& ids) const;
  // Removes rows that landed.
  Result<void> mark_done(const std::vector<std::string>& ids);
  // Replaces a waiting row's cells (a cell Airtable refused, or one that failed its
  // compare-and-set, is taken out) without changing its place in the queue.
  Result<void> rewrite(const OutboxEntry& entry);
  // Moves refused rows to `rejected` with Airtable's message, in one transaction.
  Result<void> reject(const std::vector<std::pair<OutboxEntry, std::string>>& rows);
  Result<std::vector<RejectedEntry>> rejected(const std::string& base_id = "") const;
  // Puts every refused row of the base back in the queue (after a person fixed the cause);
  // returns how many.
  Result<size_t> requeue_rejected(const std::string& base_id = "");
  Result<OutboxStatus> status(const std::string& base_id = "") const;

 private:
  struct Store;
  Result<Store*> store() const;

  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  mutable std::unique_ptr<Store> store_;
};

}  // namespace airreg
