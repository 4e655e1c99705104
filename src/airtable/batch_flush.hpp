// BatchWriter::Flush: the state of one flush of a base's outbox (see batch_writer.hpp): its
// report, its deadline, and the retry loop around each request. Its work is in three files:
//   batch_flush.cpp          the passes over the outbox, in pages of rows; sending; landing
//   batch_flush_recheck.cpp  the compare-and-set reads of rows that waited (people's cells)
//   batch_flush_refusals.cpp isolating the rows and cells Airtable refuses
// submit() and friends are in batch_writer.cpp.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "airreg/batch_writer.hpp"
#include "airtable/pending_rows.hpp"

namespace airreg {

class BatchWriter::Flush {
 public:
  Flush(BatchWriter& writer, const ProgressCallback& progress, std::optional<Clock::TimePoint> deadline)
      : w_(writer), progress_(progress), deadline_(deadline) {}

  WriteReport run();

 private:
  using PendingGroup = airtable::PendingGroup;
  using PendingRow = airtable::PendingRow;

  // --- the passes (batch_flush.cpp)
  // The waiting entries not tried yet in this flush, by id, in pages of at most
  // flush_page_rows rows (in the queue order of each row's first entry), every entry of a row
  // in its row's page: the newest entry of a row must meet the older ones it replaces (see
  // pending_rows.hpp). Only the key cells are decoded here, so a flush holds one page of cells
  // at a time however long the outbox is (10,000 rows took 26 MB whole).
  Result<std::vector<std::vector<std::string>>> plan_pages(const std::string& base);
  void write_page(const std::vector<std::string>& ids);
  void write_group(PendingGroup& group);
  Result<UpsertResult> send(const PendingGroup& group, std::span<PendingRow*> rows);
  Result<UpsertResult> upsert(const PendingGroup& group, std::span<PendingRow*> rows);
  Result<UpsertResult> update(const PendingGroup& group, std::span<PendingRow*> rows);
  // After a failed request: whether to try again (having waited as its error asks).
  bool wait_before_retry(const Error& e, int& failures, int& limited);
  void landed(std::span<PendingRow*> rows, const UpsertResult& result);
  // The rows' entries leave the outbox (landed, or nothing left to write).
  bool settle(const PendingRow& row);
  // Whether an entry queued as read just now (at `queued`) may skip its re-read: not when it
  // waited long, nor when a flush wrote its record after its merge may have read the table (an
  // older entry of the same row, in this flush or the last): the table no longer holds what
  // its merge saw, and its Metadata would claim cells it never wrote. Under submitted_mutex_.
  bool still_as_read(const OutboxEntry& e, Clock::TimePoint queued, Clock::TimePoint now) const;

  // --- the compare-and-set (batch_flush_recheck.cpp)
  // Reads the records of the rows that waited by key, in pages of 100 keys, and leaves out the
  // cells a person changed since their merge. False when the flush stopped.
  bool check_current(PendingGroup& group);
  Result<std::vector<AirtableRecord>> read_with_retries(const std::string& table, const ListQuery& query);

  // --- refusals (batch_flush_refusals.cpp)
  // Sends the rows; on a refusal, isolates its cause by the error's type.
  void write_rows(const PendingGroup& group, std::span<PendingRow*> rows);
  // One row refused for one cell: send it again without that cell; if Airtable still refuses
  // it, or the cell cannot be told, the row is kept aside.
  void without_refused_cell(const PendingGroup& group, PendingRow& row, const Error& e);
  void gone(const PendingRow& row);
  void refused(const PendingRow& row, const Error& e);

  // --- the report and the clock (batch_flush.cpp)
  std::chrono::milliseconds lock_wait() const;
  static Error cancelled();
  WriteReport finish();
  void stop(const Error& e);
  WriteReport finish_stopped(const Error& e);
  void tell();
  bool out_of_time() const;
  std::string name_of(const std::string& field) const;
  std::string label(const PendingRow& row) const;

  BatchWriter& w_;
  const ProgressCallback& progress_;
  std::optional<Clock::TimePoint> deadline_;
  WriteReport report_;
  WriteProgress progress_state_;
  std::unordered_set<std::string> tried_;
};

}  // namespace airreg
