#include "airreg/batch_writer.hpp"

#include <spdlog/sinks/null_sink.h>

#include <map>
#include <span>
#include <thread>

#include "airreg/formula.hpp"
#include "airtable/pending_rows.hpp"
#include "airtable/row_diff.hpp"
#include "airtable/write_refusals.hpp"
#include "core/backoff.hpp"
#include "core/durable_file.hpp"

namespace airreg {

namespace {

using airtable::PendingGroup;
using airtable::PendingRow;
using airtable::Refusal;

// An entry queued as read just now (the registry's merge read the table under 10 s before)
// skips its re-read only within a minute of being queued.
constexpr std::chrono::seconds kReadBeforeQueued{10};
constexpr std::chrono::seconds kAsReadFor{60};

// One flush per base in this process; FileLock keeps other processes out. A plain mutex
// polled with try_lock: GCC 12's timed_mutex waits through pthread_mutex_clocklock, which
// ThreadSanitizer does not see, so it reported every unlock as wrong.
std::mutex& flush_mutex(const std::string& base_id) {
  static std::mutex guard;
  static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
  std::lock_guard lock(guard);
  auto& m = mutexes[base_id];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

bool looks_like_field_id(const std::string& s) { return s.size() == 17 && s.rfind("fld", 0) == 0; }

// OR(AND({a}='x',{b}='y'), ...): the records of these keys.
std::string keys_formula(std::span<const PendingRow> rows, const std::vector<std::string>& merge_on) {
  std::string any = "OR(";
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string all = "AND(";
    for (size_t k = 0; k < merge_on.size(); ++k) {
      auto cell = rows[i].entry.fields.find(merge_on[k]);
      std::string value = cell != rows[i].entry.fields.end() && std::holds_alternative<std::string>(cell->second)
                              ? std::get<std::string>(cell->second)
                              : std::string();
      all += (k ? "," : "") + formula::equals(merge_on[k], value);
    }
    any += (i ? "," : "") + all + ")";
  }
  return any + ")";
}

}  // namespace

// The state of one flush: its report, its deadline, and the retry loop around each request.
class BatchWriter::Flush {
 public:
  Flush(BatchWriter& writer, const ProgressCallback& progress, std::optional<Clock::TimePoint> deadline)
      : w_(writer), progress_(progress), deadline_(deadline) {}

  WriteReport run() {
    const std::string& base = w_.client_.config().base_id;
    std::unique_lock in_process(flush_mutex(base), std::defer_lock);
    while (!in_process.try_lock()) {
      if (out_of_time()) return finish_stopped(cancelled());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto across_processes =
        core::FileLock::acquire_within(w_.outbox_->dir() / ("flush-" + base + ".lock"), lock_wait(), w_.stop_.get_token());
    if (!across_processes) return finish_stopped(across_processes.error());
    // Rows submitted while we write are picked up by another pass; rows that failed are not
    // tried twice in one flush.
    while (!report_.stopped) {
      auto waiting = w_.outbox_->waiting(base);
      if (!waiting) return finish_stopped(waiting.error());
      std::erase_if(*waiting, [&](const OutboxEntry& e) { return !tried_.insert(e.id).second; });
      if (waiting->empty()) break;
      std::unordered_set<std::string> fresh;
      {
        std::lock_guard lock(w_.submitted_mutex_);
        auto now = w_.clock_.now();
        for (const auto& e : *waiting)
          if (auto queued = w_.fresh_ids_.find(e.id); queued != w_.fresh_ids_.end()) {
            if (still_as_read(e, queued->second, now)) fresh.insert(e.id);
            w_.fresh_ids_.erase(queued);
          }
      }
      for (auto& group : airtable::group_entries(std::move(*waiting), fresh)) {
        progress_state_.rows_total += group.rows.size();
        write_group(group);
        if (report_.stopped) break;
      }
    }
    return finish();
  }

 private:
  std::chrono::milliseconds lock_wait() const {
    if (!deadline_) return w_.options_.lock_timeout;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - w_.clock_.now());
    return std::clamp(left, std::chrono::milliseconds(0), w_.options_.lock_timeout);
  }

  static Error cancelled() {
    return make_error(ErrorCode::cancelled, "stopped before Airtable had every row; the rest waits in the outbox");
  }

