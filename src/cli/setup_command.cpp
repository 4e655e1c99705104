// airreg setup: creates the tables of schema/ in the base, adds missing fields, reports
// drift and renamed fields.
#include <cstdio>
#include <iostream>

#include "airreg/setup.hpp"
#include "cli/airtable_options.hpp"
#include "cli/commands.hpp"
#include "cli/json_output.hpp"
#include "cli/exit_codes.hpp"
#include "json/member.hpp"

namespace airreg::cli {

namespace {

void print_text(const SetupPlan& plan, bool dry_run) {
  const char* verb = dry_run ? "would be " : "";
  for (const auto& t : plan.tables) {
    std::string state = t.create ? std::string(verb) + "created" : "exists";
    std::printf("%-24s %-18s %s\n", t.current_name.c_str(), state.c_str(),
                t.create ? (std::to_string(t.schema->fields.size()) + " fields").c_str() : t.table_id.c_str());
    for (const SchemaField* f : t.add) std::printf("  + %-30s field %sadded (%s)\n", f->name.c_str(), verb, f->type.c_str());
    for (const auto& r : t.renamed)
      std::printf("  ~ %-30s renamed from \"%s\" by a person; airreg follows the new name\n", r.current_name.c_str(),
                  r.schema_name.c_str());
    for (const auto& d : t.drift) std::printf("  ! %-30s %s\n", d.field.c_str(), d.problem.c_str());
  }
  if (plan.writes() == 0 && !plan.has_drift()) std::printf("nothing to do\n");
  if (plan.has_drift())
    std::printf("\nSome columns differ from schema/ (marked !). setup never retypes or deletes: fix them in Airtable.\n");
}

void print_json(const SetupPlan& plan, bool dry_run) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  json::member(w, "dry_run", dry_run);
  json::member(w, "writes", plan.writes());
  json::member(w, "drift", plan.has_drift());
  w.Key("tables");
  w.StartArray();
  for (const auto& t : plan.tables) {
    w.StartObject();
    json::member(w, "name", t.current_name);
    json::member(w, "id", t.table_id);
    json::member(w, "action", t.create ? "create" : "exists");
    w.Key("added_fields");
    w.StartArray();
    for (const SchemaField* f : t.add) json::value(w, f->name);
    w.EndArray();
    w.Key("renamed_fields");
    w.StartArray();
    for (const auto& r : t.renamed) {
      w.StartObject();
      json::member(w, "key", r.key);
      json::member(w, "schema_name", r.schema_name);
      json::member(w, "current_name", r.current_name);
      w.EndObject();
    }
    w.EndArray();
    w.Key("drift");
    w.StartArray();
    for (const auto& d : t.drift) {
      w.StartObject();
      json::member(w, "field", d.field);
      json::member(w, "problem", d.problem);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::cout << buffer.GetString() << "\n";
}

}  // namespace

int setup_command(const Args& args) {
  cxxopts::Options options("airreg setup", "Create the registry and history tables in the base (idempotent).");
  options.add_options()
    ("dry-run", "print the plan, write nothing")
    ("json", "print the result as JSON");
  auto command = start_airtable_command(
      options, args,
      "Exit codes: 0 done or nothing to do, 1 runtime error, 2 usage or configuration error,\n"
      "4 drift a person must resolve (a column's type or options differ from schema/).\n");
  if (!command) return command.error();
  const auto& parsed = command->args;
  const AirtableSettings& settings = command->settings;
  auto schemas = RegistrySchemas::load(settings.schema_dir);
  if (!schemas) return report_error(schemas.error());
  schemas->registry.name = settings.airtable.table;
  schemas->history.name = settings.airtable.history_table;

  AirtableClient client(settings.airtable, make_curl_transport(settings.transport));
  auto base = client.tables();
  if (!base) return report_error(base.error());
  SetupPlan plan = plan_setup({&schemas->registry, &schemas->history}, *base);
  bool dry_run = parsed.count("dry-run") > 0;
  if (!dry_run && plan.writes() > 0) {
    if (auto applied = apply_setup(client, plan); !applied) return report_error(applied.error());
  }
  if (parsed.count("json")) {
    print_json(plan, dry_run);
  } else {
    print_text(plan, dry_run);
  }
  return plan.has_drift() ? kExitDrift : kExitOk;
}

}  // namespace airreg::cli
