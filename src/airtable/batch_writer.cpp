#include "airreg/batch_writer.hpp"

#include <spdlog/sinks/null_sink.h>

#include <map>
#include <span>

#include "airtable/row_diff.hpp"
#include "core/backoff.hpp"
#include "core/durable_file.hpp"

namespace airreg {

namespace {

// One flush per base in this process; FileLock keeps other processes out.
std::mutex& flush_mutex(const std::string& base_id) {
  static std::mutex guard;
  static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
  std::lock_guard lock(guard);
  auto& m = mutexes[base_id];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

// A row to send: the outbox entries of one key, merged in the order they were queued.
struct PendingRow {
  OutboxEntry entry;             // the merged row (id of the first entry)
  std::vector<std::string> ids;  // every entry it stands for
};

// Groups the waiting entries by table and key, keeping the order of first appearance.
std::vector<std::vector<PendingRow>> group_by_table(std::vector<OutboxEntry>& entries) {
  std::vector<std::vector<PendingRow>> groups;
  std::map<std::string, size_t> group_of;                    // table + merge_on -> group
  std::map<std::pair<size_t, std::string>, size_t> row_of;  // group, key -> row
  for (auto& e : entries) {
    std::string table_key = e.table;
    for (const auto& m : e.merge_on) table_key += '\x1f' + m;
    auto [g, new_group] = group_of.emplace(table_key, groups.size());
    if (new_group) groups.emplace_back();
    auto& rows = groups[g->second];
    auto [r, new_row] = row_of.emplace(std::make_pair(g->second, airtable::row_key(e.fields, e.merge_on)), rows.size());
    if (new_row) {
      std::string id = e.id;
      rows.push_back(PendingRow{std::move(e), {std::move(id)}});
    } else {
      for (auto& [name, value] : e.fields) rows[r->second].entry.fields[name] = std::move(value);
      rows[r->second].ids.push_back(e.id);
    }
  }
  return groups;
}

bool is_refusal_of_rows(const Error& e) { return e.code == ErrorCode::invalid_request; }

}  // namespace

// The state of one flush: its report, its deadline, and the retry loop around each request.
class BatchWriter::Flush {
 public:
  Flush(BatchWriter& writer, const ProgressCallback& progress, std::optional<Clock::TimePoint> deadline)
      : w_(writer), progress_(progress), deadline_(deadline) {}

  WriteReport run() {
    std::lock_guard in_process(flush_mutex(w_.client_.config().base_id));
    auto across_processes = core::FileLock::acquire(w_.outbox_->dir() / ("flush-" + w_.client_.config().base_id + ".lock"));
    if (!across_processes) return stop(across_processes.error()), finish();
    // Rows submitted while we write are picked up by another pass; rows that failed are not
    // tried twice in one flush.
    while (!report_.stopped) {
      auto waiting = w_.outbox_->waiting(w_.client_.config().base_id);
      if (!waiting) return stop(waiting.error()), finish();
      std::erase_if(*waiting, [&](const OutboxEntry& e) { return !tried_.insert(e.id).second; });
      if (waiting->empty()) break;
      for (auto& group : group_by_table(*waiting)) {
        progress_state_.rows_total += group.size();
        for (size_t i = 0; i < group.size() && !report_.stopped; i += w_.options_.batch_size) {
          size_t n = std::min(w_.options_.batch_size, group.size() - i);
          write_rows(std::span(group).subspan(i, n));
        }
        if (report_.stopped) break;
      }
    }
    return finish();
  }

 private:
  WriteReport finish() {
    if (auto compacted = w_.outbox_->compact(); !compacted && !report_.stopped) report_.stopped = compacted.error();
    if (auto status = w_.outbox_->status(w_.client_.config().base_id)) report_.waiting = status->waiting;
    report_.requests = progress_state_.requests;
    report_.retries = progress_state_.retries;
    report_.rate_limited = progress_state_.rate_limited;
    return std::move(report_);
  }

  void stop(const Error& e) {
    if (!report_.stopped) report_.stopped = e;
  }

  void tell() {
    if (progress_) progress_(progress_state_);
  }

  bool out_of_time() const { return w_.cancelled_ || (deadline_ && w_.clock_.now() >= *deadline_); }

  // Sends the rows, split in halves while Airtable refuses some of them.
  void write_rows(std::span<PendingRow> rows) {
    auto sent = send(rows);
    if (sent) return landed(rows, *sent);
    if (!is_refusal_of_rows(sent.error())) return stop(sent.error());
    if (rows.size() == 1) return refused(rows.front(), sent.error());
    size_t half = rows.size() / 2;
    write_rows(rows.subspan(0, half));
    if (!report_.stopped) write_rows(rows.subspan(half));
  }

