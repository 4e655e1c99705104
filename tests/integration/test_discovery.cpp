// Discovery against recorded provider answers served over loopback: the real requests,
// paging and parsing run on them.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <tuple>

#include "airreg/discovery.hpp"
#include "providers/listing_pieces.hpp"
#include "providers/provider_http.hpp"
#include "fake_clock.hpp"
#include "fixture_server.hpp"
#include "discovery_answer.hpp"
#include "repeated_listing.hpp"

using namespace std::chrono_literals;
using namespace airreg;
using airreg::test::discovery_answer;
using airreg::test::FakeClock;
using airreg::test::FixtureServer;
using airreg::test::provider_fixture;
using airreg::test::repeated_listing;
using Reply = FixtureServer::Reply;

namespace {

const std::string kKey = "sk-test-SECRET-key-123456";

// A discovery pointed at the fixture server for `provider`, with its key set.
struct Rig {
  FixtureServer server;
  FakeClock clock;
  DiscoveryConfig config;

  explicit Rig(const std::string& provider, const std::string& key_variable = "") {
    config.rules_path = AIRREG_TEST_SCHEMA_DIR "/provider_rules.json";
    config.curated_path = AIRREG_TEST_SCHEMA_DIR "/curated_models.json";
    config.base_urls[provider] = server.url();
    if (!key_variable.empty()) config.environment[key_variable] = kKey;
  }
  std::unique_ptr<Discovery> discovery() { return Discovery::create(config, make_curl_transport(), clock.clock()).value(); }
  DiscoveryResult run(const std::string& provider, ModelCategory category = ModelCategory::text) {
    auto result = discovery()->discover(provider, category);
    if (!result) FAIL(result.error().message);
    return *result;
  }
  Error fail(const std::string& provider, ModelCategory category = ModelCategory::text) {
    auto result = discovery()->discover(provider, category);
    REQUIRE_FALSE(result);
    return result.error();
  }
};

const ModelInfo& model(const DiscoveryResult& r, const std::string& id) {
  auto it = std::find_if(r.models.begin(), r.models.end(), [&](const ModelInfo& m) { return m.id == id; });
  if (it == r.models.end()) FAIL("no model " << id);
  return *it;
}

std::string skip_reason(const DiscoveryResult& r, const std::string& id) {
  for (const auto& s : r.skipped)
    if (s.id == id) return s.reason;
  return "(not skipped)";
}

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Splits a recorded listing's array into pages of `size` entries, as JSON texts.
std::vector<std::string> pages_of(const std::string& body, const char* array_key, size_t size) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  const auto& all = doc[array_key].GetArray();
  std::vector<std::string> pages;
  for (rapidjson::SizeType start = 0; start < all.Size(); start += static_cast<rapidjson::SizeType>(size)) {
    rapidjson::Document page(rapidjson::kObjectType);
    rapidjson::Value list(rapidjson::kArrayType);
    for (rapidjson::SizeType i = start; i < std::min<rapidjson::SizeType>(all.Size(), start + size); ++i)
      list.PushBack(rapidjson::Value(all[i], page.GetAllocator()), page.GetAllocator());
    page.AddMember(rapidjson::StringRef(array_key), list, page.GetAllocator());
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    page.Accept(w);
    pages.emplace_back(buffer.GetString(), buffer.GetSize());
  }
  return pages;
}