  WriteReport finish() {
    if (auto status = w_.outbox_->status(w_.client_.config().base_id)) report_.waiting = status->waiting;
    report_.requests = progress_state_.requests;
    report_.retries = progress_state_.retries;
    report_.rate_limited = progress_state_.rate_limited;
    return std::move(report_);
  }

  void stop(const Error& e) {
    if (!report_.stopped) report_.stopped = e;
  }

  WriteReport finish_stopped(const Error& e) {
    stop(e);
    return finish();
  }

  void tell() {
    if (progress_) progress_(progress_state_);
  }

  bool out_of_time() const { return w_.stop_.stop_requested() || (deadline_ && w_.clock_.now() >= *deadline_); }

  std::string name_of(const std::string& field) const {
    auto it = w_.options_.field_names.find(field);
    return it == w_.options_.field_names.end() ? field : it->second;
  }

  void write_group(PendingGroup& group) {
    // Rows that waited are read again first: a person may have changed their cells meanwhile.
    if (!group.merge_on.empty() && !check_current(group)) return;
    std::vector<PendingRow*> to_send;
    for (auto& row : group.rows) {
      if (row.settled || row.entry.fields.empty()) {
        settle(row);  // nothing left to write
        continue;
      }
      to_send.push_back(&row);
    }
    for (size_t i = 0; i < to_send.size() && !report_.stopped; i += w_.options_.batch_size) {
      size_t n = std::min(w_.options_.batch_size, to_send.size() - i);
      write_rows(group, std::span(to_send).subspan(i, n));
    }
  }

  // Compare-and-set for the rows that waited: reads their records by key, in pages of 100 keys.
  bool check_current(PendingGroup& group) {
    std::vector<PendingRow*> stale;
    for (auto& row : group.rows)
      if (!row.fresh && !row.entry.expect.empty()) stale.push_back(&row);
    if (stale.empty()) return true;
    bool by_id = std::all_of(group.merge_on.begin(), group.merge_on.end(), looks_like_field_id);
    for (size_t i = 0; i < stale.size(); i += 100) {
      size_t n = std::min<size_t>(100, stale.size() - i);
      std::vector<PendingRow> keys;
      for (size_t k = 0; k < n; ++k) keys.push_back(PendingRow{stale[i + k]->entry, {}, false});
      ListQuery query;
      query.filter_by_formula = keys_formula(keys, group.merge_on);
      query.return_fields_by_field_id = by_id;
      auto records = read_with_retries(group.table, query);
      if (!records) {
        stop(records.error());
        return false;
      }
      std::unordered_map<std::string, const Fields*> held;
      for (const auto& r : *records) held.emplace(airtable::row_key(r.fields, group.merge_on), &r.fields);
      for (size_t k = 0; k < n; ++k) {
        OutboxEntry& entry = stale[i + k]->entry;
        auto found = held.find(airtable::row_key(entry.fields, group.merge_on));
        auto outcome = airtable::apply_compare_and_set(entry, found == held.end() ? nullptr : found->second);
        if (!outcome.guarded_dropped) continue;
        // Only the key is left of a row that exists: nothing to write (a new row is still created).
        stale[i + k]->settled = outcome.nothing_left && found != held.end();
        ++report_.conflicts;
        for (const auto& field : outcome.changed)
          report_.dropped_cells.push_back(DroppedCell{label(*stale[i + k]), name_of(field), "a person changed it since the merge"});
        w_.logger_->info("{}: a person changed {} since the merge; its people's cells are left out", label(*stale[i + k]),
                         name_of(outcome.changed.front()));
      }
    }
    return true;
  }

  Result<std::vector<AirtableRecord>> read_with_retries(const std::string& table, const ListQuery& query) {
    int failures = 0, limited = 0;
    for (;;) {
      if (out_of_time()) return std::unexpected(cancelled());
      size_t pages = 0;
      auto records = w_.client_.list(table, query, &pages);
      progress_state_.requests += pages;
      if (records) return records;
      if (!wait_before_retry(records.error(), failures, limited)) return records;
    }
  }

  // After a failed request: whether to try again (having waited as its error asks).
  bool wait_before_retry(const Error& e, int& failures, int& limited) {
    if (e.code == ErrorCode::rate_limited) {
      // The client already paused the base's limiter; the next request waits for it.
      ++progress_state_.rate_limited;
      if (++limited > w_.options_.max_rate_limited) return false;
    } else if (e.retryable) {
      if (++failures >= w_.options_.max_attempts) return false;
      auto delay = core::backoff_delay(failures, w_.options_.backoff_base, w_.options_.backoff_cap, w_.clock_.uniform());
      Clock::TimePoint until = w_.clock_.now() + delay;
      w_.clock_.sleep_until(deadline_ ? std::min(until, *deadline_) : until);
    } else {
      return false;
    }
    ++progress_state_.retries;
    w_.logger_->debug("retrying after: {}", e.describe());
    tell();
    return true;
  }

