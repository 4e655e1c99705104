// BatchWriter::Flush, refusals: a batch Airtable refuses is halved until the refused row is
// alone; a row refused for one cell is sent again without it; a row still refused moves aside
// (the outbox's rejected entries), and a record that no longer exists drops its update.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "airtable/batch_flush.hpp"
#include "airtable/write_refusals.hpp"

namespace airreg {

using airtable::Refusal;

void BatchWriter::Flush::write_rows(const PendingGroup& group, std::span<PendingRow*> rows) {
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

void BatchWriter::Flush::without_refused_cell(const PendingGroup& group, PendingRow& row, const Error& e) {
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

void BatchWriter::Flush::gone(const PendingRow& row) {
  w_.logger_->info("{}: the record no longer exists; its update is dropped", label(row));
  ++report_.gone;
  if (settle(row)) ++progress_state_.rows_done;
  tell();
}

void BatchWriter::Flush::refused(const PendingRow& row, const Error& e) {
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

}  // namespace airreg
