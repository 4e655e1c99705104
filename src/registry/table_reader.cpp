#include "registry/table_reader.hpp"

#include <algorithm>

#include "airreg/formula.hpp"
#include "core/time_text.hpp"

namespace airreg::registry {

namespace {

std::optional<std::string> text_cell(const AirtableRecord& r, const std::string& cell) {
  auto it = r.fields.find(cell);
  if (it == r.fields.end()) return std::nullopt;
  const auto* s = std::get_if<std::string>(&it->second);
  return s ? std::optional<std::string>(*s) : std::nullopt;
}

}  // namespace

Result<HistoryRead> read_history(const AirtableClient& client, const Columns& history, SystemTime now,
                                 std::chrono::hours look_back, size_t* requests) {
  ListQuery query;
  query.fields = {history.cell("provider"), history.cell("category"), history.cell("outcome"), history.cell("finished")};
  query.sort = {{history.cell("finished"), true}};
  query.max_records = 100;
  query.return_fields_by_field_id = history.by_id();
  auto runs = client.list(history.table(), query, requests);
  if (!runs) return std::unexpected(runs.error());
  HistoryRead out;
  for (const auto& run : *runs) {
    auto provider = text_cell(run, history.cell("provider"));
    auto finished_text = text_cell(run, history.cell("finished"));
    auto outcome = parse_outcome(text_cell(run, history.cell("outcome")).value_or(""));
    auto category = text_cell(run, history.cell("category")).value_or("text") == "tts" ? ModelCategory::tts : ModelCategory::text;
    if (!provider || !finished_text || !outcome) continue;  // a row a person typed into, say
    auto finished = core::parse_utc(*finished_text);
    if (!finished) continue;
    bool listed = *outcome == SyncOutcome::success || *outcome == SyncOutcome::partial;
    if (listed && now - *finished < look_back) {
      auto [at, fresh] = out.last_listed.emplace(*provider, *finished);
      if (!fresh && *finished > at->second) at->second = *finished;
    }
    auto same = std::find_if(out.last_runs.begin(), out.last_runs.end(),
                             [&](const LastSync& l) { return l.provider == *provider && l.category == category; });
    if (same == out.last_runs.end()) {
      out.last_runs.push_back(LastSync{*provider, category, *outcome, *finished});
    } else if (*finished > same->finished) {
      *same = LastSync{*provider, category, *outcome, *finished};
    }
  }
  return out;
}

namespace {

std::string modified_after(SystemTime since) {
  return "IS_AFTER(LAST_MODIFIED_TIME(),DATETIME_PARSE(" + formula::quote(core::format_utc(since)) + "))";
}

}  // namespace

Result<bool> changed_since(const AirtableClient& client, const Columns& registry, SystemTime since, size_t* requests) {
  ListQuery query;
  query.filter_by_formula = modified_after(since);
  query.fields = {registry.cell("provider_id")};
  query.page_size = 1;
  query.max_records = 1;
  query.return_fields_by_field_id = registry.by_id();
  auto found = client.list(registry.table(), query, requests);
  if (!found) return std::unexpected(found.error());
  return !found->empty();
}

Result<std::vector<AirtableRecord>> read_changed(const AirtableClient& client, const Columns& registry, SystemTime since,
                                                 size_t* requests) {
  ListQuery query;
  query.filter_by_formula = modified_after(since);
  query.fields = registry.cells();
  query.return_fields_by_field_id = registry.by_id();
  return client.list(registry.table(), query, requests);
}

Result<TableSnapshot> read_table(const AirtableClient& client, const Columns& registry, const Columns& history,
                                 SystemTime now, const ReadOptions& options, size_t* requests) {
  ListQuery query;
  query.fields = registry.cells();
  query.return_fields_by_field_id = registry.by_id();
  TableSnapshot snapshot;
  // Packed a page at a time: the table is never held as maps of cells (21 MB for 10,000 rows,
  // whose holes the heap could not give back to the larger buffers after them).
  auto listed_rows = client.list_pages(
      registry.table(), query,
      [&](std::vector<AirtableRecord>&& page, bool first) {
        if (first) snapshot.records = RecordStore();
        for (const auto& r : page) snapshot.records.add(r);
      },
      requests);
  if (!listed_rows) return std::unexpected(listed_rows.error());
  snapshot.read_at = now;
  snapshot.full_read_at = now;
  snapshot.history_read_at = now;
  snapshot.parse_records(registry);
  auto listed = read_history(client, history, now, options.look_back, requests);
  if (listed) {
    snapshot.last_listed = std::move(listed->last_listed);
    snapshot.last_runs = std::move(listed->last_runs);
  } else if (listed.error().retryable || listed.error().code == ErrorCode::rate_limited) {
    // Passing trouble (a 429, a 5xx): the read as a whole is tried again, rather than taking
    // every provider for stale and asking them all.
    return std::unexpected(listed.error());
  } else {
    // The rows are still right; only their freshness is unknown (every provider looks stale).
    snapshot.warnings.push_back("\"" + history.table_name() + "\" could not be read (" + listed.error().describe() +
                                "): every provider's listing counts as old");
  }
  return snapshot;
}

}  // namespace airreg::registry