  std::string label(const PendingRow& row) const {
    if (!row.entry.label.empty()) return row.entry.label;
    if (!row.entry.record_id.empty()) return row.entry.record_id;
    return airtable::row_label(row.entry.fields, row.entry.merge_on);
  }

  // Sends the rows; on a refusal, isolates its cause by the error's type.
  void write_rows(const PendingGroup& group, std::span<PendingRow*> rows) {
    auto sent = send(group, rows);
    if (sent) return landed(rows, *sent);
    const Error& e = sent.error();
    switch (airtable::classify_refusal(e)) {
      case Refusal::none:
        return stop(e);
      case Refusal::schema: {
        Error schema = e;
        schema.message = airtable::schema_advice(e);
        w_.logger_->error("{}", schema.describe());
        return stop(schema);
      }
      case Refusal::gone:
        if (rows.size() == 1) return gone(*rows.front());
        break;
      case Refusal::cell:
        if (rows.size() == 1) return without_refused_cell(group, *rows.front(), e);
        break;
      case Refusal::row:
        if (rows.size() == 1) return refused(*rows.front(), e);
        break;
    }
    size_t half = rows.size() / 2;
    write_rows(group, rows.subspan(0, half));
    if (!report_.stopped) write_rows(group, rows.subspan(half));
  }

  // One row refused for one cell: send it again without that cell; if Airtable still refuses
  // it, or the cell cannot be told, the row is kept aside.
  void without_refused_cell(const PendingGroup& group, PendingRow& row, const Error& e) {
    auto cell = airtable::refused_cell(e, row.entry.fields, [&](const std::string& f) { return name_of(f); });
    bool key_cell = cell && std::find(group.merge_on.begin(), group.merge_on.end(), *cell) != group.merge_on.end();
    if (!cell || key_cell) return refused(row, e);
    row.entry.fields.erase(*cell);
    row.entry.expect.erase(*cell);
    report_.dropped_cells.push_back(DroppedCell{label(row), name_of(*cell), e.describe()});
    w_.logger_->warn("Airtable refused {} of {}: {}; the row is written without it", name_of(*cell), label(row), e.describe());
    if (auto kept = w_.outbox_->rewrite(row.entry); !kept) return stop(kept.error());
    PendingRow* one[] = {&row};
    auto sent = send(group, one);
    if (sent) return landed(one, *sent);
    if (airtable::classify_refusal(sent.error()) == Refusal::none) return stop(sent.error());
    if (airtable::classify_refusal(sent.error()) == Refusal::cell) return without_refused_cell(group, row, sent.error());
    refused(row, sent.error());
  }

  Result<UpsertResult> send(const PendingGroup& group, std::span<PendingRow*> rows) {
    int failures = 0, limited = 0;
    for (;;) {
      if (out_of_time()) return std::unexpected(cancelled());
      ++progress_state_.requests;
      auto result = group.merge_on.empty() ? update(group, rows) : upsert(group, rows);
      if (result) return result;
      if (!wait_before_retry(result.error(), failures, limited)) return result;
    }
  }

  Result<UpsertResult> upsert(const PendingGroup& group, std::span<PendingRow*> rows) {
    std::vector<Fields> fields;
    for (const auto* r : rows) fields.push_back(r->entry.fields);
    return w_.client_.upsert(group.table, fields, group.merge_on, w_.options_.typecast);
  }

  Result<UpsertResult> update(const PendingGroup& group, std::span<PendingRow*> rows) {
    std::vector<AirtableRecord> records;
    for (const auto* r : rows) records.push_back(AirtableRecord{r->entry.record_id, "", r->entry.fields});
    auto updated = w_.client_.update(group.table, records, false, w_.options_.typecast);
    if (!updated) return std::unexpected(updated.error());
    UpsertResult out;
    for (auto& r : *updated) out.updated.push_back(r.id);
    return out;
  }

