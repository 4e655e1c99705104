// airreg models and airreg resolve: the registry as a server would read it, straight from
// Airtable (the cached, stale-tolerant read path is the library's ModelRegistry).
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "airreg/discovery.hpp"
#include "cli/airtable_options.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/human_text.hpp"
#include "core/time_text.hpp"
#include "registry/resolve.hpp"
#include "registry/row_reader.hpp"

namespace airreg::cli {

namespace {

using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void write_string(JsonWriter& w, const std::string& s) { w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size())); }

// The rows of a provider and category, read and parsed; warnings for rows skipped.
struct Loaded {
  std::vector<RegistryRow> rows;
  std::vector<std::string> warnings;
  std::optional<SystemTime> newest_verified;
};

Result<Loaded> load(const AirtableSettings& settings, const std::string& provider, std::optional<ModelCategory> category) {
  auto schemas = RegistrySchemas::load(settings.schema_dir);
  if (!schemas) return std::unexpected(schemas.error());
  schemas->registry.name = settings.airtable.table;
  registry::FieldNames names(schemas->registry);
  AirtableClient client(settings.airtable, make_curl_transport(settings.transport));
  auto read = registry::read_rows(client, names, provider);
  if (!read) return std::unexpected(read.error());
  Loaded out;
  out.warnings = read->parsed.warnings;
  for (auto& r : read->parsed.rows) {
    if (category && r.category != *category) continue;
    if (r.last_verified) out.newest_verified = std::max(out.newest_verified.value_or(*r.last_verified), *r.last_verified);
    out.rows.push_back(std::move(r));
  }
  return out;
}

std::optional<ModelCategory> category_flag(const cxxopts::ParseResult& parsed, bool& bad) {
  if (!parsed.count("category")) return std::nullopt;
  auto c = parse_category(parsed["category"].as<std::string>());
  bad = !c;
  return c;
}

}  // namespace

int models_command(const Args& args) {
  cxxopts::Options options("airreg models", "The models a server may use now, from the registry.");
  options.add_options()
    ("provider", "only this provider", cxxopts::value<std::string>()->default_value(""))
    ("category", "text or tts", cxxopts::value<std::string>())
    ("all", "every row with its status, not only the usable ones")
    ("json", "print the result as JSON");
  auto command = start_airtable_command(options, args, "Exit codes: 0 done, 1 runtime error, 2 usage or configuration error.\n");
  if (!command) return command.error();
  bool bad = false;
  auto category = category_flag(command->args, bad);
  if (bad) return report_error(make_error(ErrorCode::invalid_argument, "--category must be text or tts"));
  auto loaded = load(command->settings, command->args["provider"].as<std::string>(), category);
  if (!loaded) return report_error(loaded.error());
  bool all = command->args.count("all") > 0;
  std::vector<const RegistryRow*> shown;
  for (const auto& r : loaded->rows)
    if (all || registry::servable(r)) shown.push_back(&r);
  std::sort(shown.begin(), shown.end(), [](const RegistryRow* a, const RegistryRow* b) { return a->key() < b->key(); });
  std::string age = loaded->newest_verified ? age_of(core::format_utc(*loaded->newest_verified)) : "never verified";
  if (command->args.count("json")) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("source"), w.String("airtable");
    w.Key("verified");
    if (loaded->newest_verified) {
      write_string(w, core::format_utc(*loaded->newest_verified));
    } else {
      w.Null();
    }
    w.Key("models");
    w.StartArray();
    for (const auto* r : shown) {
      w.StartObject();
      w.Key("provider"), write_string(w, r->provider_id);
      w.Key("model"), write_string(w, r->model_id);
      w.Key("name"), write_string(w, r->model_name);
      w.Key("category"), write_string(w, std::string(to_string(r->category)));
      w.Key("status"), write_string(w, std::string(to_string(r->status)));
      w.Key("available"), w.Bool(r->available);
      w.Key("recommended"), w.Bool(r->recommended);
      w.Key("usable"), w.Bool(registry::servable(*r));
      w.EndObject();
    }
    w.EndArray();
    w.Key("warnings");
    w.StartArray();
    for (const auto& warning : loaded->warnings) write_string(w, warning);
    w.EndArray();
    w.EndObject();
    std::cout << buffer.GetString() << "\n";
    return kExitOk;
  }
  std::printf("source: airtable, verified %s\n", age.c_str());
  std::printf("%-36s %-10s %-9s %-5s %s\n", "model", "status", "available", "cat", "name");
  for (const auto* r : shown)
    std::printf("%-36s %-10s %-9s %-5s %s%s\n", r->key().c_str(), std::string(to_string(r->status)).c_str(),
                r->available ? "yes" : "no", std::string(to_string(r->category)).c_str(), r->model_name.c_str(),
                r->recommended ? "  (recommended)" : "");
  if (shown.empty()) std::printf("(none%s)\n", all ? "" : " usable: approve models by setting Status to active; --all shows every row");
  for (const auto& warning : loaded->warnings) std::printf("warning: %s\n", warning.c_str());
  return kExitOk;
}

int resolve_command(const Args& args) {
  cxxopts::Options options("airreg resolve", "Which model to use for PROVIDER MODEL, and which rule chose it.");
  options.positional_help("PROVIDER MODEL");
  options.add_options()
    ("category", "text or tts", cxxopts::value<std::string>()->default_value("text"))
    ("json", "print the result as JSON")
    ("positional", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"positional"});
  auto command = start_airtable_command(options, args, "Exit codes: 0 a model, 1 runtime error or nothing usable, 2 usage error.\n");
  if (!command) return command.error();
  auto words = command->args.count("positional") ? command->args["positional"].as<std::vector<std::string>>()
                                                  : std::vector<std::string>{};
  if (words.size() != 2) return report_error(make_error(ErrorCode::invalid_argument, "usage: airreg resolve PROVIDER MODEL"));
  auto category = parse_category(command->args["category"].as<std::string>());
  if (!category) return report_error(make_error(ErrorCode::invalid_argument, "--category must be text or tts"));
  auto loaded = load(command->settings, words[0], category);
  if (!loaded) return report_error(loaded.error());
  std::optional<std::string> curated;
  if (auto config = DiscoveryConfig::from_environment(command->settings.schema_dir)) {
    if (auto discovery = Discovery::create(std::move(*config), make_curl_transport()))
      curated = (*discovery)->curated_default(words[0], *category);
  }
  auto chosen = registry::resolve_model(loaded->rows, words[1], curated);
  if (command->args.count("json")) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("provider"), write_string(w, words[0]);
    w.Key("requested"), write_string(w, words[1]);
    w.Key("model");
    if (chosen.model_id.empty()) {
      w.Null();
    } else {
      write_string(w, chosen.model_id);
    }
    w.Key("rule"), write_string(w, chosen.rule);
    w.EndObject();
    std::cout << buffer.GetString() << "\n";
  } else if (!chosen.model_id.empty()) {
    std::printf("%s/%s (%s)\n", words[0].c_str(), chosen.model_id.c_str(), chosen.rule.c_str());
  }
  if (chosen.model_id.empty()) {
    std::cerr << "airreg: no usable " << to_string(*category) << " model of " << words[0]
              << ": approve one by setting its Status to active\n";
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace airreg::cli
