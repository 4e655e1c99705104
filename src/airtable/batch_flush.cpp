// BatchWriter::flush: one flush of a base's outbox (see batch_writer.hpp), in pages of rows,
// with the compare-and-set reads before a replay, the retries, and the isolation of refused
// rows. submit() and friends are in batch_writer.cpp.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <span>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "airreg/batch_writer.hpp"
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
      auto pages = plan_pages(base);
      if (!pages) return finish_stopped(pages.error());
      if (pages->empty()) break;
      for (const auto& ids : *pages) {
        write_page(ids);
        if (report_.stopped) break;
      }
    }
    return finish();
  }

 private:
  // The waiting entries not tried yet in this flush, by id, in pages of at most
  // flush_page_rows rows (in the queue order of each row's first entry), every entry of a row
  // in its row's page: the newest entry of a row must meet the older ones it replaces (see
  // pending_rows.hpp). Only the key cells are decoded here, so a flush holds one page of cells
  // at a time however long the outbox is (10,000 rows took 26 MB whole).
  Result<std::vector<std::vector<std::string>>> plan_pages(const std::string& base) {
    std::vector<std::vector<std::string>> pages;
    std::unordered_map<std::string, size_t> page_of;  // row -> its page
    size_t rows_in_last = 0;
    auto read = w_.outbox_->each_waiting(base, OutboxCells::keys, [&](OutboxEntry& e) {
      if (tried_.count(e.id)) return;
      auto [row, first] = page_of.try_emplace(airtable::pending_row_id(e), pages.size());
      if (first) {
        if (!pages.empty() && rows_in_last < w_.options_.flush_page_rows) {
          row->second = pages.size() - 1;
        } else {
          pages.emplace_back();
          rows_in_last = 0;
        }
        ++rows_in_last;
      }
      pages[row->second].push_back(std::move(e.id));
    });
    if (!read) return std::unexpected(read.error());
    progress_state_.rows_total += page_of.size();  // the whole pass, not one page at a time
    return pages;
  }

  void write_page(const std::vector<std::string>& ids) {
    tried_.insert(ids.begin(), ids.end());
    auto waiting = w_.outbox_->entries(ids);
    if (!waiting) return stop(waiting.error());
    std::unordered_set<std::string> fresh;
    {
      std::lock_guard lock(w_.submitted_mutex_);
      auto now = w_.clock_.now();
      for (const auto& e : *waiting)
        if (auto queued = w_.submitted_.find(e.id); queued != w_.submitted_.end() && queued->second) {
          if (still_as_read(e, *queued->second, now)) fresh.insert(e.id);
          queued->second.reset();  // tried: a later try reads the row again
        }
    }
    for (auto& group : airtable::group_entries(std::move(*waiting), fresh)) {
      write_group(group);
      if (report_.stopped) return;
    }
  }

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
        if (settle(row)) ++progress_state_.rows_done;  // nothing left to write: done too
        tell();
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
    for (const auto& id : row.ids) w_.submitted_.erase(id);
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
      if (r->entry.record_id.empty()) report_.upserted[r->entry.table].insert(r->entry.label.substr(0, r->entry.label.find('/')));
    report_.created += result.created.size();
    report_.updated += result.updated.size();
    {
      std::lock_guard lock(w_.submitted_mutex_);
      for (const auto* r : rows) {
        bool ours = false;
        for (const auto& id : r->ids) ours |= w_.submitted_.erase(id) > 0;
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
    auto entries = w_.outbox_->entries(row.ids);
    if (!entries) return stop(entries.error());
    std::vector<std::pair<OutboxEntry, std::string>> moved;
    for (auto& queued : *entries) moved.emplace_back(std::move(queued), e.describe());
    if (auto kept = w_.outbox_->reject(moved); !kept) return stop(kept.error());
    {
      std::lock_guard lock(w_.submitted_mutex_);
      for (const auto& id : row.ids) w_.submitted_.erase(id);
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

WriteReport BatchWriter::flush(const ProgressCallback& progress, std::optional<Clock::TimePoint> deadline) {
  return Flush(*this, progress, deadline).run();
}

}  // namespace airreg
