// airreg discover, run as a user would, against recorded answers on a loopback server.
#include <catch2/catch.hpp>

#include "fixture_server.hpp"
#include "run_command.hpp"

using airreg::test::FixtureServer;
using airreg::test::provider_fixture;
using airreg::test::run_command;
using Reply = FixtureServer::Reply;

namespace {

const std::string kKey = "sk-cli-SECRET-0123456789";

// Every provider that needs no key is pointed at the fixture server too: no test goes out.
std::string discover(const FixtureServer& server, const std::string& args, const std::string& env = "") {
  return "env -i PATH=/usr/bin:/bin OPENAI_API_KEY=" + kKey + " OPENAI_BASE_URL=" + server.url() +
         " OPENROUTER_BASE_URL=" + server.url() + "/openrouter " + env + " " AIRREG_BIN " discover --schema-dir " +
         AIRREG_TEST_SCHEMA_DIR " " + args;
}

}  // namespace

TEST_CASE("discover prints what a provider offers and what it skipped, without the key", "[discover][cli]") {
  FixtureServer server;
  server.reply("GET", "/models", Reply{200, provider_fixture("openai/2026-02/v1_models.json"), {}});
  auto text = run_command(discover(server, "--provider openai --category text"));
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.output, Catch::Contains("openai (text): 15 models, 15 skipped"));
  CHECK_THAT(text.output, Catch::Contains("dall-e-3 (image)"));
  CHECK_THAT(text.output, !Catch::Contains(kKey));
  auto json = run_command(discover(server, "--provider openai --json"));
  CHECK(json.exit_code == 0);
  CHECK_THAT(json.output, Catch::Contains(R"("category": "tts")"));
  CHECK_THAT(json.output, Catch::Contains(R"("reason": "embedding")"));
  CHECK_THAT(json.output, Catch::Contains(R"("id": "gpt-4o-mini")"));
}

TEST_CASE("without --provider, providers without a key are skipped with a note and the rest answer", "[discover][cli]") {
  FixtureServer server;
  server.reply("GET", "/models", Reply{200, provider_fixture("openai/2026-02/v1_models.json"), {}});
  server.reply("GET", "/openrouter/models", Reply{200, provider_fixture("openrouter/2026-02/api_v1_models.json"), {}});
  auto all = run_command(discover(server, ""));
  CHECK(all.exit_code == 0);
  CHECK_THAT(all.output, Catch::Contains("anthropic (text): skipped, no key: set ANTHROPIC_API_KEY"));
  CHECK_THAT(all.output, Catch::Contains("ollama (text): skipped, no OLLAMA_HOST set"));
  CHECK_THAT(all.output, Catch::Contains("openrouter (text): 32 models"));
}

TEST_CASE("discover fails, naming the provider and why, when one does not answer", "[discover][cli]") {
  FixtureServer server;
  server.reply("GET", "/models", Reply{401, provider_fixture("openai/errors/401_invalid_api_key.json"), {}});
  auto refused = run_command(discover(server, "--provider openai --category text"));
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output, Catch::Contains("the key in OPENAI_API_KEY was refused by openai"));
  CHECK_THAT(refused.output, !Catch::Contains(kKey));
  auto named = run_command(discover(server, "--provider anthropic"));
  CHECK(named.exit_code == 1);  // named, and no key: it did not answer
  auto unknown = run_command(discover(server, "--provider openia"));
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.output, Catch::Contains("unknown provider 'openia'"));
  auto category = run_command(discover(server, "--category video"));
  CHECK(category.exit_code == 2);
}