// Adds paging fields to a page: has_more/last_id (Anthropic) or nextPageToken (Gemini).
std::string with_fields(const std::string& page, const std::vector<std::pair<const char*, std::string>>& strings,
                        std::optional<bool> has_more = {}) {
  rapidjson::Document doc;
  doc.Parse(page.c_str());
  for (const auto& [k, v] : strings)
    doc.AddMember(rapidjson::StringRef(k), rapidjson::Value(v.c_str(), doc.GetAllocator()), doc.GetAllocator());
  if (has_more) doc.AddMember("has_more", *has_more, doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  doc.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

TEST_CASE("every OpenAI id of both recordings gets its expected class", "[discovery][openai]") {
  // The expected class of each id, written down by hand: text, tts, or the skip reason.
  const std::map<std::string, std::string> expected{
      {"gpt-4-0613", "text"}, {"gpt-4", "text"}, {"gpt-3.5-turbo", "text"}, {"gpt-5.2-codex", "text"},
      {"gpt-5.1-codex-mini", "text"}, {"gpt-5.1-chat-latest", "text"}, {"gpt-5.1-2025-11-13", "text"},
      {"gpt-5.1", "text"}, {"gpt-5.1-codex", "text"}, {"gpt-4-1106-preview", "text"}, {"gpt-3.5-turbo-1106", "text"},
      {"gpt-4-0125-preview", "text"}, {"gpt-4-turbo-preview", "text"}, {"gpt-3.5-turbo-0125", "text"},
      {"gpt-4-turbo", "text"}, {"gpt-4-turbo-2024-04-09", "text"}, {"gpt-4o", "text"}, {"gpt-4o-2024-05-13", "text"},
      {"gpt-4o-mini-2024-07-18", "text"}, {"gpt-4o-mini", "text"},
      {"gpt-4o-mini-tts-2025-12-15", "tts"}, {"tts-1-hd", "tts"}, {"tts-1-1106", "tts"}, {"tts-1-hd-1106", "tts"},
      {"gpt-realtime-mini-2025-12-15", "realtime"}, {"gpt-audio-mini-2025-12-15", "audio"},
      {"chatgpt-image-latest", "image"}, {"dall-e-3", "image"}, {"dall-e-2", "image"},
      {"davinci-002", "completion only (not chat)"}, {"babbage-002", "completion only (not chat)"},
      {"gpt-3.5-turbo-instruct", "completion only (not chat)"}, {"gpt-3.5-turbo-instruct-0914", "completion only (not chat)"},
      {"text-embedding-3-small", "embedding"}, {"text-embedding-3-large", "embedding"},
  };
  for (const char* recording : {"openai/2025-11/v1_models.json", "openai/2026-02/v1_models.json"}) {
    CAPTURE(recording);
    Rig rig("openai", "OPENAI_API_KEY");
    rig.config.keep_raw_json = true;  // tells listed entries from curated additions
    rig.server.reply("GET", "/models", Reply{200, provider_fixture(recording), {}});
    auto text = rig.run("openai");
    auto tts = rig.run("openai", ModelCategory::tts);
    size_t checked = 0;
    for (const auto& m : text.models) {
      CHECK(expected.at(m.id) == "text");
      ++checked;
    }
    for (const auto& s : text.skipped) {
      CAPTURE(s.id);
      const auto& want = expected.at(s.id);
      if (want == "tts") {
        CHECK(s.reason == "a tts model");
      } else {
        CHECK(s.reason == want);
        ++checked;
      }
    }
    for (const auto& m : tts.models) {
      if (m.raw_json.find("\"owned_by\"") == std::string::npos) continue;  // added from the curated list
      CHECK(expected.at(m.id) == "tts");
      ++checked;
    }
    CHECK(checked == 30);  // every id of the recording, each once
  }
}

TEST_CASE("OpenAI: counts, the bearer key, and known TTS models added when the listing lacks them", "[discovery][openai]") {
  Rig rig("openai", "OPENAI_API_KEY");
  rig.server.reply("GET", "/models", Reply{200, provider_fixture("openai/2026-02/v1_models.json"), {}});
  auto text = rig.run("openai");
  CHECK(text.models.size() == 15);
  CHECK(text.skipped.size() == 15);
  CHECK(text.source == "api");
  CHECK(text.requests == 1);
  CHECK(rig.server.seen().front().headers.find("Authorization")->second == "Bearer " + kKey);
  CHECK(has(model(text, "gpt-4o").features, "chat"));
  CHECK(model(text, "gpt-4o").raw_json.empty());  // copied only for `discover --json`
  rig.config.keep_raw_json = true;
  auto with_raw = rig.run("openai");
  CHECK_THAT(model(with_raw, "gpt-4o").raw_json, Catch::StartsWith(R"({"id":"gpt-4o","object":"model")"));
  auto tts = rig.run("openai", ModelCategory::tts);
  // Listed: gpt-4o-mini-tts-2025-12-15, tts-1-hd, tts-1-1106, tts-1-hd-1106; known and added:
  // gpt-4o-mini-tts and tts-1.
  CHECK(tts.models.size() == 6);
  CHECK(has(model(tts, "tts-1").features, "tts"));
  REQUIRE(tts.warnings.size() == 1);
  CHECK_THAT(tts.warnings[0], Catch::Contains("gpt-4o-mini-tts, tts-1"));
}

TEST_CASE("Anthropic: pages by after_id while has_more, with its headers", "[discovery][anthropic]") {
  Rig rig("anthropic", "ANTHROPIC_API_KEY");
  auto pages = pages_of(provider_fixture("anthropic/2026-02/v1_models.json"), "data", 4);
  REQUIRE(pages.size() == 3);
  rig.server.on("GET", "/models", [&](const FixtureServer::Seen& s) {
    std::string after = s.param("after_id");
    size_t page = after.empty() ? 0 : after == "claude-opus-4-1-20250805" ? 1 : 2;
    const char* last[] = {"claude-opus-4-1-20250805", "claude-3-5-haiku-20241022", "x"};
    return Reply{200, with_fields(pages[page], {{"last_id", last[page]}}, page < 2), {}};
  });
  auto r = rig.run("anthropic");
  CHECK(r.models.size() == 10);
  CHECK(r.requests == 3);
  auto seen = rig.server.seen();
  CHECK(seen[0].headers.find("x-api-key")->second == kKey);
  CHECK(seen[0].headers.find("anthropic-version")->second == "2023-06-01");
  CHECK(seen[1].param("after_id") == "claude-opus-4-1-20250805");
  CHECK(model(r, "claude-opus-4-6").display_name == "Claude Opus 4.6");
}

TEST_CASE("Gemini: pages by pageToken, strips models/, keeps generateContent models, splits TTS", "[discovery][google]") {
  Rig rig("google", "GEMINI_API_KEY");
  std::string page1 = provider_fixture("google/2025-09/v1beta_models_page1.json");
  std::string page2 = provider_fixture("google/2026-02/v1beta_models.json");
  rig.server.on("GET", "/models", [&](const FixtureServer::Seen& s) {
    return Reply{200, s.param("pageToken").empty() ? page1 : page2, {}};
  });
  auto text = rig.run("google");
  CHECK(text.requests == 2);
  CHECK(rig.server.seen()[1].param("pageToken") == "Ch5tb2RlbHMvaW1hZ2VuLTMuMC1nZW5lcmF0ZS0wMDI=");
  CHECK(rig.server.seen()[0].headers.find("x-goog-api-key")->second == kKey);
  const auto& flash = model(text, "gemini-2.5-flash");
  CHECK(flash.context_window == 1048576);
  CHECK(flash.max_output_tokens == 65536);
  CHECK(flash.display_name == "Gemini 2.5 Flash");
  CHECK(has(flash.features, "reasoning"));
  CHECK(skip_reason(text, "gemini-2.5-flash-image") == "image");
  CHECK(skip_reason(text, "gemini-2.5-flash-preview-tts") == "a tts model");
  for (const auto& m : text.models) CHECK(m.id.find("models/") == std::string::npos);
  // Distinct ids of both pages: each kept or skipped once.
  CHECK(text.models.size() + text.skipped.size() == 52);
  auto tts = rig.run("google", ModelCategory::tts);
  CHECK(tts.models.size() == 2);
  CHECK(has(model(tts, "gemini-2.5-pro-preview-tts").features, "tts"));
}

TEST_CASE("Mistral: chat capability, context, deprecation; an id listed twice is one model", "[discovery][mistral]") {
  Rig rig("mistral", "MISTRAL_API_KEY");
  rig.server.reply("GET", "/models", Reply{200, provider_fixture("mistral/2026-02/v1_models.json"), {}});
  auto r = rig.run("mistral");
  CHECK(r.models.size() == 14);
  CHECK(r.skipped.size() == 6);
  CHECK(model(r, "mistral-medium-2508").context_window == 131072);
  CHECK(has(model(r, "mistral-medium-2508").features, "vision"));
  CHECK(has(model(r, "mistral-medium-2508").features, "tools"));
  CHECK(model(r, "mistral-small-2501").deprecation_date == "2026-02-28");
  CHECK(std::count_if(r.models.begin(), r.models.end(), [](const ModelInfo& m) { return m.id == "voxtral-mini-latest"; }) == 1);
  CHECK(skip_reason(r, "mistral-embed") == "embedding");
  CHECK(skip_reason(r, "mistral-ocr-2503") == "ocr");
}

TEST_CASE("Groq: /openai/v1/models with context_window and active", "[discovery][groq]") {
  Rig rig("groq", "GROQ_API_KEY");
  rapidjson::Document doc;
  doc.Parse(provider_fixture("_reference/groq_models_list_docs_example.json").c_str());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  doc["docs_example"].Accept(w);
  rig.server.reply("GET", "/models", Reply{200, buffer.GetString(), {}});
  auto r = rig.run("groq");
  REQUIRE(r.models.size() == 1);
  CHECK(r.models[0].id == "gemma2-9b-it");
  CHECK(r.models[0].context_window == 8192);
  CHECK(skip_reason(r, "whisper-large-v3-turbo") == "speech to text");
}

TEST_CASE("xAI: prices from /language-models in USD per 1K tokens, aliases included", "[discovery][xai]") {
  Rig rig("xai", "XAI_API_KEY");
  rig.server.reply("GET", "/models", Reply{200, provider_fixture("xai/2026-02/v1_models.json"), {}});
  rig.server.reply("GET", "/language-models", Reply{200, provider_fixture("xai/docs/v1_language_models.json"), {}});
  auto r = rig.run("xai");
  CHECK(r.models.size() == 9);
  CHECK(r.skipped.size() == 4);
  CHECK(skip_reason(r, "grok-imagine-video") == "video");
  // 30000 cents per 100M tokens = $3 per 1M = $0.003 per 1K.
  CHECK(model(r, "grok-3").input_cost_per_1k == Approx(0.003));
  CHECK(model(r, "grok-3").output_cost_per_1k == Approx(0.015));
  CHECK(model(r, "grok-3-mini").input_cost_per_1k == Approx(0.0003));
  CHECK_FALSE(model(r, "grok-4-0709").input_cost_per_1k);
  CHECK(r.warnings.empty());
}

TEST_CASE("xAI without /language-models still lists, with a warning", "[discovery][xai]") {
  Rig rig("xai", "XAI_API_KEY");
  rig.server.reply("GET", "/models", Reply{200, provider_fixture("xai/2025-08/v1_models.json"), {}});
  auto r = rig.run("xai");
  CHECK_FALSE(r.models.empty());
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0], Catch::Contains("no prices"));
}

