// airreg sync, models, resolve and history, run as a user would.
#include <catch2/catch.hpp>

#include "airreg_command.hpp"
#include "fixture_server.hpp"
#include "local_config.hpp"
#include "registry_tables.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

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
}