  Result<UpsertResult> send(std::span<PendingRow> rows) {
    std::vector<Fields> fields;
    for (const auto& r : rows) fields.push_back(r.entry.fields);
    const OutboxEntry& first = rows.front().entry;
    int failures = 0, limited = 0;
    for (;;) {
      if (out_of_time()) return std::unexpected(make_error(ErrorCode::cancelled, "stopped before Airtable had every row; the rest waits in the outbox"));
      ++progress_state_.requests;
      auto result = w_.client_.upsert(first.table, fields, first.merge_on, w_.options_.typecast);
      if (result) return result;
      const Error& e = result.error();
      if (e.code == ErrorCode::rate_limited) {
        // The client already paused the base's limiter; the next request waits for it.
        ++progress_state_.rate_limited;
        if (++limited > w_.options_.max_rate_limited) return result;
      } else if (e.retryable) {
        if (++failures >= w_.options_.max_attempts) return result;
        auto delay = core::backoff_delay(failures, w_.options_.backoff_base, w_.options_.backoff_cap, w_.clock_.uniform());
        Clock::TimePoint until = w_.clock_.now() + delay;
        w_.clock_.sleep_until(deadline_ ? std::min(until, *deadline_) : until);
      } else {
        return result;
      }
      ++progress_state_.retries;
      w_.logger_->debug("retrying {} row(s) of {} after: {}", rows.size(), first.table, e.describe());
      tell();
    }
  }

  void landed(std::span<PendingRow> rows, const UpsertResult& result) {
    std::vector<std::string> ids;
    for (const auto& r : rows) ids.insert(ids.end(), r.ids.begin(), r.ids.end());
    if (auto marked = w_.outbox_->mark_done(ids); !marked) return stop(marked.error());
    report_.written += rows.size();
    report_.created += result.created.size();
    report_.updated += result.updated.size();
    {
      std::lock_guard lock(w_.submitted_mutex_);
      for (const auto& r : rows) {
        bool ours = false;
        for (const auto& id : r.ids) ours |= w_.submitted_ids_.erase(id) > 0;
        if (!ours) ++report_.replayed;
      }
    }
    progress_state_.rows_done += rows.size();
    tell();
  }

  void refused(const PendingRow& row, const Error& e) {
    std::string key = airtable::row_label(row.entry.fields, row.entry.merge_on);
    w_.logger_->warn("Airtable refused the row {} of {}: {}", key, row.entry.table, e.describe());
    report_.rejected.push_back(RejectedRow{key, row.entry.table, e.describe()});
    if (auto moved = w_.outbox_->reject({{row.entry, e.describe()}}); !moved) return stop(moved.error());
    if (auto marked = w_.outbox_->mark_done(row.ids); !marked) return stop(marked.error());
    {
      std::lock_guard lock(w_.submitted_mutex_);
      for (const auto& id : row.ids) w_.submitted_ids_.erase(id);
    }
    ++progress_state_.rows_done;
    tell();
  }

  BatchWriter& w_;
  const ProgressCallback& progress_;
  std::optional<Clock::TimePoint> deadline_;
  WriteReport report_;
  WriteProgress progress_state_;
  std::unordered_set<std::string> tried_;
};

BatchWriter::BatchWriter(AirtableClient client, std::shared_ptr<Outbox> outbox, BatchWriterOptions options,
                         Clock clock, std::shared_ptr<spdlog::logger> logger)
    : client_(std::move(client)),
      outbox_(std::move(outbox)),
      options_(std::move(options)),
      clock_(std::move(clock)),
      logger_(logger ? std::move(logger) : std::make_shared<spdlog::logger>("airreg", std::make_shared<spdlog::sinks::null_sink_mt>())) {
  options_.batch_size = std::clamp<size_t>(options_.batch_size, 1, 10);
  options_.max_attempts = std::max(1, options_.max_attempts);
}

Result<size_t> BatchWriter::submit(const std::vector<Fields>& rows, const std::vector<AirtableRecord>& current,
                                   WriteReport* report) {
  if (options_.merge_on.empty())
    return std::unexpected(make_error(ErrorCode::invalid_argument, "the batch writer needs the fields to merge on"));
  airtable::RowDiff diff = airtable::diff_rows(rows, current, options_.merge_on);
  if (report) {
    report->submitted += rows.size();
    report->unchanged += diff.unchanged;
    for (const auto& row : diff.invalid) {
      std::string missing;
      for (const auto& m : options_.merge_on) missing += (missing.empty() ? "" : ", ") + m;
      report->rejected.push_back(RejectedRow{airtable::row_label(row, options_.merge_on), options_.table,
                                             "a row needs every field it is merged on (" + missing + ")"});
    }
  }
  std::vector<OutboxEntry> entries;
  entries.reserve(diff.changed.size());
  for (auto& fields : diff.changed)
    entries.push_back(OutboxEntry{{}, client_.config().base_id, options_.table, options_.merge_on, std::move(fields), {}});
  if (auto appended = outbox_->append(entries); !appended) return std::unexpected(appended.error());
  std::lock_guard lock(submitted_mutex_);
  for (const auto& e : entries) submitted_ids_.insert(e.id);
  return entries.size();
}

WriteReport BatchWriter::flush(const ProgressCallback& progress, std::optional<Clock::TimePoint> deadline) {
  return Flush(*this, progress, deadline).run();
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