TEST_CASE("OpenRouter: per-token decimal strings become per-1K prices; -1 is unknown; expiration is deprecation", "[discovery][openrouter]") {
  Rig rig("openrouter");  // no key needed
  rig.server.reply("GET", "/models", Reply{200, provider_fixture("openrouter/2026-02/api_v1_models.json"), {}});
  auto r = rig.run("openrouter");
  CHECK(r.models.size() == 32);
  const auto& qwen = model(r, "qwen/qwen3-max-thinking");
  CHECK(qwen.input_cost_per_1k == Approx(0.0012));
  CHECK(qwen.output_cost_per_1k == Approx(0.006));
  CHECK(qwen.context_window == 262144);
  CHECK(qwen.max_output_tokens == 32768);
  CHECK(has(qwen.features, "tools"));
  CHECK(has(qwen.features, "reasoning"));
  CHECK_FALSE(model(r, "openrouter/auto").input_cost_per_1k);
  CHECK(model(r, "google/gemini-2.0-flash-lite-001").deprecation_date == "2026-03-03");
  CHECK(model(r, "upstage/solar-pro-3:free").input_cost_per_1k == 0.0);
  CHECK(rig.server.seen()[0].headers.count("Authorization") == 0);
  // Every model's features, in their order, as read from the recording by RapidJSON.
  rapidjson::Document doc;
  doc.Parse(provider_fixture("openrouter/2026-02/api_v1_models.json").c_str());
  auto lists = [](const rapidjson::Value& object, const char* key, const char* item) {
    if (!object.IsObject() || !object.HasMember(key) || !object[key].IsArray()) return false;
    for (const auto& v : object[key].GetArray())
      if (v.IsString() && std::string(v.GetString()) == item) return true;
    return false;
  };
  size_t with_vision = 0;
  for (const auto& entry : doc["data"].GetArray()) {
    std::vector<std::string> features = {"chat"};
    if (entry.HasMember("architecture") && lists(entry["architecture"], "input_modalities", "image")) features.push_back("vision");
    if (lists(entry, "supported_parameters", "tools")) features.push_back("tools");
    if (lists(entry, "supported_parameters", "reasoning")) features.push_back("reasoning");
    if (lists(entry, "supported_parameters", "response_format")) features.push_back("json");
    CAPTURE(entry["id"].GetString());
    CHECK(model(r, entry["id"].GetString()).features == features);
    with_vision += features.size() > 1 && features[1] == "vision";
  }
  CHECK(with_vision > 0);
}

TEST_CASE("Ollama: /api/tags, and the context length from /api/show when asked", "[discovery][ollama]") {
  Rig rig("ollama");
  rig.config.ollama_context = true;
  rig.server.reply("GET", "/api/tags", Reply{200, provider_fixture("ollama/2025-06/api_tags.json"), {}});
  rig.server.reply("POST", "/api/show", Reply{200, R"({"model_info":{"general.architecture":"qwen3","qwen3.context_length":40960}})", {}});
  auto r = rig.run("ollama");
  CHECK(r.models.size() == 6);
  CHECK(model(r, "qwen3:14b").context_window == 40960);
  CHECK(r.requests == 7);
}

TEST_CASE("an OpenAI-compatible server is discovered under its own id with its own key variable", "[discovery][compatible]") {
  Rig rig("unused");
  rig.config.compatible.push_back({"deepseek", rig.server.url(), "DEEPSEEK_API_KEY"});
  rig.config.environment["DEEPSEEK_API_KEY"] = kKey;
  rig.server.reply("GET", "/models", Reply{200, provider_fixture("openai-compatible/deepseek_2026-02_models.json"), {}});
  auto r = rig.run("deepseek");
  CHECK(r.models.size() == 2);
  CHECK(r.provider == "deepseek");
  auto d = rig.discovery();
  CHECK(has(d->providers(ModelCategory::text), "deepseek"));
}

