// The logic under issue 13, without a network: a snapshot brought up to date by a revalidation's
// rows or a webhook payload's changes, the call budget's month and stretched period, and the
// webhook's MAC.
#include <catch2/catch.hpp>

#include "core/time_text.hpp"
#include "fleet/fleet.hpp"
#include "registry/call_budget.hpp"
#include "registry/snapshot_changes.hpp"
#include "registry_schema.hpp"
#include "temp_dir.hpp"

using namespace airreg;
using namespace std::chrono_literals;
using airreg::registry::CallBudget;

namespace {

// The registry's columns bound by field id, as a base with every column has them.
const airtable::Columns& by_id() {
  static const airtable::Columns columns = [] {
    TableSpec spec{"tblREGISTRY", "AI Model Registry", "", "", {}};
    for (const auto& f : test::registry_schema().fields) spec.fields.push_back(FieldSpec{"fld" + f.key, f.name, f.type, "", "", {}});
    return airtable::Columns::bind(test::registry_schema(), spec);
  }();
  return columns;
}

AirtableRecord row(const std::string& id, const std::string& provider, const std::string& model, const std::string& status) {
  const auto& c = by_id();
  return AirtableRecord{id, "", {{c.cell("provider_id"), provider}, {c.cell("model_id"), model}, {c.cell("status"), status},
                                 {c.cell("category"), std::string("text")}}};
}

size_t count(const RowList& rows, const std::string& model, ModelStatus status) {
  return static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [&](const RegistryRow& r) { return r.model_id == model && r.status == status; }));
}

SystemTime at(const char* text) { return core::parse_utc(text).value(); }

}  // namespace

TEST_CASE("a revalidation's changed rows replace theirs by record id and new ones are added", "[quota]") {
  auto t0 = at("2026-12-03T10:00:00Z");
  auto base = registry::with_records({}, {row("rec1", "openai", "gpt-4o", "active"), row("rec2", "mistral", "large", "active")},
                                     by_id(), t0);
  REQUIRE(base.rows_in("openai").size() == 1);
  auto updated = registry::with_records(base, {row("rec1", "openai", "gpt-4o", "disabled"), row("rec3", "openai", "o3", "pending")},
                                        by_id(), t0 + 1h);
  CHECK(count(updated.rows_in("openai"), "gpt-4o", ModelStatus::disabled) == 1);
  CHECK(count(updated.rows_in("openai"), "o3", ModelStatus::pending) == 1);
  CHECK(updated.rows_in("mistral").size() == 1);  // untouched
  CHECK(updated.read_at == t0 + 1h);
  CHECK(updated.records.size() == 3);
}

TEST_CASE("a webhook payload's changes: cells changed and cleared, records made and destroyed, other tables ignored", "[quota]") {
  const auto& c = by_id();
  auto base = registry::with_records({}, {row("rec1", "openai", "gpt-4o", "active"), row("rec2", "mistral", "large", "active")},
                                     by_id(), at("2026-12-03T10:00:00Z"));
  std::vector<RecordChange> changes;
  changes.push_back(RecordChange{RecordChange::Kind::changed, "tblREGISTRY", "rec1", {{c.cell("status"), std::string("disabled")}}, {}});
  changes.push_back(RecordChange{RecordChange::Kind::destroyed, "tblREGISTRY", "rec2", {}, {}});
  auto made = row("rec3", "openai", "o3", "active");
  changes.push_back(RecordChange{RecordChange::Kind::created, "tblREGISTRY", "rec3", made.fields, {}});
  changes.push_back(RecordChange{RecordChange::Kind::destroyed, "tblHISTORY", "rec1", {}, {}});  // another table
  std::set<std::string> providers;
  auto updated = registry::with_changes(base, changes, "tblREGISTRY", c, at("2026-12-03T10:05:00Z"), providers);
  CHECK(count(updated.rows_in("openai"), "gpt-4o", ModelStatus::disabled) == 1);
  CHECK(count(updated.rows_in("openai"), "o3", ModelStatus::active) == 1);
  CHECK(updated.rows_in("mistral").empty());
  CHECK(providers == std::set<std::string>{"mistral", "openai"});

  // A cleared Status: the row is still there, no longer active (a cell a person emptied).
  std::set<std::string> touched;
  auto cleared = registry::with_changes(updated, {RecordChange{RecordChange::Kind::changed, "tblREGISTRY", "rec3", {}, {c.cell("status")}}},
                                        "tblREGISTRY", c, at("2026-12-03T10:06:00Z"), touched);
  CHECK(count(cleared.rows_in("openai"), "o3", ModelStatus::active) == 0);
  CHECK(touched == std::set<std::string>{"openai"});
}

TEST_CASE("the call budget: months in UTC, the period stretched to fit, no reads once the share is spent", "[quota]") {
  CHECK(registry::month_of(at("2026-12-31T23:59:59Z")) == "2026-12");
  CHECK(registry::month_of(at("2027-01-01T00:00:00Z")) == "2027-01");
  CHECK(registry::month_fraction(at("2026-12-01T00:00:00Z")) == Approx(0.0));
  CHECK(registry::month_fraction(at("2026-12-16T12:00:00Z")) == Approx(0.5));

  test::TempDir dir;
  auto fleet = fleet::local_fleet("unit");
  CallBudget unlimited({std::nullopt, 0.25, 1.5, 3600s}, fleet, dir.path(), "appA");
  unlimited.count(10);
  CHECK(unlimited.status().calls == 10);
  CHECK(unlimited.period() == 3600s);
  CHECK(unlimited.reads_allowed());
  unlimited.count(10);  // the same total: nothing new
  CHECK(unlimited.status().calls == 10);

  // Counted in the state directory: another budget on the same base sees them.
  CallBudget budget({1000, 0.25, 1.5, 3600s}, fleet, dir.path(), "appA");
  auto s = budget.status();
  CHECK(s.calls == 10);
  // 740 calls of reads left at 1.5 a revalidation, over what is left of the month: never
  // shorter than the TTL, and longer when little is left.
  CHECK(s.period >= 3600s);
  budget.count(700);
  CHECK(budget.status().calls == 710);
  CHECK(budget.period() > s.period);
  CHECK(budget.reads_allowed());
  budget.count(740);  // 750 in all: the reads' 75% is spent
  CHECK(!budget.reads_allowed());
  CHECK(registry::recorded_calls(dir.path(), registry::month_of(std::chrono::system_clock::now())).at(0).calls == 750);
  // Another base counts apart.
  CallBudget other({1000, 0.25, 1.5, 3600s}, fleet, dir.path(), "appB");
  CHECK(other.status().calls == 0);
}
