// Provider discovery: asks a provider's model-listing API what it offers and normalises the
// answer. Which listed ids are text models, TTS models or skipped (embeddings, images, ...) is
// data (schema/provider_rules.json); a curated list (schema/curated_models.json) stands in
// when a provider has no listing or cannot be reached. Keys come from the usual environment
// variables and never appear in a result, a message or a log line.
// Thread-safe: discover() may run for several providers at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "airreg/clock.hpp"
#include "airreg/error.hpp"
#include "airreg/http_transport.hpp"

namespace airreg {

enum class ModelCategory { text, tts };
std::string_view to_string(ModelCategory c);
std::optional<ModelCategory> parse_category(std::string_view text);

struct ModelInfo {
  std::string id;            // as the provider's API names it (Gemini's without "models/")
  std::string display_name;
  std::optional<int64_t> context_window;     // tokens
  std::optional<int64_t> max_output_tokens;  // tokens
  std::optional<double> input_cost_per_1k;   // USD per 1,000 input tokens
  std::optional<double> output_cost_per_1k;  // USD per 1,000 output tokens
  std::vector<std::string> features;         // from DESIGN.md's set: chat, vision, tools, ...
  std::string deprecation_date;              // YYYY-MM-DD, when the provider announced one
  std::string raw_json;                      // the provider's entry, minified; only with keep_raw_json
};

struct SkippedModel {
  std::string id;
  std::string reason;  // "embedding", "image", "a tts model", ...
};

struct DiscoveryResult {
  std::string provider;
  ModelCategory category = ModelCategory::text;
  std::vector<ModelInfo> models;
  std::vector<SkippedModel> skipped;
  // Listed ids no rule of schema/provider_rules.json classes (they are among `skipped` too):
  // a new model family, to add a rule for.
  std::vector<std::string> unclassified;
  std::string source = "api";  // or "curated"
  std::vector<std::string> warnings;
  size_t requests = 0;
  std::chrono::milliseconds elapsed{0};
};

// Any server with an OpenAI-style GET {base}/models (vLLM, llama.cpp, LM Studio, DeepSeek,
// Azure OpenAI v1), discovered under its own id.
struct CompatibleProvider {
  std::string id;            // e.g. "deepseek"; the provider id in the registry
  std::string base_url;      // e.g. "https://api.deepseek.com"
  std::string key_variable;  // the environment variable holding its key; "" for none
};

struct DiscoveryConfig {
  std::string rules_path;    // schema/provider_rules.json
  std::string curated_path;  // schema/curated_models.json
  std::map<std::string, std::string> base_urls;  // provider -> base URL; else <PROVIDER>_BASE_URL, else the real one
  // The variables discovery reads (keys are secrets: never printed), as from_environment
  // found them; tests fill it directly.
  std::map<std::string, std::string> environment;
  std::vector<CompatibleProvider> compatible;
  bool ollama_context = false;  // ask Ollama's /api/show for each model's context length
  bool keep_raw_json = false;   // fill ModelInfo::raw_json (`discover --json`); a copy per entry
  // Fill DiscoveryResult::skipped (what `discover` shows). A registry and a sync never read
  // them and turn it off: the TTS listing of a 10,000-model provider skips 10,000 entries.
  bool keep_skipped = true;
  // A listing longer than this is read in pieces of about this size, by one small parser that
  // stays warm, instead of whole (providers/listing_pieces.hpp); 0 reads every listing whole.
  // Same models, same errors either way. At most 128 KiB: larger asks are read at that (bytes).
  size_t listing_piece_bytes = size_t{64} << 10;
  int max_rate_limited_retries = 3;                 // 429s before giving up
  std::chrono::seconds max_rate_limit_wait{60};     // a longer wait is an error, not a sleep (s)
  int max_attempts = 4;                             // tries for 5xx and transport failures
  std::chrono::milliseconds backoff_base{1'000};    // (ms)
  std::chrono::milliseconds backoff_cap{30'000};    // (ms)

  // Reads the *_API_KEY, *_BASE_URL, OLLAMA_HOST and AZURE_SPEECH_* variables, and
  // AIRREG_OPENAI_COMPATIBLE ("id=base_url[,KEY_VARIABLE];...").
  static Result<DiscoveryConfig> from_environment(const std::string& schema_dir);
};

class Discovery {
 public:
  static Result<std::unique_ptr<Discovery>> create(DiscoveryConfig config, std::shared_ptr<HttpTransport> transport,
                                                   Clock clock = Clock::system());
  virtual ~Discovery() = default;

  // The providers known for a category (built-in ones and compatible instances).
  virtual std::vector<std::string> providers(ModelCategory category) const = 0;
  // Whether the provider's key (if it needs one) is set; when not, why, in one line.
  virtual std::optional<std::string> missing_key(const std::string& provider, ModelCategory category) const = 0;
  // Asks the provider. A failed listing is an error (never "zero models").
  // `stop`: once requested, waits end and requests in flight are abandoned (cancelled).
  virtual Result<DiscoveryResult> discover(const std::string& provider, ModelCategory category,
                                           std::stop_token stop = {}) const = 0;
  // The curated models of a provider and category, marked source = "curated"; empty when none.
  virtual DiscoveryResult curated(const std::string& provider, ModelCategory category) const = 0;
  // The curated default model, when the list names one.
  virtual std::optional<std::string> curated_default(const std::string& provider, ModelCategory category) const = 0;
};

}  // namespace airreg