TEST_CASE("TTS: ElevenLabs models that can speak, and every Azure voice", "[discovery][tts]") {
  Rig eleven("elevenlabs", "ELEVENLABS_API_KEY");
  eleven.server.reply("GET", "/models", Reply{200, R"([{"model_id":"eleven_multilingual_v2","name":"Eleven Multilingual v2","can_do_text_to_speech":true},{"model_id":"eleven_english_sts_v2","name":"STS","can_do_text_to_speech":false}])", {}});
  auto e = eleven.run("elevenlabs", ModelCategory::tts);
  CHECK(e.models.size() == 1);
  CHECK(skip_reason(e, "eleven_english_sts_v2") == "no text to speech");
  CHECK(eleven.server.seen()[0].headers.find("xi-api-key")->second == kKey);

  Rig azure("azure", "AZURE_SPEECH_KEY");
  azure.server.reply("GET", "/cognitiveservices/voices/list", Reply{200, provider_fixture("azure/docs/voices_list.json"), {}});
  auto a = azure.run("azure", ModelCategory::tts);
  CHECK(a.models.size() == 4);
  CHECK(model(a, "en-US-JennyNeural").display_name == "Jenny (en-US)");
  CHECK(azure.server.seen()[0].headers.find("Ocp-Apim-Subscription-Key")->second == kKey);
}

TEST_CASE("a refused key names the variable and the provider, never the key", "[discovery][errors]") {
  struct Case {
    const char* provider;
    const char* variable;
    int status;
    std::string body;
  };
  std::vector<Case> cases{
      {"openai", "OPENAI_API_KEY", 401, provider_fixture("openai/errors/401_invalid_api_key.json")},
      {"anthropic", "ANTHROPIC_API_KEY", 401, provider_fixture("anthropic/errors/401_authentication_error.json")},
      {"google", "GEMINI_API_KEY", 400, provider_fixture("google/errors/400_api_key_invalid.json")},
      {"xai", "XAI_API_KEY", 400, R"({"code":"invalid-argument","error":"Incorrect API key provided: sk-test-SECRET-key-123456. You can obtain an API key from https://console.x.ai."})"},
      {"mistral", "MISTRAL_API_KEY", 401, R"({"detail":"Invalid API Key"})"},
      {"openrouter", "OPENROUTER_API_KEY", 401, R"({"error":{"message":"No auth credentials found","code":401}})"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.provider);
    Rig rig(c.provider, c.variable);
    rig.server.reply("GET", "/models", Reply{c.status, c.body, {}});
    Error e = rig.fail(c.provider);
    CHECK(e.message == std::string("the key in ") + c.variable + " was refused by " + c.provider);
    CHECK(e.message.find(kKey) == std::string::npos);
    CHECK(rig.server.seen().size() == 1);  // not retried
  }
}

TEST_CASE("a provider that wants a key it was not given says which variable to set", "[discovery][errors]") {
  Rig rig("openrouter");
  rig.server.reply("GET", "/models", Reply{401, R"({"error":{"message":"Missing Authentication header","code":401}})", {}});
  CHECK(rig.fail("openrouter").message == "openrouter refused the request without a key: set OPENROUTER_API_KEY");
}

TEST_CASE("an OpenAI-compatible server's refusal names its own key variable", "[discovery][errors]") {
  Rig rig("unused");
  rig.config.compatible.push_back({"deepseek", rig.server.url(), "DEEPSEEK_API_KEY"});
  rig.config.environment["DEEPSEEK_API_KEY"] = kKey;
  rig.server.reply("GET", "/models", Reply{401, R"({"error":{"message":"Authentication Fails, Your api key: ****-key is invalid","type":"authentication_error"}})", {}});
  CHECK(rig.fail("deepseek").message == "the key in DEEPSEEK_API_KEY was refused by deepseek");
}

TEST_CASE("a 429 is retried after the wait the provider names", "[discovery][errors]") {
  SECTION("Retry-After header") {
    Rig rig("openai", "OPENAI_API_KEY");
    int calls = 0;
    rig.server.on("GET", "/models", [&](const FixtureServer::Seen&) {
      return ++calls == 1 ? Reply{429, R"({"error":{"message":"Rate limit reached"}})", {{"Retry-After", "7"}}}
                          : Reply{200, provider_fixture("openai/2026-02/v1_models.json"), {}};
    });
    auto r = rig.run("openai");
    CHECK(r.requests == 2);
    CHECK(rig.clock.sleeps() == std::vector<FakeClock::Duration>{7s});
  }
  SECTION("Gemini's retryDelay in the body") {
    Rig rig("google", "GEMINI_API_KEY");
    int calls = 0;
    rig.server.on("GET", "/models", [&](const FixtureServer::Seen&) {
      return ++calls == 1 ? Reply{429, R"({"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}})", {}}
                          : Reply{200, provider_fixture("google/2026-02/v1beta_models.json"), {}};
    });
    rig.run("google");
    CHECK(rig.clock.sleeps() == std::vector<FakeClock::Duration>{12s});
  }
  SECTION("OpenAI's x-ratelimit-reset-requests") {
    Rig rig("openai", "OPENAI_API_KEY");
    int calls = 0;
    rig.server.on("GET", "/models", [&](const FixtureServer::Seen&) {
      return ++calls == 1 ? Reply{429, "{}", {{"x-ratelimit-reset-requests", "1m30s"}}}
                          : Reply{200, provider_fixture("openai/2026-02/v1_models.json"), {}};
    });
    rig.config.max_rate_limit_wait = 120s;
    rig.run("openai");
    CHECK(rig.clock.sleeps() == std::vector<FakeClock::Duration>{90s});
  }
  SECTION("at most a few times") {
    Rig rig("openai", "OPENAI_API_KEY");
    rig.server.reply("GET", "/models", Reply{429, "{}", {{"Retry-After", "1"}}});
    Error e = rig.fail("openai");
    CHECK(e.code == ErrorCode::rate_limited);
    CHECK(rig.server.seen().size() == 4);
  }
}

