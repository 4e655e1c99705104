// libFuzzer target, built once per provider listing parser (AIRREG_FUZZ_PROVIDER names it):
// any bytes as the provider's answer to every request must give models or an error, never a
// crash, a hang or a sanitizer report.
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <string>

#include "airreg/discovery.hpp"

namespace {

// Answers every request with the fuzz input, 200 OK, in process.
class BytesTransport : public airreg::HttpTransport {
 public:
  std::string body;
  airreg::Result<airreg::HttpResponse> send(const airreg::HttpRequest&) override {
    return airreg::HttpResponse{200, {}, body};
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto transport = std::make_shared<BytesTransport>();
  static std::unique_ptr<airreg::Discovery> discovery = [] {
    airreg::DiscoveryConfig config;
    config.rules_path = AIRREG_SCHEMA_DIR "/provider_rules.json";
    config.curated_path = AIRREG_SCHEMA_DIR "/curated_models.json";
    config.base_urls[AIRREG_FUZZ_PROVIDER] = "http://127.0.0.1:1";
    config.ollama_context = true;
    for (const char* key : {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "MISTRAL_API_KEY", "GROQ_API_KEY",
                            "XAI_API_KEY", "ELEVENLABS_API_KEY", "AZURE_SPEECH_KEY"})
      config.environment[key] = "fuzz-key";
    config.max_attempts = 1;
    config.max_rate_limited_retries = 0;
    airreg::Clock clock = airreg::Clock::system();
    clock.sleep = [](airreg::Clock::Duration) {};
    return airreg::Discovery::create(config, transport, clock).value();
  }();
  transport->body.assign(reinterpret_cast<const char*>(data), size);
  for (auto category : {airreg::ModelCategory::text, airreg::ModelCategory::tts}) {
    auto providers = discovery->providers(category);
    if (std::find(providers.begin(), providers.end(), AIRREG_FUZZ_PROVIDER) != providers.end())
      (void)discovery->discover(AIRREG_FUZZ_PROVIDER, category);
  }
  return 0;
}
