#include "airreg/discovery.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "providers/curated_models.hpp"
#include "providers/provider_catalog.hpp"

namespace airreg {

std::string_view to_string(ModelCategory c) { return c == ModelCategory::text ? "text" : "tts"; }

std::optional<ModelCategory> parse_category(std::string_view text) {
  if (text == "text") return ModelCategory::text;
  if (text == "tts") return ModelCategory::tts;
  return std::nullopt;
}

namespace {

using namespace providers;

std::string env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? std::string(v) : std::string();
}

// One label of a DNS name (RFC 1123): letters, digits and inner hyphens, 1 to 63 characters.
bool is_hostname_label(std::string_view s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The variables a discovery may read: every provider's key and base URL variables.
std::vector<std::string> known_variables() {
  std::vector<std::string> names{"AZURE_SPEECH_REGION"};
  for (const auto& p : builtin_providers()) {
    names.insert(names.end(), p.key_variables.begin(), p.key_variables.end());
    names.insert(names.end(), p.base_url_variables.begin(), p.base_url_variables.end());
  }
  return names;
}

Result<std::vector<CompatibleProvider>> parse_compatible(const std::string& spec) {
  // "id=base_url[,KEY_VARIABLE];..."
  std::vector<CompatibleProvider> out;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(';', start);
    std::string item = spec.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? spec.size() + 1 : end + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return std::unexpected(make_error(ErrorCode::config, "AIRREG_OPENAI_COMPATIBLE: '" + item +
                                                               "' is not id=base_url[,KEY_VARIABLE]"));
    CompatibleProvider p{item.substr(0, eq), item.substr(eq + 1), ""};
    if (size_t comma = p.base_url.find(','); comma != std::string::npos) {
      p.key_variable = p.base_url.substr(comma + 1);
      p.base_url.resize(comma);
    }
    if (!p.base_url.starts_with("http://") && !p.base_url.starts_with("https://"))
      return std::unexpected(make_error(ErrorCode::config, "AIRREG_OPENAI_COMPATIBLE: the base URL of " + p.id +
                                                               " must start with http:// or https://"));
    out.push_back(std::move(p));
  }
  return out;
}

class DiscoveryImpl final : public Discovery {
 public:
  DiscoveryImpl(DiscoveryConfig config, std::shared_ptr<HttpTransport> transport, Clock clock, ProviderRules rules,
                CuratedModels curated)
      : config_(std::move(config)),
        transport_(std::move(transport)),
        clock_(std::move(clock)),
        rules_(std::move(rules)),
        curated_(std::move(curated)) {
    for (const auto& c : config_.compatible) {
      ProviderKind kind{c.id, "openai-compatible", true, true, c.base_url, {}, {}, !c.key_variable.empty(),
                        c.key_variable.empty() ? Auth::none : Auth::bearer, {}, &list_openai_style, &list_openai_style};
      if (!c.key_variable.empty()) kind.key_variables = {c.key_variable};
      compatible_.push_back(std::move(kind));
    }
  }

  std::vector<std::string> providers(ModelCategory category) const override {
    std::vector<std::string> out;
    for (const auto* list : {&builtin_providers(), &compatible_})
      for (const auto& p : *list)
        if (category == ModelCategory::text ? p.text : p.tts) out.push_back(p.id);
    return out;
  }

  std::optional<std::string> missing_key(const std::string& provider, ModelCategory) const override {
    const ProviderKind* kind = find(provider);
    if (!kind) return std::nullopt;
    if (kind->id == "azure" && base_url_override(*kind).empty()) {
      std::string region = value_of("AZURE_SPEECH_REGION");
      if (region.empty()) return "no AZURE_SPEECH_REGION set";
      // It becomes part of a host name: "westeurope", never "evil.example/x#".
      if (!is_hostname_label(region))
        return "AZURE_SPEECH_REGION must be a region name such as westeurope (letters, digits and '-', at most 63)";
    }
    // Ollama runs where a person said it runs; guessing localhost would fail for most.
    if (kind->id == "ollama" && base_url_override(*kind).empty()) return "no OLLAMA_HOST set";
    if (!kind->key_required || !key_of(*kind).first.empty()) return std::nullopt;
    std::string names;
    for (const auto& v : kind->key_variables) names += (names.empty() ? "" : " or ") + v;
    return "no key: set " + names;
  }