TEST_CASE("a 5xx is retried with backoff, then reported", "[discovery][errors]") {
  Rig rig("mistral", "MISTRAL_API_KEY");
  int calls = 0;
  rig.server.on("GET", "/models", [&](const FixtureServer::Seen&) {
    return ++calls < 3 ? Reply{503, R"({"message":"overloaded"})", {}} : Reply{200, provider_fixture("mistral/2026-02/v1_models.json"), {}};
  });
  auto r = rig.run("mistral");
  CHECK(r.requests == 3);
  CHECK(rig.clock.sleeps().size() == 2);
  Rig down("mistral", "MISTRAL_API_KEY");
  down.server.reply("GET", "/models", Reply{500, R"({"message":"boom"})", {}});
  Error e = down.fail("mistral");
  CHECK(e.message == "mistral answered HTTP 500: boom");
  CHECK(down.server.seen().size() == 4);
}

TEST_CASE("a body that is not the JSON expected is an error naming the provider and the byte, never zero models", "[discovery][errors]") {
  std::string good = provider_fixture("openai/2026-02/v1_models.json");
  struct Case {
    std::string body;
    const char* says;
  };
  std::vector<Case> cases{
      {good.substr(0, good.size() / 2), "the openai answer is not JSON at byte 1910"},
      {R"({"data":[{"id":"a"},{"id":"b"})", "not JSON at byte 30"},
      {R"({"data":[{"id":"a"} {"id":"b"}]})", "not JSON at byte 20: Missing a comma or ']' after an array element."},
      {R"({"data":[{"id": tru}, {"name": 5}]})", "not JSON at byte 19: Invalid value."},
      {R"({"data":[{"name":"x"},{"id":5}]})", "lists 2 entries and none has an id"},
      {"<html>Bad gateway</html>", "the openai answer is not JSON at byte 0"},
      {R"({"object":"list","items":[]})", "\"data\" list"},
      {R"({"data":[1,2,3]})", "a model object"},
      {"", "the openai answer is not JSON"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.body.substr(0, 40));
    Rig rig("openai", "OPENAI_API_KEY");
    rig.server.reply("GET", "/models", Reply{200, c.body, {}});
    Error e = rig.fail("openai");
    CHECK(e.code == ErrorCode::parse);
    CHECK_THAT(e.message, Catch::Contains(c.says));
  }
}

TEST_CASE("a body nested a million deep is an error, not a stack overflow", "[discovery][errors]") {
  // simdjson stops at depth 1024; the offset of a syntax error behind the nesting comes from
  // RapidJSON's iterative reader, which keeps its own stack.
  for (const std::string& body : {std::string(1'000'000, '[') + "\"x", std::string(1'000'000, '[')}) {
    Rig rig("openai", "OPENAI_API_KEY");
    rig.server.reply("GET", "/models", Reply{200, body, {}});
    Error e = rig.fail("openai");
    CHECK(e.code == ErrorCode::parse);
    CHECK_THAT(e.message, Catch::Contains("the openai answer is not JSON"));
  }
}

TEST_CASE("listings larger than a kept parser, then small ones, read the same on one thread", "[discovery]") {
  // 6,000 entries (about 500 KB) outgrow the parser a thread keeps; the next listing is read
  // by a fresh one, and nothing of the big body leaks into it.
  std::string big = R"({"object":"list","data":[)";
  for (int i = 0; i < 6000; ++i) big += (i ? "," : "") + std::string(R"({"id":"gpt-5-big-)") + std::to_string(i) + R"(","object":"model","owned_by":"x"})";
  big += "]}";
  REQUIRE(big.size() > 256 * 1024);
  Rig rig("openai", "OPENAI_API_KEY");
  rig.server.reply("GET", "/models", Reply{200, big, {}});
  CHECK(rig.run("openai").models.size() == 6000);
  rig.server.reply("GET", "/models", Reply{200, R"({"object":"list","data":[{"id":"gpt-5-small","object":"model"}]})", {}});
  auto small = rig.run("openai");
  REQUIRE(small.models.size() == 1);
  CHECK(small.models[0].id == "gpt-5-small");
  rig.server.reply("GET", "/models", Reply{200, big, {}});
  CHECK(rig.run("openai").models.size() == 6000);
}

TEST_CASE("a listing big enough for huge pages reads the same as its entries in small listings", "[discovery][openrouter]") {
  // Over 4 MiB, the parser's buffers are made before the parse and put on huge pages
  // (json_listing.cpp); pages of 100 entries take the ordinary path. Same models, same order.
  std::string big = repeated_listing(provider_fixture("openrouter/2026-02/api_v1_models.json"), 3500);
  REQUIRE(big.size() > 4u << 20);
  Rig rig("openrouter");
  rig.config.listing_piece_bytes = 0;  // whole, not in pieces (test_listing_pieces)
  rig.server.reply("GET", "/models", Reply{200, big, {}});
  auto whole = rig.run("openrouter");
  std::vector<ModelInfo> paged;
  std::vector<std::string> paged_skipped;
  for (const auto& page : pages_of(big, "data", 100)) {
    REQUIRE(page.size() < 256u << 10);
    rig.server.reply("GET", "/models", Reply{200, page, {}});
    auto part = rig.run("openrouter");
    paged.insert(paged.end(), part.models.begin(), part.models.end());
    for (const auto& skipped : part.skipped) paged_skipped.push_back(skipped.id + ": " + skipped.reason);
  }
  REQUIRE(whole.models.size() == paged.size());
  CHECK(whole.models.size() > 3000);
  for (size_t i = 0; i < paged.size(); ++i) {
    const auto &a = whole.models[i], &b = paged[i];
    CAPTURE(b.id);
    CHECK(a.id == b.id);
    CHECK(a.display_name == b.display_name);
    CHECK(a.context_window == b.context_window);
    CHECK(a.max_output_tokens == b.max_output_tokens);
    CHECK(a.input_cost_per_1k == b.input_cost_per_1k);
    CHECK(a.output_cost_per_1k == b.output_cost_per_1k);
    CHECK(a.features == b.features);
    CHECK(a.deprecation_date == b.deprecation_date);
  }
  std::vector<std::string> whole_skipped;
  for (const auto& skipped : whole.skipped) whole_skipped.push_back(skipped.id + ": " + skipped.reason);
  CHECK(whole_skipped == paged_skipped);

  // Broken past the 4 MiB mark: still an error naming the byte, and nothing read.
  std::string broken = big.substr(0, big.size() - 100) + "{";
  rig.server.reply("GET", "/models", Reply{200, broken, {}});
  Error e = rig.fail("openrouter");
  CHECK(e.code == ErrorCode::parse);
  CHECK_THAT(e.message, Catch::Contains("the openrouter answer is not JSON at byte"));
}

namespace {

// What the rig's discovery answers (test/discovery_answer.hpp), reading in pieces of `piece_bytes`.
std::string answer_of(Rig& rig, const std::string& provider, size_t piece_bytes, ModelCategory category = ModelCategory::text) {
  rig.config.listing_piece_bytes = piece_bytes;
  rig.config.keep_raw_json = true;
  return discovery_answer(rig.discovery()->discover(provider, category));
}

// The answer for `body` read whole, and the same in pieces of each size.
void check_pieces_answer_as_whole(const std::string& provider, const std::string& path, const std::string& body,
                                  ModelCategory category = ModelCategory::text, const std::string& key_variable = "") {
  Rig rig(provider, key_variable);
  rig.server.reply("GET", path, Reply{200, body, {}});
  std::string whole = answer_of(rig, provider, 0, category);
  for (size_t bytes : {size_t{1}, size_t{300}, size_t{4096}, size_t{64} << 10}) {
    CAPTURE(bytes);
    CHECK(answer_of(rig, provider, bytes, category) == whole);
  }
}

}  // namespace

TEST_CASE("a long listing read in pieces answers what the whole listing answers", "[discovery][listing_pieces]") {
  std::string recorded = provider_fixture("openrouter/2026-02/api_v1_models.json");
  std::string big = repeated_listing(recorded, 400);
  REQUIRE(big.size() > 200u << 10);
  check_pieces_answer_as_whole("openrouter", "/models", big);
  // As recorded: pretty-printed, "}," and "{" on lines of their own.
  check_pieces_answer_as_whole("openrouter", "/models", recorded);
  // Both are read in pieces indeed, not given back to be read whole.
  for (std::string body : {big, recorded}) {
    size_t pieces = 0;
    auto outcome = providers::read_list_in_pieces("openrouter", body, "data", 300,
                                                  [&](providers::JsonListing&, providers::array&, size_t) { return ++pieces > 0; });
    CHECK(outcome == providers::PiecesOutcome::read);
    CHECK(pieces > 20);
  }
  // A root list (ElevenLabs).
  std::string voices = "[";
  for (int i = 0; i < 300; ++i)
    voices += std::string(i ? "," : "") + R"({"model_id":"eleven_v)" + std::to_string(i) +
              R"(","name":"Eleven","can_do_text_to_speech":)" + (i % 3 ? "true" : "false") + "}";
  check_pieces_answer_as_whole("elevenlabs", "/models", voices + "]", ModelCategory::tts, "ELEVENLABS_API_KEY");
}

