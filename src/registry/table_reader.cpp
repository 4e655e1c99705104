#include "registry/table_reader.hpp"

#include "airreg/formula.hpp"
#include "core/time_text.hpp"

namespace airreg::registry {

Result<std::map<std::string, SystemTime>> read_last_listed(const AirtableClient& client, const Columns& history,
                                                           SystemTime now, std::chrono::hours look_back,
                                                           size_t* requests) {
  using formula::field;
  using formula::quote;
  ListQuery query;
  std::string since = core::format_utc(now - look_back);
  query.filter_by_formula = "AND(OR(" + formula::equals(history.cell("outcome"), "success") + "," +
                            formula::equals(history.cell("outcome"), "partial") + "),IS_AFTER(" +
                            field(history.cell("finished")) + ",DATETIME_PARSE(" + quote(since) + ")))";
  query.fields = {history.cell("provider"), history.cell("finished")};
  query.return_fields_by_field_id = history.by_id();
  auto runs = client.list(history.table(), query, requests);
  if (!runs) return std::unexpected(runs.error());
  std::map<std::string, SystemTime> out;
  for (const auto& run : *runs) {
    auto provider = run.fields.find(history.cell("provider"));
    auto finished = run.fields.find(history.cell("finished"));
    if (provider == run.fields.end() || finished == run.fields.end()) continue;
    const auto* name = std::get_if<std::string>(&provider->second);
    const auto* when_text = std::get_if<std::string>(&finished->second);
    if (!name || !when_text) continue;
    auto when = core::parse_utc(*when_text);
    if (!when) continue;
    auto [at, fresh] = out.emplace(*name, *when);
    if (!fresh && *when > at->second) at->second = *when;
  }
  return out;
}

Result<TableSnapshot> read_table(const AirtableClient& client, const Columns& registry, const Columns& history,
                                 SystemTime now, const ReadOptions& options, size_t* requests) {
  ListQuery query;
  query.fields = registry.cells();
  query.return_fields_by_field_id = registry.by_id();
  auto records = client.list(registry.table(), query, requests);
  if (!records) return std::unexpected(records.error());
  TableSnapshot snapshot;
  snapshot.read_at = now;
  snapshot.parsed = parse_rows(*records, registry);
  snapshot.records = std::move(*records);
  auto listed = read_last_listed(client, history, now, options.look_back, requests);
  if (listed) {
    snapshot.last_listed = std::move(*listed);
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
