#include "registry/merge.hpp"

#include <algorithm>
#include <unordered_map>

#include "airtable/row_diff.hpp"
#include "core/time_text.hpp"
#include "registry/row_codec.hpp"
#include "registry/seeded_cells.hpp"

namespace airreg::registry {

namespace {

using airtable::cells_equal;

// What the listing says of a seeded field; empty when it says nothing.
std::optional<FieldValue> discovered(const ModelInfo& m, ModelCategory category, std::string_view key,
                                     const std::vector<std::string>& feature_choices) {
  if (key == "model_name") return m.display_name.empty() ? std::nullopt : std::optional<FieldValue>(m.display_name);
  if (key == "category") return FieldValue(std::string(to_string(category)));
  if (key == "max_tokens" && m.context_window) return FieldValue(static_cast<double>(*m.context_window));
  if (key == "max_output_tokens" && m.max_output_tokens) return FieldValue(static_cast<double>(*m.max_output_tokens));
  if (key == "input_cost" && m.input_cost_per_1k) return FieldValue(*m.input_cost_per_1k);
  if (key == "output_cost" && m.output_cost_per_1k) return FieldValue(*m.output_cost_per_1k);
  if (key == "features" && !m.features.empty()) {
    std::vector<std::string> known;  // only the table's options: another would be refused
    for (const auto& f : m.features)
      if (std::find(feature_choices.begin(), feature_choices.end(), f) != feature_choices.end()) known.push_back(f);
    if (!known.empty()) return FieldValue(known);
  }
  return std::nullopt;
}

// Collects one row's changed cells by key; turns them into a write by cell (field id).
struct RowWrite {
  Fields cells;  // by key
  void set(std::string_view key, FieldValue v) { cells[std::string(key)] = std::move(v); }
  Fields by_cell(const RegistryRow& row, const airtable::Columns& columns) const {
    Fields out;
    for (const auto& [key, value] : cells) out[columns.cell(key)] = value;
    out[columns.cell("provider_id")] = row.provider_id;
    out[columns.cell("model_id")] = row.model_id;
    return out;
  }
};

// The three-way merge of the seeded fields; true when the metadata changed.
bool merge_seeded(RegistryRow& row, const ModelInfo& m, ModelCategory category, bool is_new, RowWrite& write,
                  const std::vector<std::string>& feature_choices, bool as_bits) {
  std::string before = write_metadata(row);
  for (std::string_view key : kSeededFields) {
    if (row.book.people().count(std::string(key))) continue;
    FieldValue cell = is_new ? FieldValue{} : seeded_cell(row, key);  // a new row has no cells yet
    auto last = last_seeded(row, key);
    bool person_changed = last ? !cells_equal(cell, *last) : !is_new && !cells_equal(cell, FieldValue{}) && key != "category";
    if (person_changed) {
      row.book.edit_people().emplace(key);  // theirs from now on
      continue;
    }
    auto value = discovered(m, category, key, feature_choices);
    if (!value) continue;
    if (!cells_equal(cell, *value)) {
      write.set(key, *value);
      set_seeded_cell(row, key, *value);
    }
    remember_seeded(row, key, *value, as_bits);
  }
  return write_metadata(row) != before;
}

// Rows a listing of this category speaks for (it may mark them missing).
size_t trusted_count(const std::vector<RegistryRow>& rows, ModelCategory category) {
  return static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [&](const RegistryRow& r) {
    return r.available && r.discovery_method != "manual" && listed_category(r) == category;
  }));
}

// A select value the base's column offers; else nothing is written and a person is told.
bool offered(const airtable::Columns& columns, const char* key, const std::string& value, MergeResult& result) {
  const auto& choices = columns.choices(key);
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return true;
  std::string warning = "the column \"" + columns.name(key) + "\" has no option \"" + value +
                        "\": airreg leaves it unset; add the option (`airreg setup` lists what is missing)";
  if (std::find(result.warnings.begin(), result.warnings.end(), warning) == result.warnings.end())
    result.warnings.push_back(std::move(warning));
  return false;
}

}  // namespace

ModelCategory listed_category(const RegistryRow& row) {
  if (auto seeded = last_seeded(row, "category"))
    if (auto text = std::get_if<std::string>(&*seeded))
      if (auto c = parse_category(*text)) return *c;
  return row.category;
}