  Result<DiscoveryResult> discover(const std::string& provider, ModelCategory category,
                                   std::stop_token stop) const override {
    auto started = clock_.now();
    const ProviderKind* kind = find(provider);
    if (!kind) return std::unexpected(unknown(provider, category));
    auto lister = category == ModelCategory::text ? kind->text_lister : kind->tts_lister;
    if (!lister)
      return std::unexpected(make_error(ErrorCode::invalid_argument, provider + " has no " + std::string(to_string(category)) +
                                                                         " models (try --category " +
                                                                         (category == ModelCategory::text ? "tts" : "text") + ")"));
    if (auto why = missing_key(provider, category)) return std::unexpected(make_error(ErrorCode::config, provider + ": " + *why));
    auto [key, variable] = key_of(*kind);
    ProviderHttp http;
    http.provider = provider;
    http.base_url = base_url(*kind);
    http.key = key;
    http.key_variable = variable;
    http.auth_headers = kind->extra_headers;
    if (!key.empty()) http.auth_headers.emplace_back(auth_header(kind->auth), (kind->auth == Auth::bearer ? "Bearer " : "") + key);
    http.config = &config_;
    http.transport = transport_.get();
    http.clock = &clock_;
    http.stop = std::move(stop);
    DiscoveryResult result;
    result.provider = provider;
    result.category = category;
    ListingBuilder builder(rules_, kind->rules_key, result, config_.keep_skipped);
    ListingJob job{http, builder, result, config_};
    auto listed = lister(job);
    if (!listed) return std::unexpected(listed.error());
    builder.finish();
    if (builder.unnamed() > 0) {
      // Entries we cannot name are not models we can offer; all of them is a broken answer.
      if (builder.seen() == 0)
        return std::unexpected(make_error(ErrorCode::parse, "the " + provider + " answer lists " +
                                                                std::to_string(builder.unnamed()) + " entries and none has an id"));
      result.warnings.push_back(std::to_string(builder.unnamed()) + " entries without an id were ignored");
    }
    if (provider == "openai" && category == ModelCategory::tts) add_known_tts(result);
    // The builder made room for every entry; a category that keeps few of them (TTS of a
    // 10,000-model listing) gives the rest back before the merge holds its result.
    if (result.models.capacity() > result.models.size() + result.models.size() / 4) result.models.shrink_to_fit();
    result.requests = http.requests;
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - started);
    return result;
  }

  DiscoveryResult curated(const std::string& provider, ModelCategory category) const override {
    DiscoveryResult result;
    result.provider = provider;
    result.category = category;
    result.source = "curated";
    if (const auto* models = curated_.models(provider, category)) result.models = *models;
    if (!curated_.reviewed().empty()) result.warnings.push_back("curated list reviewed " + curated_.reviewed());
    return result;
  }

  std::optional<std::string> curated_default(const std::string& provider, ModelCategory category) const override {
    return curated_.default_model(provider, category);
  }

 private:
  const ProviderKind* find(const std::string& id) const {
    for (const auto* list : {&builtin_providers(), &compatible_})
      for (const auto& p : *list)
        if (p.id == id) return &p;
    return nullptr;
  }

  Error unknown(const std::string& provider, ModelCategory category) const {
    std::string known;
    for (const auto& p : providers(category)) known += (known.empty() ? "" : ", ") + p;
    return make_error(ErrorCode::invalid_argument, "unknown provider '" + provider + "' (known: " + known + ")");
  }

  std::string value_of(const std::string& variable) const {
    auto it = config_.environment.find(variable);
    return it == config_.environment.end() ? "" : it->second;
  }

