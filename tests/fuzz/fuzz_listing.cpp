// libFuzzer target, built once per provider listing parser (AIRREG_FUZZ_PROVIDER names it):
// any bytes as the provider's answer to every request must give models or an error, never a
// crash, a hang or a sanitizer report; and the same answer read whole and read in pieces of a
// few bytes (providers/listing_pieces.hpp).
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "airreg/discovery.hpp"
#include "discovery_answer.hpp"

namespace {

// Answers every request with the fuzz input, 200 OK, in process.
class BytesTransport : public airreg::HttpTransport {
 public:
  std::string body;
  airreg::Result<airreg::HttpResponse> send(const airreg::HttpRequest&) override {
    return airreg::HttpResponse{200, {}, body};
  }
};

std::unique_ptr<airreg::Discovery> make_discovery(std::shared_ptr<BytesTransport> transport, size_t piece_bytes) {
  airreg::DiscoveryConfig config;
  config.listing_piece_bytes = piece_bytes;
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
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto transport = std::make_shared<BytesTransport>();
  static std::unique_ptr<airreg::Discovery> whole = make_discovery(transport, 0);
  static std::unique_ptr<airreg::Discovery> in_pieces = make_discovery(transport, 8);
  transport->body.assign(reinterpret_cast<const char*>(data), size);
  for (auto category : {airreg::ModelCategory::text, airreg::ModelCategory::tts}) {
    auto providers = whole->providers(category);
    if (std::find(providers.begin(), providers.end(), AIRREG_FUZZ_PROVIDER) == providers.end()) continue;
    if (airreg::test::discovery_answer(whole->discover(AIRREG_FUZZ_PROVIDER, category)) !=
        airreg::test::discovery_answer(in_pieces->discover(AIRREG_FUZZ_PROVIDER, category)))
      std::abort();  // a faster read may not change an answer
  }
  return 0;
}
