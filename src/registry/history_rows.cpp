#include "registry/history_rows.hpp"

#include <unistd.h>

#include <cstdio>

namespace airreg::registry {

namespace {

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

}  // namespace

std::string default_instance() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  return std::string(host) + ":" + std::to_string(::getpid());
}

Fields history_row(const ProviderSync& p, const airtable::Columns& h, const std::string& instance, size_t rate_limited) {
  auto n = [](size_t v) { return FieldValue(static_cast<double>(v)); };
  std::string category(to_string(p.category));
  Fields row{
      {h.cell("run_key"), instance + "/" + p.provider + "/" + category + "/" + p.started},
      {h.cell("started"), p.started},
      {h.cell("finished"), p.finished},
      {h.cell("provider"), p.provider},
      {h.cell("category"), category},
      {h.cell("outcome"), std::string(to_string(p.outcome))},
      {h.cell("discovered"), n(p.discovered)},
      {h.cell("new"), n(p.created)},
      {h.cell("updated"), n(p.updated)},
      {h.cell("missing"), n(p.missing)},
      {h.cell("requests"), n(p.requests)},
      {h.cell("rate_limited"), n(rate_limited)},
      {h.cell("errors"), joined(p.notes, "\n")},
      {h.cell("new_model_ids"), joined(p.new_model_ids, "\n")},
      {h.cell("instance"), instance},
  };
  // A base set up by an older airreg may lack the column; `airreg setup` adds it.
  if (h.present("unclassified")) row[h.cell("unclassified")] = joined(p.unclassified, "\n");
  return row;
}

BatchWriterOptions history_writer_options(const airtable::Columns& history) {
  BatchWriterOptions o;
  o.table = history.table();
  o.merge_on = history.merge_on();
  o.field_names = history.names_by_cell();
  return o;
}

BatchWriterOptions registry_writer_options(const airtable::Columns& registry) {
  BatchWriterOptions o;
  o.table = registry.table();
  o.merge_on = registry.merge_on();
  o.field_names = registry.names_by_cell();
  o.guarded_fields = registry.cells_owned_by("seeded");
  for (const auto& cell : registry.cells_owned_by("people")) o.guarded_fields.insert(cell);
  o.guarded_fields.insert(registry.cell("metadata"));
  return o;
}

}  // namespace airreg::registry