  // The rows' entries leave the outbox (landed, or nothing left to write).
  bool settle(const PendingRow& row) {
    if (auto marked = w_.outbox_->mark_done(row.ids); !marked) {
      stop(marked.error());
      return false;
    }
    std::lock_guard lock(w_.submitted_mutex_);
    for (const auto& id : row.ids) w_.submitted_ids_.erase(id);
    return true;
  }

  // The record an entry writes: its table and key (or record id).
  static std::string written_key(const OutboxEntry& e) {
    return e.table + '\n' + (e.record_id.empty() ? airtable::row_key(e.fields, e.merge_on) : e.record_id);
  }

  // Whether an entry queued as read just now (at `queued`) may skip its re-read: not when it
  // waited long, nor when a flush wrote its record after its merge may have read the table (an
  // older entry of the same row, in this flush or the last): the table no longer holds what
  // its merge saw, and its Metadata would claim cells it never wrote. Under submitted_mutex_.
  bool still_as_read(const OutboxEntry& e, Clock::TimePoint queued, Clock::TimePoint now) const {
    if (now - queued > kAsReadFor) return false;
    auto landed = w_.landed_at_.find(written_key(e));
    return landed == w_.landed_at_.end() || landed->second < queued - kReadBeforeQueued;
  }

  void landed(std::span<PendingRow*> rows, const UpsertResult& result) {
    {
      std::lock_guard lock(w_.submitted_mutex_);
      auto now = w_.clock_.now();
      for (const auto* r : rows) w_.landed_at_[written_key(r->entry)] = now;
      // Kept while an entry queued before it could still count as read.
      std::erase_if(w_.landed_at_, [&](const auto& l) { return now - l.second > kAsReadFor + kReadBeforeQueued; });
    }
    std::vector<std::string> ids;
    for (const auto* r : rows) ids.insert(ids.end(), r->ids.begin(), r->ids.end());
    if (auto marked = w_.outbox_->mark_done(ids); !marked) return stop(marked.error());
    report_.written += rows.size();
    for (const auto* r : rows)
      report_.written_rows.push_back(WrittenRow{r->entry.table, r->entry.label, !r->entry.record_id.empty()});
    report_.created += result.created.size();
    report_.updated += result.updated.size();
    {
      std::lock_guard lock(w_.submitted_mutex_);
      for (const auto* r : rows) {
        bool ours = false;
        for (const auto& id : r->ids) ours |= w_.submitted_ids_.erase(id) > 0;
        if (!ours) ++report_.replayed;
      }
    }
    progress_state_.rows_done += rows.size();
    tell();
  }

  void gone(const PendingRow& row) {
    w_.logger_->info("{}: the record no longer exists; its update is dropped", label(row));
    ++report_.gone;
    if (settle(row)) ++progress_state_.rows_done;
    tell();
  }

  void refused(const PendingRow& row, const Error& e) {
    std::string key = label(row);
    w_.logger_->warn("Airtable refused the row {} of {}: {}", key, row.entry.table, e.describe());
    report_.rejected.push_back(RejectedRow{key, row.entry.table, e.describe()});
    // The entries move aside whole (each as queued), so that a re-queue replays them as they were.
    auto waiting = w_.outbox_->waiting(w_.client_.config().base_id);
    if (!waiting) return stop(waiting.error());
    std::vector<std::pair<OutboxEntry, std::string>> moved;
    for (auto& e2 : *waiting)
      if (std::find(row.ids.begin(), row.ids.end(), e2.id) != row.ids.end()) moved.emplace_back(std::move(e2), e.describe());
    if (auto kept = w_.outbox_->reject(moved); !kept) return stop(kept.error());
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
  client_.set_stop_token(stop_.get_token());
}

Result<size_t> BatchWriter::submit(const std::vector<Fields>& rows, const std::vector<AirtableRecord>& current,
                                   WriteReport* report, bool read_just_now) {
  if (options_.merge_on.empty())
    return std::unexpected(make_error(ErrorCode::invalid_argument, "the batch writer needs the fields to merge on"));
  airtable::RowDiff diff = airtable::diff_rows(rows, current, options_.merge_on);
  if (report) {
    report->submitted += rows.size();
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
  std::unordered_map<std::string, const Fields*> held;
  for (const auto& record : current) {
    std::string key = airtable::row_key(record.fields, options_.merge_on);
    if (!key.empty()) held.emplace(std::move(key), &record.fields);
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
  for (const auto& e : entries) {
    submitted_ids_.insert(e.id);
    if (read_just_now) fresh_ids_.emplace(e.id, clock_.now());
  }
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
