// BatchWriter's queueing side: submit() diffs rows against what the caller read and journals
// the changed ones in the outbox; flush() is in batch_flush.cpp.
#include "airreg/batch_writer.hpp"

#include <spdlog/sinks/null_sink.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "airtable/row_diff.hpp"

namespace airreg {

BatchWriter::BatchWriter(AirtableClient client, std::shared_ptr<Outbox> outbox, BatchWriterOptions options,
                         Clock clock, std::shared_ptr<spdlog::logger> logger)
    : client_(std::move(client)),
      outbox_(std::move(outbox)),
      options_(std::move(options)),
      clock_(std::move(clock)),
      logger_(logger ? std::move(logger) : std::make_shared<spdlog::logger>("airreg", std::make_shared<spdlog::sinks::null_sink_mt>())) {
  options_.batch_size = std::clamp<size_t>(options_.batch_size, 1, 10);
  options_.max_attempts = std::max(1, options_.max_attempts);
  options_.flush_page_rows = std::max<size_t>(1, options_.flush_page_rows);
  client_.set_stop_token(stop_.get_token());
}

Result<size_t> BatchWriter::submit(const std::vector<Fields>& rows, const std::vector<AirtableRecord>& current,
                                   WriteReport* report, bool read_just_now) {
  return submit_cells(rows, cells_of(current), report, read_just_now);
}

Result<size_t> BatchWriter::submit_cells(std::vector<Fields> rows, const ReadCells& current, WriteReport* report,
                                         bool read_just_now) {
  if (options_.merge_on.empty())
    return std::unexpected(make_error(ErrorCode::invalid_argument, "the batch writer needs the fields to merge on"));
  size_t submitted = rows.size();
  airtable::CellsByKey held = airtable::cells_by_key(current, options_.merge_on);
  airtable::RowDiff diff = airtable::diff_rows(std::move(rows), held, options_.merge_on);
  if (report) {
    report->submitted += submitted;
    report->unchanged += diff.unchanged;
    for (const auto& row : diff.invalid) {
      std::string missing;
      for (const auto& m : options_.merge_on) {
        auto name = options_.field_names.find(m);
        missing += (missing.empty() ? "" : ", ") + (name == options_.field_names.end() ? m : name->second);
      }
      report->rejected.push_back(RejectedRow{airtable::row_label(row, options_.merge_on), options_.table,
                                             "a row needs every field it is merged on (" + missing + ")"});
    }
  }
  std::vector<OutboxEntry> entries;
  entries.reserve(diff.changed.size());
  for (auto& fields : diff.changed) {
    OutboxEntry e;
    e.base_id = client_.config().base_id;
    e.table = options_.table;
    e.merge_on = options_.merge_on;
    e.label = airtable::row_label(fields, options_.merge_on);
    // What the caller's rows held in each guarded cell: the replay's compare-and-set.
    auto found = held.find(airtable::row_key(fields, options_.merge_on));
    for (const auto& [name, value] : fields) {
      if (!options_.guarded_fields.count(name)) continue;
      FieldValue seen;
      if (found != held.end())
        if (auto cell = found->second->find(name); cell != found->second->end()) seen = cell->second;
      e.expect[name] = seen;
    }
    e.fields = std::move(fields);
    entries.push_back(std::move(e));
  }
  // The ids are recorded under the same lock as the append: a flush running meanwhile (the
  // registry's flusher, while a refresh still queues batches) reads them only once they are.
  std::lock_guard lock(submitted_mutex_);
  if (auto appended = outbox_->append(entries); !appended) return std::unexpected(appended.error());
  auto now = clock_.now();
  for (const auto& e : entries) submitted_.emplace(e.id, read_just_now ? std::optional(now) : std::nullopt);
  return entries.size();
}

Result<size_t> BatchWriter::submit_updates(const std::vector<AirtableRecord>& updates, const std::vector<std::string>& labels) {
  std::vector<OutboxEntry> entries;
  for (size_t i = 0; i < updates.size(); ++i) {
    if (updates[i].id.empty() || updates[i].fields.empty()) continue;
    OutboxEntry e;
    e.base_id = client_.config().base_id;
    e.table = options_.table;
    e.record_id = updates[i].id;
    e.fields = updates[i].fields;
    e.label = i < labels.size() ? labels[i] : updates[i].id;
    entries.push_back(std::move(e));
  }
  std::lock_guard lock(submitted_mutex_);  // as in submit()
  if (auto appended = outbox_->append(entries); !appended) return std::unexpected(appended.error());
  for (const auto& e : entries) submitted_.emplace(e.id, std::nullopt);
  return entries.size();
}

size_t BatchWriter::unsettled() const {
  std::lock_guard lock(submitted_mutex_);
  return submitted_.size();
}

Result<void> BatchWriter::forget_settled() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(submitted_mutex_);
    ids.reserve(submitted_.size());
    for (const auto& [id, queued] : submitted_) ids.push_back(id);
  }
  if (ids.empty()) return {};
  // Asked without the lock: an id queued meanwhile is not among `ids`, and a settled one
  // never waits again.
  auto waiting = outbox_->entries(ids);
  if (!waiting) return std::unexpected(waiting.error());
  std::unordered_set<std::string> still;
  for (const auto& e : *waiting) still.insert(e.id);
  std::lock_guard lock(submitted_mutex_);
  for (const auto& id : ids)
    if (!still.count(id)) submitted_.erase(id);
  return {};
}

WriteReport BatchWriter::write(const std::vector<Fields>& rows, const std::vector<AirtableRecord>& current,
                               const ProgressCallback& progress) {
  WriteReport submitted;
  if (auto queued = submit(rows, current, &submitted); !queued) {
    submitted.stopped = queued.error();
    return submitted;
  }
  WriteReport report = flush(progress);
  report.submitted = submitted.submitted;
  report.unchanged = submitted.unchanged;
  report.rejected.insert(report.rejected.begin(), submitted.rejected.begin(), submitted.rejected.end());
  return report;
}

}  // namespace airreg