TEST_CASE("a listing whose cuts fall inside strings, nested lists or a repeated list answers as read whole", "[discovery][listing_pieces]") {
  std::string big = repeated_listing(provider_fixture("openrouter/2026-02/api_v1_models.json"), 120);
  auto edited = [&](const std::string& from, const std::string& to) {
    std::string out = big;
    for (size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) out.replace(at, from.size(), to);
    return out;
  };
  // Descriptions holding what a cut looks for.
  check_pieces_answer_as_whole("openrouter", "/models", edited(R"("description":")", R"("description":"},{\"id\":\"evil\"}, {)"));
  // Entries holding lists of objects.
  check_pieces_answer_as_whole("openrouter", "/models", edited(R"("per_request_limits":null)", R"("per_request_limits":[{"a":1},{"b":{}}])"));
  // Members around the list, and a second list of the same name after it (the first is read).
  check_pieces_answer_as_whole("openrouter", "/models", R"({"object":"list",)" + big.substr(1, big.size() - 2) + R"(,"data":[{"id":"other/x"}],"n":1})");
  check_pieces_answer_as_whole("openrouter", "/models", R"({"data":[{"id":"openai/first"}],)" + big.substr(1));
}

TEST_CASE("a long listing broken in its middle or its end is the error the whole listing gives", "[discovery][listing_pieces]") {
  std::string big = repeated_listing(provider_fixture("openrouter/2026-02/api_v1_models.json"), 120);
  size_t middle = big.find(R"("context_length":)", big.size() / 2);
  // Not JSON: the error names the byte.
  std::string broken = big;
  broken.replace(middle, 17, R"("context_length";)");
  check_pieces_answer_as_whole("openrouter", "/models", broken);
  check_pieces_answer_as_whole("openrouter", "/models", big.substr(0, big.size() - 2));
  // An entry that is not an object: the error names the entry.
  size_t entry = big.find(R"(},{)", big.size() / 2);
  check_pieces_answer_as_whole("openrouter", "/models", big.substr(0, entry + 2) + "42," + big.substr(entry + 2));
  // Nested deeper than simdjson's limit, in a middle piece, or just within it.
  for (int depth : {1019, 1020, 1021, 1022}) {
    CAPTURE(depth);
    std::string deep = R"({"id":"deep/x","name":"Deep","l":)" + std::string(static_cast<size_t>(depth), '[') +
                       std::string(static_cast<size_t>(depth), ']') + "},";
    check_pieces_answer_as_whole("openrouter", "/models", big.substr(0, entry + 2) + deep + big.substr(entry + 2));
  }
  Rig rig("openrouter");
  rig.server.reply("GET", "/models", Reply{200, broken, {}});
  CHECK_THAT(answer_of(rig, "openrouter", 300), Catch::Contains("the openrouter answer is not JSON at byte"));
}

