// BatchWriter::flush: the passes over a base's outbox, in pages of rows, the sending and the
// landing (the class is in batch_flush.hpp, which names the other files of its work).
#include "airtable/batch_flush.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "airtable/row_diff.hpp"
#include "core/backoff.hpp"
#include "core/durable_file.hpp"

namespace airreg {

namespace {

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

// The record an entry writes: its table and key (or record id).
std::string written_key(const OutboxEntry& e) {
  return e.table + '\n' + (e.record_id.empty() ? airtable::row_key(e.fields, e.merge_on) : e.record_id);
}

}  // namespace

WriteReport BatchWriter::Flush::run() {
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

Result<std::vector<std::vector<std::string>>> BatchWriter::Flush::plan_pages(const std::string& base) {
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

void BatchWriter::Flush::write_page(const std::vector<std::string>& ids) {
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

void BatchWriter::Flush::write_group(PendingGroup& group) {
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

Result<UpsertResult> BatchWriter::Flush::send(const PendingGroup& group, std::span<PendingRow*> rows) {
  int failures = 0, limited = 0;
  for (;;) {
    if (out_of_time()) return std::unexpected(cancelled());
    ++progress_state_.requests;
    auto result = group.merge_on.empty() ? update(group, rows) : upsert(group, rows);
    if (result) return result;
    if (!wait_before_retry(result.error(), failures, limited)) return result;
  }
}

Result<UpsertResult> BatchWriter::Flush::upsert(const PendingGroup& group, std::span<PendingRow*> rows) {
  std::vector<Fields> fields;
  for (const auto* r : rows) fields.push_back(r->entry.fields);
  return w_.client_.upsert(group.table, fields, group.merge_on, w_.options_.typecast);
}

Result<UpsertResult> BatchWriter::Flush::update(const PendingGroup& group, std::span<PendingRow*> rows) {
  std::vector<AirtableRecord> records;
  for (const auto* r : rows) records.push_back(AirtableRecord{r->entry.record_id, "", r->entry.fields});
  auto updated = w_.client_.update(group.table, records, false, w_.options_.typecast);
  if (!updated) return std::unexpected(updated.error());
  UpsertResult out;
  for (auto& r : *updated) out.updated.push_back(r.id);
  return out;
}

bool BatchWriter::Flush::wait_before_retry(const Error& e, int& failures, int& limited) {
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

void BatchWriter::Flush::landed(std::span<PendingRow*> rows, const UpsertResult& result) {
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

bool BatchWriter::Flush::settle(const PendingRow& row) {
  if (auto marked = w_.outbox_->mark_done(row.ids); !marked) {
    stop(marked.error());
    return false;
  }
  std::lock_guard lock(w_.submitted_mutex_);
  for (const auto& id : row.ids) w_.submitted_.erase(id);
  return true;
}

bool BatchWriter::Flush::still_as_read(const OutboxEntry& e, Clock::TimePoint queued, Clock::TimePoint now) const {
  if (now - queued > kAsReadFor) return false;
  auto landed = w_.landed_at_.find(written_key(e));
  return landed == w_.landed_at_.end() || landed->second < queued - kReadBeforeQueued;
}

std::chrono::milliseconds BatchWriter::Flush::lock_wait() const {
  if (!deadline_) return w_.options_.lock_timeout;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - w_.clock_.now());
  return std::clamp(left, std::chrono::milliseconds(0), w_.options_.lock_timeout);
}

Error BatchWriter::Flush::cancelled() {
  return make_error(ErrorCode::cancelled, "stopped before Airtable had every row; the rest waits in the outbox");
}

WriteReport BatchWriter::Flush::finish() {
  if (auto status = w_.outbox_->status(w_.client_.config().base_id)) report_.waiting = status->waiting;
  report_.requests = progress_state_.requests;
  report_.retries = progress_state_.retries;
  report_.rate_limited = progress_state_.rate_limited;
  return std::move(report_);
}

void BatchWriter::Flush::stop(const Error& e) {
  if (!report_.stopped) report_.stopped = e;
}

WriteReport BatchWriter::Flush::finish_stopped(const Error& e) {
  stop(e);
  return finish();
}

void BatchWriter::Flush::tell() {
  if (progress_) progress_(progress_state_);
}

bool BatchWriter::Flush::out_of_time() const { return w_.stop_.stop_requested() || (deadline_ && w_.clock_.now() >= *deadline_); }

std::string BatchWriter::Flush::name_of(const std::string& field) const {
  auto it = w_.options_.field_names.find(field);
  return it == w_.options_.field_names.end() ? field : it->second;
}

std::string BatchWriter::Flush::label(const PendingRow& row) const {
  if (!row.entry.label.empty()) return row.entry.label;
  if (!row.entry.record_id.empty()) return row.entry.record_id;
  return airtable::row_label(row.entry.fields, row.entry.merge_on);
}

WriteReport BatchWriter::flush(const ProgressCallback& progress, std::optional<Clock::TimePoint> deadline) {
  return Flush(*this, progress, deadline).run();
}

}  // namespace airreg