MergeResult merge_listing(const std::string& provider, ModelCategory category, const DiscoveryResult* listing,
                          std::vector<RegistryRow> rows, SystemTime now, const MergePolicy& policy,
                          const airtable::Columns& columns, const std::set<std::string>& untouchable, const WriteOut& out) {
  MergeResult result;
  auto emit = [&](const RowWrite& write, const RegistryRow& row) {
    if (write.cells.empty()) return;
    if (out) {
      out(write.by_cell(row, columns), row);
    } else {
      result.writes.push_back(write.by_cell(row, columns));
    }
  };
  const std::vector<std::string>& feature_choices = columns.choices("features");
  std::string now_text = core::format_utc(now);
  size_t seen_before = trusted_count(rows, category);
  // By key, whatever the row's Category: never a second row for a model that has one. The
  // keys are the rows' own ids, so the index is made again whenever the rows move.
  std::unordered_map<std::string_view, size_t> by_id;
  auto index_rows = [&] {
    by_id.clear();
    for (size_t i = 0; i < rows.size(); ++i)
      if (rows[i].provider_id == provider) by_id.emplace(rows[i].model_id, i);
  };
  index_rows();
  std::vector<bool> listed(rows.size(), false);

  if (listing) {
    result.discovered = listing->models.size();
    // Grown once, for the models without a row (not doubled along the way; refresh_provider
    // reserves for all its categories first, and then this is a no-op).
    size_t fresh = 0;
    for (const auto& m : listing->models) fresh += !by_id.count(m.id);
    if (rows.size() + fresh > rows.capacity()) {
      rows.reserve(rows.size() + fresh);
      index_rows();
    }
    for (const auto& m : listing->models) {
      if (untouchable.count(provider + "/" + m.id)) continue;  // its row is a person's to fix first
      auto found = by_id.find(m.id);
      bool is_new = found == by_id.end();
      if (is_new) {
        RegistryRow fresh;
        fresh.provider_id = provider;
        fresh.model_id = m.id;
        fresh.category = category;
        rows.push_back(std::move(fresh));  // within the room reserved above: no row moves
        listed.push_back(true);
        found = by_id.emplace(rows.back().model_id, rows.size() - 1).first;
      } else {
        listed[found->second] = true;
      }
      RegistryRow& row = rows[found->second];
      RowWrite write;
      if (is_new) {
        write.set("model_key", row.key());
        if (offered(columns, "status", std::string(to_string(policy.new_status)), result))
          write.set("status", std::string(to_string(policy.new_status)));
        write.set("first_seen", now_text);
        if (offered(columns, "discovery_method", "api", result)) write.set("discovery_method", std::string("api"));
        row.status = policy.new_status;
        row.first_seen = now;
        row.discovery_method = "api";
      } else {
        if (!row.first_seen) {
          write.set("first_seen", now_text);
          row.first_seen = now;
        }
        // A row a person added is adopted: its people fields stay, and so does "manual".
        if (row.discovery_method != "api" && row.discovery_method != "manual" && offered(columns, "discovery_method", "api", result)) {
          write.set("discovery_method", std::string("api"));
          row.discovery_method = "api";
        }
      }
      if (!row.available) {
        write.set("available", true);
        row.available = true;
      }
      if (row.missing_since) {
        write.set("missing_since", FieldValue{});
        row.missing_since.reset();
      }
      if (!row.last_verified || now - *row.last_verified >= policy.verify_interval) {
        write.set("last_verified", now_text);
        row.last_verified = now;
      }
      if (merge_seeded(row, m, category, is_new, write, feature_choices, policy.seeded_as_bits) || is_new)
        write.set("metadata", write_metadata(row));
      if (is_new) {
        ++result.created;
        result.new_model_ids.push_back(m.id);
      } else if (write.cells.empty()) {
        ++result.unchanged;
      } else {
        ++result.updated;
      }
      emit(write, row);
    }
  }

  // Missing models: only on a listing that can be trusted.
  bool trusted = listing && static_cast<double>(listing->models.size()) >= policy.shrink_guard * static_cast<double>(seen_before);
  if (!listing) {
    result.warnings.push_back(provider + " could not be listed: nothing marked missing");
  } else if (!trusted) {
    result.warnings.push_back(provider + " listed " + std::to_string(listing->models.size()) + " models, under half of the " +
                              std::to_string(seen_before) + " seen before: nothing marked missing");
  }
  for (size_t i = 0; trusted && i < rows.size(); ++i) {
    RegistryRow& row = rows[i];
    // A listing speaks only for the rows of its own category; another category's listing
    // (or a person's Category) does not make a listed model missing.
    if (listed[i] || row.discovery_method == "manual" || listed_category(row) != category) continue;
    if (untouchable.count(row.key())) continue;
    RowWrite write;
    if (row.available) {
      write.set("available", false);
      row.available = false;
      ++result.missing;
    }
    if (!row.missing_since) {
      write.set("missing_since", now_text);
      row.missing_since = now;
    }
    if (now - *row.missing_since >= policy.grace && row.status != ModelStatus::deprecated) {
      row.status = ModelStatus::deprecated;
      if (offered(columns, "status", "deprecated", result)) write.set("status", std::string("deprecated"));
      if (row.deprecation_date.empty()) {
        row.deprecation_date = format_day(now);
        write.set("deprecation_date", row.deprecation_date);
      }
      ++result.deprecated;
    }
    emit(write, row);
  }
  result.rows = std::move(rows);
  return result;
}

}  // namespace airreg::registry