  std::pair<std::string, std::string> key_of(const ProviderKind& kind) const {
    for (const auto& v : kind.key_variables)
      if (auto key = value_of(v); !key.empty()) return {key, v};
    return {"", kind.key_variables.empty() ? "" : kind.key_variables.front()};
  }

  std::string base_url_override(const ProviderKind& kind) const {
    if (auto it = config_.base_urls.find(kind.id); it != config_.base_urls.end()) return it->second;
    for (const auto& v : kind.base_url_variables)
      if (auto url = value_of(v); !url.empty()) return url;
    return "";
  }

  std::string base_url(const ProviderKind& kind) const {
    std::string url = base_url_override(kind);
    if (url.empty()) {
      url = kind.base_url;
      if (auto at = url.find("{region}"); at != std::string::npos) url.replace(at, 8, value_of("AZURE_SPEECH_REGION"));
    }
    if (url.find("://") == std::string::npos) url = "http://" + url;  // OLLAMA_HOST=localhost:11434
    return without_trailing_slash(url);
  }

  static std::string auth_header(Auth auth) {
    switch (auth) {
      case Auth::x_api_key: return "x-api-key";
      case Auth::x_goog_api_key: return "x-goog-api-key";
      case Auth::xi_api_key: return "xi-api-key";
      case Auth::ocp_apim: return "Ocp-Apim-Subscription-Key";
      default: return "Authorization";
    }
  }

  // OpenAI's listing may lack the TTS models it serves: add the known ones, said so.
  void add_known_tts(DiscoveryResult& result) const {
    const auto* known = curated_.models("openai", ModelCategory::tts);
    if (!known) return;
    std::string added;
    for (const auto& m : *known) {
      bool listed = std::any_of(result.models.begin(), result.models.end(), [&](const ModelInfo& x) { return x.id == m.id; });
      if (listed) continue;
      result.models.push_back(m);
      added += (added.empty() ? "" : ", ") + m.id;
    }
    if (!added.empty()) result.warnings.push_back("added known TTS models the listing lacks (curated): " + added);
  }

  DiscoveryConfig config_;
  std::shared_ptr<HttpTransport> transport_;
  Clock clock_;
  ProviderRules rules_;
  CuratedModels curated_;
  std::vector<ProviderKind> compatible_;
};

}  // namespace

Result<DiscoveryConfig> DiscoveryConfig::from_environment(const std::string& schema_dir) {
  DiscoveryConfig c;
  c.rules_path = (std::filesystem::path(schema_dir) / "provider_rules.json").string();
  c.curated_path = (std::filesystem::path(schema_dir) / "curated_models.json").string();
  for (const auto& name : known_variables())
    if (auto value = env(name); !value.empty()) c.environment[name] = value;
  auto compatible = parse_compatible(env("AIRREG_OPENAI_COMPATIBLE"));
  if (!compatible) return std::unexpected(compatible.error());
  for (auto& p : *compatible) {
    if (!p.key_variable.empty())
      if (auto key = env(p.key_variable); !key.empty()) c.environment[p.key_variable] = key;
    c.compatible.push_back(std::move(p));
  }
  return c;
}

Result<std::unique_ptr<Discovery>> Discovery::create(DiscoveryConfig config, std::shared_ptr<HttpTransport> transport,
                                                     Clock clock) {
  auto rules = ProviderRules::load(config.rules_path);
  if (!rules) return std::unexpected(rules.error());
  auto curated = CuratedModels::load(config.curated_path);
  if (!curated) return std::unexpected(curated.error());
  for (const auto& c : config.compatible)
    for (const auto& p : builtin_providers())
      if (p.id == c.id)
        return std::unexpected(make_error(ErrorCode::config, "the OpenAI-compatible provider '" + c.id +
                                                                 "' takes the name of a built-in one; choose another id"));
  return std::unique_ptr<Discovery>(std::make_unique<DiscoveryImpl>(std::move(config), std::move(transport), std::move(clock),
                                                                    std::move(*rules), std::move(*curated)));
}

}  // namespace airreg
