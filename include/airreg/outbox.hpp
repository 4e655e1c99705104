// The outbox: rows on their way to Airtable, kept on disk until Airtable has them. The batch
// writer journals every row here before sending it and marks it done once it landed, so a
// crash, an outage or a stop loses nothing; replaying is safe because writes are upserts.
//
// Files in the state directory (JSON lines, each append fsync'd, no secrets in them):
//   outbox.jsonl      {"id","base","table","merge_on","fields","queued_at"} per row, and
//                     {"done":[ids]} once rows landed; compact() drops what is done
//   rejected.jsonl    rows Airtable refused (422) with its message, for a person to look at
//   outbox.bad.jsonl  lines of outbox.jsonl that could not be read, kept rather than dropped
// Thread-safe, and safe between processes sharing the directory (flock).
#pragma once

#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "airreg/airtable_types.hpp"
#include "airreg/error.hpp"

namespace airreg {

struct OutboxEntry {
  std::string id;         // unique; given by append() when empty
  std::string base_id;
  std::string table;
  std::vector<std::string> merge_on;
  Fields fields;
  std::string queued_at;  // ISO 8601, UTC; given by append() when empty
};

struct OutboxStatus {
  size_t waiting = 0;           // rows not yet in Airtable
  std::string oldest;           // queued_at of the oldest waiting row ("" when none)
  size_t rejected = 0;          // lines in rejected.jsonl
  size_t unreadable = 0;        // lines of outbox.jsonl that could not be read
  std::vector<std::string> warnings;
};

// $AIRREG_STATE_DIR, else $XDG_STATE_HOME/airreg, else ~/.local/state/airreg.
Result<std::filesystem::path> default_state_dir();

class Outbox {
 public:
  explicit Outbox(std::filesystem::path dir);
  const std::filesystem::path& dir() const { return dir_; }

  // Appends and fsyncs; fills id and queued_at where empty. Creates the directory (0700).
  Result<void> append(std::vector<OutboxEntry>& entries);
  // Rows still waiting, oldest first; of one base, or of all when base_id is empty.
  Result<std::vector<OutboxEntry>> waiting(const std::string& base_id = "") const;
  // Records that these rows landed.
  Result<void> mark_done(const std::vector<std::string>& ids);
  // Moves rows Airtable refused to rejected.jsonl with its message, and marks them done.
  Result<void> reject(const std::vector<std::pair<OutboxEntry, std::string>>& rows);
  // Rewrites outbox.jsonl without what is done (atomically). Unreadable lines move to
  // outbox.bad.jsonl.
  Result<void> compact();
  Result<OutboxStatus> status(const std::string& base_id = "") const;

 private:
  struct Contents;
  Result<Contents> read_locked() const;
  std::filesystem::path path(const char* name) const { return dir_ / name; }

  std::filesystem::path dir_;
  mutable std::mutex mutex_;
};

}  // namespace airreg