TEST_CASE("a provider without its key is a one-line config error; an unknown one names the known", "[discovery][errors]") {
  Rig rig("openai");
  auto d = rig.discovery();
  CHECK(d->missing_key("openai", ModelCategory::text) == "no key: set OPENAI_API_KEY");
  CHECK(d->missing_key("google", ModelCategory::text) == "no key: set GEMINI_API_KEY or GOOGLE_API_KEY");
  CHECK_FALSE(d->missing_key("openrouter", ModelCategory::text));
  CHECK(d->missing_key("ollama", ModelCategory::text) == "no OLLAMA_HOST set");
  auto missing = d->discover("openai", ModelCategory::text);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::config);
  CHECK(rig.server.seen().empty());
  auto unknown = d->discover("openia", ModelCategory::text);
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error().message, Catch::Contains("known: openai, anthropic"));
  auto no_tts = d->discover("anthropic", ModelCategory::tts);
  REQUIRE_FALSE(no_tts);
  CHECK_THAT(no_tts.error().message, Catch::Contains("has no tts models"));
}

TEST_CASE("the curated list stands in, marked curated, with its default", "[discovery][curated]") {
  Rig rig("openai");
  auto d = rig.discovery();
  auto c = d->curated("anthropic", ModelCategory::text);
  CHECK(c.source == "curated");
  CHECK_FALSE(c.models.empty());
  CHECK(d->curated_default("openai", ModelCategory::tts) == "gpt-4o-mini-tts");
  CHECK(d->curated("ollama", ModelCategory::text).models.empty());
}

TEST_CASE("NaN, inf and 1e400 from a provider never reach the JSON we write", "[discovery][errors]") {
  Rig rig("openrouter");
  // Prices as decimal strings (OpenRouter's way), and a number past a double's range.
  rig.server.reply("GET", "/models", Reply{200, R"({"data":[
    {"id":"a/nan","name":"A","context_length":1000,"pricing":{"prompt":"NaN","completion":"inf"},"architecture":{"output_modalities":["text"]}},
    {"id":"b/huge","name":"B","context_length":1000,"pricing":{"prompt":"1e306","completion":"-inf"},"architecture":{"output_modalities":["text"]}},
    {"id":"c/fine","name":"C","context_length":1000,"pricing":{"prompt":"0.000001","completion":"0.000002"},"architecture":{"output_modalities":["text"]}}]})", {}});
  auto r = rig.run("openrouter");
  REQUIRE(r.models.size() == 3);
  for (const auto& m : r.models) {
    CAPTURE(m.id);
    if (m.input_cost_per_1k) CHECK(std::isfinite(*m.input_cost_per_1k));
    if (m.output_cost_per_1k) CHECK(std::isfinite(*m.output_cost_per_1k));
  }
  CHECK_FALSE(model(r, "a/nan").input_cost_per_1k);
  CHECK_FALSE(model(r, "b/huge").input_cost_per_1k);  // 1e306 per token is 1e309 per 1K: infinity
  CHECK(model(r, "c/fine").input_cost_per_1k == Approx(0.001));
  // A number JSON cannot hold as a double makes the body unreadable, said with its byte.
  rig.server.reply("GET", "/models", Reply{200, R"({"data":[{"id":"x","context_length":1e400}]})", {}});
  auto broken = rig.fail("openrouter");
  CHECK(broken.code == ErrorCode::parse);
}

TEST_CASE("a key is never sent over plain http to another machine", "[discovery][errors]") {
  Rig rig("openai", "OPENAI_API_KEY");
  rig.config.base_urls["openai"] = "http://models.example.com/v1";
  auto e = rig.fail("openai");
  CHECK(e.code == ErrorCode::config);
  CHECK_THAT(e.message, Catch::Contains("OPENAI_API_KEY") && Catch::Contains("https://"));
  CHECK_THAT(e.message, !Catch::Contains(kKey));
  CHECK(rig.server.seen().empty());
}

TEST_CASE("AZURE_SPEECH_REGION must be a region name, not a piece of a URL", "[discovery][errors]") {
  DiscoveryConfig config;
  config.rules_path = AIRREG_TEST_SCHEMA_DIR "/provider_rules.json";
  config.curated_path = AIRREG_TEST_SCHEMA_DIR "/curated_models.json";
  config.environment["AZURE_SPEECH_KEY"] = kKey;
  for (const char* bad : {"evil.example.com/x#", "west europe", "-westeurope", "a.b"}) {
    CAPTURE(bad);
    config.environment["AZURE_SPEECH_REGION"] = bad;
    auto d = Discovery::create(config, make_curl_transport()).value();
    auto why = d->missing_key("azure", ModelCategory::tts);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("region name"));
  }
  config.environment["AZURE_SPEECH_REGION"] = "westeurope";
  CHECK_FALSE(Discovery::create(config, make_curl_transport()).value()->missing_key("azure", ModelCategory::tts));
}

TEST_CASE("a huge wait asked by a 429 is bounded, never cast out of range", "[discovery][errors]") {
  airreg::HttpResponse r{429, {{"Retry-After", "1e300"}}, ""};
  auto wait = airreg::providers::requested_wait(r);
  REQUIRE(wait);
  CHECK(*wait <= std::chrono::hours(24));
  r.headers = {{"x-ratelimit-reset-requests", "99999999999999999999h"}};
  wait = airreg::providers::requested_wait(r);
  REQUIRE(wait);
  CHECK(*wait <= std::chrono::hours(24));
}

TEST_CASE("without keep_skipped a listing keeps the same models, only the skipped are not named", "[discovery]") {
  // A registry turns keep_skipped off: the TTS listing of a big provider skips nearly all.
  struct Case {
    const char* provider;
    const char* variable;
    const char* fixture;
    ModelCategory category;
  };
  for (const Case& c : {Case{"openai", "OPENAI_API_KEY", "openai/2026-02/v1_models.json", ModelCategory::text},
                        Case{"openai", "OPENAI_API_KEY", "openai/2026-02/v1_models.json", ModelCategory::tts},
                        Case{"mistral", "MISTRAL_API_KEY", "mistral/2026-02/v1_models.json", ModelCategory::text}}) {
    INFO(c.provider << " " << to_string(c.category));
    Rig rig(c.provider, c.variable);
    rig.server.reply("GET", "/models", Reply{200, provider_fixture(c.fixture), {}});
    auto named = rig.run(c.provider, c.category);
    rig.config.keep_skipped = false;
    auto unnamed = rig.run(c.provider, c.category);
    CHECK_FALSE(named.skipped.empty());
    CHECK(unnamed.skipped.empty());
    REQUIRE(unnamed.models.size() == named.models.size());
    for (size_t i = 0; i < named.models.size(); ++i) {
      CHECK(unnamed.models[i].id == named.models[i].id);
      CHECK(unnamed.models[i].features == named.models[i].features);
      CHECK(unnamed.models[i].context_window == named.models[i].context_window);
    }
    CHECK(unnamed.unclassified == named.unclassified);
    CHECK(unnamed.warnings == named.warnings);
  }
}

