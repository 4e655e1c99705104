// airreg history: the latest rows of "Model Sync History", newest first.
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cstdio>
#include <iostream>

#include "airreg/formula.hpp"
#include "cli/airtable_options.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "airtable/columns.hpp"

namespace airreg::cli {

namespace {

std::string text(const Fields& f, const std::string& name) {
  auto it = f.find(name);
  if (it == f.end()) return "";
  if (auto s = std::get_if<std::string>(&it->second)) return *s;
  if (auto d = std::get_if<double>(&it->second)) return std::to_string(static_cast<long long>(*d));
  return "";
}

}  // namespace

int history_command(const Args& args) {
  cxxopts::Options options("airreg history", "The latest sync runs, newest first (one row per provider and category).");
  options.add_options()
    ("provider", "only this provider", cxxopts::value<std::string>()->default_value(""))
    ("limit", "how many rows", cxxopts::value<int>()->default_value("20"))
    ("json", "print the rows as JSON");
  auto command = start_airtable_command(options, args, "Exit codes: 0 done, 1 runtime error, 2 usage or configuration error.\n");
  if (!command) return command.error();
  int limit = command->args["limit"].as<int>();
  if (limit <= 0) return report_error(make_error(ErrorCode::invalid_argument, "--limit must be positive"));
  auto schemas = RegistrySchemas::load(command->settings.schema_dir);
  if (!schemas) return report_error(schemas.error());
  schemas->registry.name = command->settings.airtable.table;
  schemas->history.name = command->settings.airtable.history_table;
  AirtableClient client(command->settings.airtable, make_curl_transport(command->settings.transport));
  // By field id, so that renamed columns are followed (schema/'s names when the schema is not readable).
  auto tables = airtable::bind_tables(client, *schemas);
  const airtable::Columns& history = tables.history;
  auto names = [&](const char* key) { return history.cell(key); };
  ListQuery query;
  query.return_fields_by_field_id = history.by_id();
  std::string provider = command->args["provider"].as<std::string>();
  if (!provider.empty()) query.filter_by_formula = formula::equals(names("provider"), provider);
  query.sort = {{names("started"), true}};
  query.max_records = limit;
  auto rows = client.list(history.table(), query);
  if (!rows) return report_error(rows.error());
  if (command->args.count("json")) {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
    w.StartArray();
    for (const auto& r : *rows) {
      w.StartObject();
      for (const auto& field : schemas->history.fields) {
        auto it = r.fields.find(history.cell(field.key));
        w.Key(field.key.c_str());
        if (it == r.fields.end()) {
          w.Null();
          continue;
        }
        if (auto s = std::get_if<std::string>(&it->second)) {
          w.String(s->c_str(), static_cast<rapidjson::SizeType>(s->size()));
        } else if (auto d = std::get_if<double>(&it->second)) {
          w.Double(*d);
        } else {
          w.Null();
        }
      }
      w.EndObject();
    }
    w.EndArray();
    std::cout << buffer.GetString() << "\n";
    return kExitOk;
  }
  std::printf("%-20s %-12s %-5s %-8s %10s %5s %7s %7s %8s %5s\n", "started", "provider", "cat", "outcome", "discovered", "new",
              "updated", "missing", "requests", "429s");
  for (const auto& r : *rows) {
    const Fields& f = r.fields;
    std::string started = text(f, names("started")).substr(0, 19);
    std::printf("%-20s %-12s %-5s %-8s %10s %5s %7s %7s %8s %5s\n", started.c_str(), text(f, names("provider")).c_str(),
                text(f, names("category")).c_str(), text(f, names("outcome")).c_str(), text(f, names("discovered")).c_str(),
                text(f, names("new")).c_str(), text(f, names("updated")).c_str(), text(f, names("missing")).c_str(),
                text(f, names("requests")).c_str(), text(f, names("rate_limited")).c_str());
    std::string errors = text(f, names("errors"));
    if (!errors.empty()) std::printf("    %s\n", errors.substr(0, errors.find('\n')).c_str());
  }
  if (rows->empty()) std::printf("(no sync yet)\n");
  return kExitOk;
}

}  // namespace airreg::cli
