// airreg discover: asks the providers what they offer and prints it, writing nothing (also
// the way to test a key).
#include <cstdio>
#include <future>
#include <iostream>

#include "airreg/discovery.hpp"
#include "airreg/schema.hpp"
#include "cli/commands.hpp"
#include "cli/json_output.hpp"
#include "cli/exit_codes.hpp"
#include "json/member.hpp"

namespace airreg::cli {

namespace {

struct Asked {
  Asked(std::string p, ModelCategory c, bool named) : provider(std::move(p)), category(c), explicitly(named) {}
  std::string provider;
  ModelCategory category;
  bool explicitly;  // named with --provider
  std::optional<std::string> no_key;
  Result<DiscoveryResult> result = std::unexpected(Error{});
};

void write_model(JsonWriter& w, const ModelInfo& m) {
  w.StartObject();
  json::member(w, "id", m.id);
  json::member(w, "display_name", m.display_name);
  json::member(w, "context_window", m.context_window);
  json::member(w, "max_output_tokens", m.max_output_tokens);
  json::member(w, "input_cost_per_1k", m.input_cost_per_1k);
  json::member(w, "output_cost_per_1k", m.output_cost_per_1k);
  w.Key("features");
  w.StartArray();
  for (const auto& f : m.features) write_string(w, f);
  w.EndArray();
  w.Key("deprecation_date");
  if (m.deprecation_date.empty()) {
    w.Null();
  } else {
    write_string(w, m.deprecation_date);
  }
  w.Key("raw");
  if (m.raw_json.empty()) {
    w.Null();
  } else {
    w.RawValue(m.raw_json.c_str(), m.raw_json.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}

void print_json(const std::vector<Asked>& asked) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  for (const auto& a : asked) {
    w.StartObject();
    json::member(w, "provider", a.provider);
    json::member(w, "category", std::string(to_string(a.category)));
    if (a.no_key) {
      json::member(w, "skipped_provider", *a.no_key);
    } else if (!a.result) {
      json::member(w, "error", a.result.error().describe());
    } else {
      const auto& r = *a.result;
      json::member(w, "source", r.source);
      json::member(w, "requests", r.requests);
      json::member(w, "elapsed_ms", r.elapsed.count());
      w.Key("warnings");
      w.StartArray();
      for (const auto& warning : r.warnings) write_string(w, warning);
      w.EndArray();
      w.Key("models");
      w.StartArray();
      for (const auto& m : r.models) write_model(w, m);
      w.EndArray();
      w.Key("skipped");
      w.StartArray();
      for (const auto& s : r.skipped) {
        w.StartObject();
        json::member(w, "id", s.id);
        json::member(w, "reason", s.reason);
        w.EndObject();
      }
      w.EndArray();
      w.Key("unclassified");
      w.StartArray();
      for (const auto& id : r.unclassified) write_string(w, id);
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  std::cout << buffer.GetString() << "\n";
}

std::string number_text(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; }

std::string price_text(const std::optional<double>& v) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", *v);
  return buf;
}

void print_text(const std::vector<Asked>& asked) {
  for (const auto& a : asked) {
    std::string title = a.provider + " (" + std::string(to_string(a.category)) + ")";
    if (a.no_key) {
      std::printf("%s: skipped, %s\n", title.c_str(), a.no_key->c_str());
      continue;
    }
    if (!a.result) {
      std::printf("%s: FAILED: %s\n", title.c_str(), a.result.error().describe().c_str());
      continue;
    }
    const auto& r = *a.result;
    std::printf("\n%s: %zu models, %zu skipped, %zu request(s), %lld ms\n", title.c_str(), r.models.size(),
                r.skipped.size(), r.requests, static_cast<long long>(r.elapsed.count()));
    std::printf("  %-42s %10s %9s %10s %10s  %s\n", "model", "context", "max out", "in $/1K", "out $/1K", "features");
    for (const auto& m : r.models) {
      std::string features;
      for (const auto& f : m.features) features += (features.empty() ? "" : ",") + f;
      if (!m.deprecation_date.empty()) features += "  (deprecated " + m.deprecation_date + ")";
      std::printf("  %-42s %10s %9s %10s %10s  %s\n", m.id.c_str(), number_text(m.context_window).c_str(),
                  number_text(m.max_output_tokens).c_str(), price_text(m.input_cost_per_1k).c_str(),
                  price_text(m.output_cost_per_1k).c_str(), features.c_str());
    }
    if (!r.skipped.empty()) {
      // Models of the other category are counted, not listed: they show under it.
      std::string line;
      size_t other_category = 0;
      for (const auto& s : r.skipped) {
        if (s.reason == "a text model" || s.reason == "a tts model") {
          ++other_category;
          continue;
        }
        line += (line.empty() ? "" : ", ") + s.id + " (" + s.reason + ")";
      }
      if (other_category)
        line += (line.empty() ? "" : "; ") + std::to_string(other_category) + " " +
                (a.category == ModelCategory::text ? "tts" : "text") + " model(s), listed under --category " +
                (a.category == ModelCategory::text ? "tts" : "text");
      std::printf("  skipped: %s\n", line.c_str());
    }
    if (!r.unclassified.empty()) {
      std::string ids;
      for (const auto& id : r.unclassified) ids += (ids.empty() ? "" : ", ") + id;
      std::printf("  unclassified: %s: add a rule in schema/provider_rules.json\n", ids.c_str());
    }
    for (const auto& w : r.warnings) std::printf("  warning: %s\n", w.c_str());
  }
}

}  // namespace

int discover_command(const Args& args) {
  cxxopts::Options options("airreg discover",
                           "Ask the providers which models they offer and print them; writes nothing (tests your keys).");
  options.add_options()
    ("provider", "a provider (repeat for several; default: every one with a key)", cxxopts::value<std::vector<std::string>>())
    ("category", "text or tts (default: both)", cxxopts::value<std::string>())
    ("json", "one JSON object per provider and category")
    ("schema-dir", "directory of provider_rules.json and curated_models.json (AIRREG_SCHEMA_DIR)", cxxopts::value<std::string>())
    ("timeout", "seconds for one whole request", cxxopts::value<double>()->default_value("30"))
    ("h,help", "show this help");
  auto parsed = parse_args(options, args);
  if (!parsed) return kExitUsage;
  if (parsed->count("help")) {
    std::cout << options.help() << R"(
Keys: OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY (or GOOGLE_API_KEY), MISTRAL_API_KEY,
GROQ_API_KEY, XAI_API_KEY, OPENROUTER_API_KEY (optional), OLLAMA_HOST, ELEVENLABS_API_KEY,
AZURE_SPEECH_KEY + AZURE_SPEECH_REGION. Base URLs: <PROVIDER>_BASE_URL (e.g. OPENAI_BASE_URL).
OpenAI-compatible servers: AIRREG_OPENAI_COMPATIBLE="id=base_url[,KEY_VARIABLE];...".

Exit codes: 0 every asked provider answered, 1 some failed (the output says which and why),
2 usage or configuration error.
)";
    return kExitOk;
  }
  std::vector<ModelCategory> categories{ModelCategory::text, ModelCategory::tts};
  if (parsed->count("category")) {
    auto c = parse_category((*parsed)["category"].as<std::string>());
    if (!c) return report_error(make_error(ErrorCode::invalid_argument, "--category must be text or tts"));
    categories = {*c};
  }
  std::string schema_dir = parsed->count("schema-dir") ? (*parsed)["schema-dir"].as<std::string>() : default_schema_dir();
  auto config = DiscoveryConfig::from_environment(schema_dir);
  if (!config) return report_error(config.error());
  config->keep_raw_json = parsed->count("json") > 0;
  TransportOptions transport;
  transport.total_timeout = std::chrono::milliseconds(static_cast<long>((*parsed)["timeout"].as<double>() * 1000));
  if (transport.total_timeout.count() <= 0) return report_error(make_error(ErrorCode::config, "--timeout must be positive"));
  auto discovery = Discovery::create(std::move(*config), make_curl_transport(transport));
  if (!discovery) return report_error(discovery.error());

  std::vector<Asked> asked;
  std::vector<std::string> named = parsed->count("provider") ? (*parsed)["provider"].as<std::vector<std::string>>()
                                                             : std::vector<std::string>{};
  for (ModelCategory category : categories) {
    auto offered = (*discovery)->providers(category);
    if (named.empty()) {
      for (const auto& p : offered) asked.emplace_back(p, category, false);
      continue;
    }
    for (const auto& p : named) {
      bool any_category = false;
      for (auto c : {ModelCategory::text, ModelCategory::tts}) {
        auto list = (*discovery)->providers(c);
        any_category |= std::find(list.begin(), list.end(), p) != list.end();
      }
      if (!any_category) {
        auto text = (*discovery)->discover(p, category);  // names the known providers
        return report_error(text.error());
      }
      if (std::find(offered.begin(), offered.end(), p) != offered.end()) asked.emplace_back(p, category, true);
    }
  }
  // Providers answer in parallel; each discovery has its own counters, the transport is shared.
  std::vector<std::future<Result<DiscoveryResult>>> running;
  for (auto& a : asked) {
    a.no_key = (*discovery)->missing_key(a.provider, a.category);
    if (a.no_key) continue;
    running.push_back(std::async(std::launch::async, [&, p = a.provider, c = a.category] { return (*discovery)->discover(p, c); }));
  }
  size_t next = 0;
  bool all_answered = true;
  for (auto& a : asked) {
    if (a.no_key) {
      all_answered &= !a.explicitly;  // a provider you named must answer
      continue;
    }
    a.result = running[next++].get();
    all_answered &= a.result.has_value();
  }
  if (parsed->count("json")) {
    print_json(asked);
  } else {
    print_text(asked);
  }
  return all_answered ? kExitOk : kExitRuntime;
}

}  // namespace airreg::cli
