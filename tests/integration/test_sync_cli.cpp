// airreg sync, models, resolve and history, run as a user would.
#include <catch2/catch.hpp>

#include "airreg_command.hpp"
#include "fixture_server.hpp"
#include "local_config.hpp"
#include "registry_tables.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

#include <thread>

using airreg::test::FixtureServer;
using airreg::test::LocalServer;
using airreg::test::provider_fixture;
using airreg::test::run_command;
using Reply = FixtureServer::Reply;

TEST_CASE("sync, models, resolve and history from the command line", "[sync][cli]") {
  LocalServer airtable({"--rate-limit", "0", "--token", airreg::test::kTestToken});
  FixtureServer providers;
  airreg::test::TempDir state;
  providers.reply("GET", "/models", Reply{200, provider_fixture("openai/2026-02/v1_models.json"), {}});
  airreg::AirtableClient client(airreg::test::local_config(airtable, airreg::test::kTestToken), airreg::make_curl_transport());
  airreg::test::set_up_registry_tables(client);
  std::string env = "AIRREG_STATE_DIR=" + state.path().string() + " OPENAI_API_KEY=sk-cli-SECRET OPENAI_BASE_URL=" +
                    providers.url() + " AIRREG_SCHEMA_DIR=" AIRREG_TEST_SCHEMA_DIR;
  auto cmd = [&](const std::string& args) { return run_command(airreg::test::airreg_command(airtable, args, airreg::test::kTestToken, env)); };

  auto sync = cmd("sync --provider openai --category text");
  CHECK(sync.exit_code == 0);
  CHECK_THAT(sync.output, Catch::Contains("openai       text  success          15    15"));
  CHECK_THAT(sync.output, !Catch::Contains("sk-cli-SECRET"));
  auto again = cmd("sync --provider openai --category text");
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains("skipped"));  // fresh: not asked again without --force
  auto models = cmd("models --provider openai --all");
  CHECK(models.exit_code == 0);
  CHECK_THAT(models.output, Catch::Contains("openai (text): 15 model(s), source airtable"));
  // Every row is still pending, the curated default too: nothing may be served.
  auto resolved = cmd("resolve openai gpt-4o --json");
  CHECK(resolved.exit_code == 1);
  CHECK_THAT(resolved.output, Catch::Contains("approve one by setting its Status to active"));
  auto history = cmd("history --json");
  CHECK(history.exit_code == 0);
  CHECK_THAT(history.output, Catch::Contains(R"("outcome": "success")"));
  CHECK_THAT(history.output, Catch::Contains(R"("outcome": "skipped")"));
  CHECK(cmd("sync --provider openia").exit_code == 2);
  CHECK(cmd("sync --new-status maybe").exit_code == 2);
  CHECK(cmd("resolve openai").exit_code == 2);
  // The registry's settings, as flags: a bad one names itself.
  auto ttl = cmd("models --cache-ttl banana");
  CHECK(ttl.exit_code == 2);
  CHECK_THAT(ttl.output, Catch::Contains("--cache-ttl"));
  auto redis = cmd("sync --redis-url rediss://:hunter2@cache:6380");
  CHECK(redis.exit_code == 2);
  CHECK_THAT(redis.output, Catch::Contains("AIRREG_REDIS_URL") && !Catch::Contains("hunter2"));
}

TEST_CASE("every command keeps to 5 requests a second on the base: no 429, whatever it reads and writes", "[sync][cli]") {
  // Airtable's own limit and penalty: one 429 would cost 30 s.
  LocalServer airtable({"--rate-limit", "5", "--penalty-seconds", "30", "--token", airreg::test::kTestToken});
  FixtureServer providers;
  airreg::test::TempDir state;
  std::string listing = provider_fixture("openai/2026-02/v1_models.json");
  providers.reply("GET", "/models", Reply{200, listing, {}});
  std::string env = "AIRREG_STATE_DIR=" + state.path().string() + " OPENAI_API_KEY=sk-cli OPENAI_BASE_URL=" + providers.url() +
                    " AIRREG_SCHEMA_DIR=" AIRREG_TEST_SCHEMA_DIR;
  auto cmd = [&](const std::string& args) {
    return run_command(airreg::test::airreg_command(airtable, args, airreg::test::kTestToken, env));
  };
  for (const char* args : {"setup", "sync", "models", "models --category tts --all", "resolve openai gpt-4o", "history",
                           "sync --force", "flush", "status"}) {
    CAPTURE(args);
    // Separate processes pace separately: the window of the last command is left to pass.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto before = airtable.requests().size();
    auto r = cmd(args);
    CHECK(r.exit_code != 2);
    auto all = airtable.requests();
    std::vector<LocalServer::Logged> mine(all.begin() + static_cast<long>(before), all.end());
    size_t peak = 0;
    for (size_t i = 0, j = 0; j < mine.size(); ++j) {
      while (mine[j].t_ms - mine[i].t_ms >= 1000) ++i;
      peak = std::max(peak, j - i + 1);
    }
    CHECK(airtable.rate_limited() == 0);  // before: `models` sent 6 requests in 0.14 s, the 6th a 429
    CHECK(peak <= 5);
    UNSCOPED_INFO(args << ": " << mine.size() << " request(s)");
  }
  CHECK(airtable.rate_limited() == 0);
}