TEST_CASE("without keep_skipped a listing whose named entries are all skipped is no error", "[discovery]") {
  Rig rig("openai", "OPENAI_API_KEY");
  rig.config.keep_skipped = false;
  rig.server.reply("GET", "/models",
                   Reply{200, R"({"object":"list","data":[{"id":"text-embedding-3-small","object":"model"},{"object":"model"}]})", {}});
  auto r = rig.run("openai");
  CHECK(r.models.empty());
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0], Catch::Contains("1 entries without an id were ignored"));
}

TEST_CASE("ids listed many times, skipped then kept, or unclassified, answer as the first kept entry of each says", "[discovery]") {
  // A reference of the rule, entry by entry: an id's first kept entry stands for it, in the
  // place it comes; an id never kept is skipped once, with its first entry's reason; an id no
  // rule classes is named once. Mistral checks each entry (completion_chat), so one id may be
  // skipped and then kept; OpenAI has ids no rule classes.
  struct Entry {
    std::string id;
    bool chat;
  };
  auto reference = [](const std::vector<Entry>& entries, auto classify) {
    DiscoveryResult want;
    std::set<std::string> kept, unclassified;
    std::vector<std::pair<std::string, std::string>> skipped;  // id, reason, first entry's
    for (const auto& e : entries) {
      auto [keep, reason, matched] = classify(e);
      if (!matched && unclassified.insert(e.id).second) want.unclassified.push_back(e.id);
      if (kept.count(e.id)) continue;
      if (keep) {
        kept.insert(e.id);
        ModelInfo m;
        m.id = e.id;
        want.models.push_back(m);
      } else if (std::none_of(skipped.begin(), skipped.end(), [&](const auto& s) { return s.first == e.id; })) {
        skipped.emplace_back(e.id, reason);
      }
    }
    for (const auto& [id, reason] : skipped)
      if (!kept.count(id)) want.skipped.push_back(SkippedModel{id, reason});
    return want;
  };
  auto check_same = [](const DiscoveryResult& got, const DiscoveryResult& want, bool keep_skipped) {
    REQUIRE(got.models.size() == want.models.size());
    for (size_t i = 0; i < want.models.size(); ++i) CHECK(got.models[i].id == want.models[i].id);
    CHECK(got.unclassified == want.unclassified);
    if (!keep_skipped) {
      CHECK(got.skipped.empty());
      return;
    }
    REQUIRE(got.skipped.size() == want.skipped.size());
    for (size_t i = 0; i < want.skipped.size(); ++i) {
      CHECK(got.skipped[i].id == want.skipped[i].id);
      CHECK(got.skipped[i].reason == want.skipped[i].reason);
    }
  };
  std::mt19937 random(20261207);
  for (int round = 0; round < 24; ++round) {
    // Few ids for many entries: most repeat, some many times.
    size_t ids = 1 + random() % 400, count = 1 + random() % 3000;
    bool keep_skipped = round % 3 != 2;
    INFO("round " << round << ": " << count << " entries of " << ids << " ids, keep_skipped " << keep_skipped);
    std::vector<Entry> entries;
    for (size_t i = 0; i < count; ++i) {
      size_t n = random() % ids;
      // Mistral's rules skip "*embed*" by id, whatever the entry says.
      std::string id = (n % 7 == 0 ? "mistral-embed-" : "mistral-m-") + std::to_string(n);
      entries.push_back(Entry{id, random() % 3 != 0});
    }
    std::string body = R"({"object":"list","data":[)";
    for (size_t i = 0; i < entries.size(); ++i)
      body += std::string(i ? "," : "") + R"({"id":")" + entries[i].id + R"(","capabilities":{"completion_chat":)" +
              (entries[i].chat ? "true" : "false") + "}}";
    body += "]}";
    Rig rig("mistral", "MISTRAL_API_KEY");
    rig.config.keep_skipped = keep_skipped;
    rig.config.listing_piece_bytes = 1 + random() % 4096;  // whole or in pieces, the same
    rig.server.reply("GET", "/models", Reply{200, body, {}});
    auto want = reference(entries, [](const Entry& e) {
      if (e.id.find("embed") != std::string::npos) return std::tuple<bool, std::string, bool>{false, "embedding", true};
      return std::tuple<bool, std::string, bool>{e.chat, e.chat ? "" : "no chat completion", true};
    });
    check_same(rig.run("mistral"), want, keep_skipped);

    // OpenAI: ids no rule classes, repeated, among ids it keeps and ids it skips.
    std::vector<Entry> openai;
    std::string listing = R"({"object":"list","data":[)";
    for (size_t i = 0; i < count; ++i) {
      size_t n = random() % ids;
      std::string id = n % 3 == 0 ? "gpt-5-r" + std::to_string(n) : n % 3 == 1 ? "zz-unknown-" + std::to_string(n) : "text-embedding-" + std::to_string(n);
      openai.push_back(Entry{id, true});
      listing += std::string(i ? "," : "") + R"({"id":")" + id + R"(","object":"model"})";
    }
    listing += "]}";
    Rig other("openai", "OPENAI_API_KEY");
    other.config.keep_skipped = keep_skipped;
    other.server.reply("GET", "/models", Reply{200, listing, {}});
    auto got_openai = other.run("openai");
    auto want_openai = reference(openai, [](const Entry& e) {
      if (e.id.starts_with("gpt-5")) return std::tuple<bool, std::string, bool>{true, "", true};
      if (e.id.starts_with("text-embedding")) return std::tuple<bool, std::string, bool>{false, "embedding", true};
      return std::tuple<bool, std::string, bool>{false, "unclassified: add a rule in schema/provider_rules.json", false};
    });
    check_same(got_openai, want_openai, keep_skipped);
  }
}
