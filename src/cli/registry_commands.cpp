// airreg models and airreg resolve: the registry as a server reads it, through ModelRegistry
// (Airtable while fresh, else the provider with write-back, with the fallbacks).
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "airreg/model_registry.hpp"
#include "cli/airtable_options.hpp"
#include "cli/commands.hpp"
#include "cli/json_output.hpp"
#include "cli/exit_codes.hpp"
#include "cli/human_text.hpp"
#include "cli/registry_options.hpp"
#include "core/time_text.hpp"
#include "registry/resolve.hpp"
#include "json/member.hpp"

namespace airreg::cli {

int models_command(const Args& args) {
  cxxopts::Options options("airreg models", "The models a server may use now: the registry's hybrid read.");
  options.add_options()
    ("provider", "only this provider (default: every provider in the table)", cxxopts::value<std::string>()->default_value(""))
    ("category", "text or tts", cxxopts::value<std::string>()->default_value("text"))
    ("all", "every row with its status, not only the usable ones")
    ("refresh", "ask the provider now, whatever the freshness")
    ("json", "print the result as JSON");
  add_registry_options(options);
  auto command = start_airtable_command(options, args, "Exit codes: 0 done, 1 runtime error, 2 usage or configuration error.\n");
  if (!command) return command.error();
  auto category = parse_category(command->args["category"].as<std::string>());
  if (!category) return report_error(make_error(ErrorCode::invalid_argument, "--category must be text or tts"));
  auto settings = registry_options(command->args);
  if (!settings) return report_error(settings.error());
  auto registry = open_registry(*command, std::move(*settings));
  if (!registry) return report_error(registry.error());
  // The one asked for, else every provider with rows in the table (one read serves them all).
  std::string asked = command->args["provider"].as<std::string>();
  std::vector<std::string> providers = asked.empty() ? (*registry)->providers() : std::vector<std::string>{asked};
  bool all = command->args.count("all") > 0, json = command->args.count("json") > 0;
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  int exit_code = kExitOk;
  for (const auto& provider : providers) {
    auto list = command->args.count("refresh") ? (*registry)->refresh(provider, *category)
                                                : (*registry)->models(provider, *category, all);
    if (list && command->args.count("refresh") && all) list = (*registry)->models(provider, *category, true);
    if (!list) {
      std::fprintf(stderr, "airreg: %s: %s\n", provider.c_str(), list.error().describe().c_str());
      exit_code = kExitRuntime;
      continue;
    }
    const ModelList& l = **list;
    std::string age = age_of(core::format_utc(l.as_of));
    if (json) {
      w.StartObject();
      json::member(w, "provider", provider);
      json::member(w, "category", std::string(to_string(*category)));
      json::member(w, "source", std::string(to_string(l.source)));
      json::member(w, "origin", std::string(to_string(l.origin)));
      json::member(w, "degraded", l.degraded);
      json::member(w, "as_of", core::format_utc(l.as_of));
      w.Key("models");
      w.StartArray();
      for (const auto& r : l.models) {
        w.StartObject();
        json::member(w, "model", r.model_id);
        json::member(w, "name", r.model_name);
        json::member(w, "status", std::string(to_string(r.status)));
        json::member(w, "available", r.available);
        json::member(w, "recommended", r.recommended);
        json::member(w, "usable", registry::servable(r));
        w.EndObject();
      }
      w.EndArray();
      w.Key("warnings");
      w.StartArray();
      for (const auto& warning : l.warnings) write_string(w, warning);
      w.EndArray();
      w.EndObject();
      continue;
    }
    std::printf("%s (%s): %zu model(s), source %s, %s\n", provider.c_str(), std::string(to_string(*category)).c_str(),
                l.models.size(), std::string(to_string(l.source)).c_str(), age.c_str());
    std::vector<const RegistryRow*> shown;
    for (const auto& r : l.models) shown.push_back(&r);
    std::sort(shown.begin(), shown.end(), [](const RegistryRow* a, const RegistryRow* b) { return a->model_id < b->model_id; });
    for (const auto* r : shown)
      std::printf("  %-34s %-10s %-13s %s%s\n", r->model_id.c_str(), std::string(to_string(r->status)).c_str(),
                  r->available ? "available" : "not listed", r->model_name.c_str(), r->recommended ? "  (recommended)" : "");
    if (shown.empty()) std::printf("  (none usable: approve models by setting Status to active; --all shows every row)\n");
    for (const auto& warning : l.warnings) std::printf("  warning: %s\n", warning.c_str());
  }
  w.EndArray();
  if (json) std::cout << buffer.GetString() << "\n";
  return exit_code;
}

int resolve_command(const Args& args) {
  cxxopts::Options options("airreg resolve", "Which model to use for PROVIDER MODEL, and which rule chose it.");
  options.positional_help("PROVIDER MODEL");
  options.add_options()
    ("category", "text or tts", cxxopts::value<std::string>()->default_value("text"))
    ("json", "print the result as JSON")
    ("positional", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"positional"});
  add_registry_options(options);
  auto command = start_airtable_command(options, args, "Exit codes: 0 a model, 1 runtime error or nothing usable, 2 usage error.\n");
  if (!command) return command.error();
  auto words = command->args.count("positional") ? command->args["positional"].as<std::vector<std::string>>()
                                                  : std::vector<std::string>{};
  if (words.size() != 2) return report_error(make_error(ErrorCode::invalid_argument, "usage: airreg resolve PROVIDER MODEL"));
  auto category = parse_category(command->args["category"].as<std::string>());
  if (!category) return report_error(make_error(ErrorCode::invalid_argument, "--category must be text or tts"));
  auto settings = registry_options(command->args);
  if (!settings) return report_error(settings.error());
  auto registry = open_registry(*command, std::move(*settings));
  if (!registry) return report_error(registry.error());
  auto chosen = (*registry)->resolve(words[0], *category, words[1]);
  if (!chosen) return report_error(chosen.error());
  if (command->args.count("json")) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    json::member(w, "provider", words[0]);
    json::member(w, "requested", words[1]);
    json::member(w, "model", chosen->model_id);
    json::member(w, "rule", std::string(to_string(chosen->rule)));
    json::member(w, "source", std::string(to_string(chosen->source)));
    w.EndObject();
    std::cout << buffer.GetString() << "\n";
  } else {
    std::printf("%s/%s (%s; from %s)\n", words[0].c_str(), chosen->model_id.c_str(), std::string(to_string(chosen->rule)).c_str(),
                std::string(to_string(chosen->source)).c_str());
  }
  return kExitOk;
}

}  // namespace airreg::cli
