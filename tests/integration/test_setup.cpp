// `airreg setup` against airtable-local, through the real command line.
#include <catch2/catch.hpp>

#include "airreg/airtable_client.hpp"
#include "airreg/schema.hpp"
#include "airreg_command.hpp"
#include "local_config.hpp"
#include "local_server.hpp"
#include "run_command.hpp"

using namespace airreg;
using airreg::test::local_config;
using airreg::test::LocalServer;
using airreg::test::run_command;

namespace {

const std::string& kToken = airreg::test::kTestToken;

std::string airreg_cmd(const LocalServer& server, const std::string& args, const std::string& token = kToken) {
  return airreg::test::airreg_command(server, args, token);
}

AirtableClient client_for(const LocalServer& server) {
  return AirtableClient(local_config(server, kToken), make_curl_transport());
}

}  // namespace

TEST_CASE("setup creates both tables with exactly the fields, types and options of schema/", "[setup][integration]") {
  LocalServer server;
  auto first = run_command(airreg_cmd(server, "setup"));
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(first.output.find("created") != std::string::npos);

  auto schemas = RegistrySchemas::load(AIRREG_TEST_SCHEMA_DIR);
  REQUIRE(schemas);
  auto tables = client_for(server).tables();
  REQUIRE(tables);
  REQUIRE(tables->size() == 2);
  for (const auto& [schema, table] : {std::pair{&schemas->registry, &(*tables)[0]}, std::pair{&schemas->history, &(*tables)[1]}}) {
    CHECK(table->name == schema->name);
    REQUIRE(table->fields.size() == schema->fields.size());
    CHECK(table->primary_field_id == table->fields[0].id);
    for (size_t i = 0; i < schema->fields.size(); ++i) {
      const auto& want = schema->fields[i];
      const auto& have = table->fields[i];
      INFO(want.name);
      CHECK(have.name == want.name);
      CHECK(have.type == want.type);
      CHECK(have.description == want.description);
      CHECK(have.choices == want.choices);
      if (want.choices.empty()) CHECK(have.options_json == want.options_json);
    }
  }

  SECTION("a second run sends no write and says so") {
    auto second = run_command(airreg_cmd(server, "setup --json"));
    INFO(second.output);
    CHECK(second.exit_code == 0);
    CHECK(second.output.find("\"writes\": 0") != std::string::npos);
    CHECK(run_command(airreg_cmd(server, "setup")).output.find("nothing to do") != std::string::npos);
  }

  SECTION("a field renamed through the meta API is still found and reported") {
    auto client = client_for(server);
    const auto& registry = (*tables)[0];
    auto renamed = client.update_field(registry.id, registry.field_by_name("Model Name")->id, "Display Name", std::nullopt);
    REQUIRE(renamed);
    auto again = run_command(airreg_cmd(server, "setup"));
    INFO(again.output);
    CHECK(again.exit_code == 0);
    CHECK(again.output.find("Display Name") != std::string::npos);
    CHECK(again.output.find("renamed") != std::string::npos);
    CHECK(client.tables()->at(0).fields.size() == schemas->registry.fields.size());  // nothing re-added
  }
}

TEST_CASE("setup --dry-run writes nothing", "[setup][integration]") {
  LocalServer server;
  auto dry = run_command(airreg_cmd(server, "setup --dry-run"));
  CHECK(dry.exit_code == 0);
  CHECK(dry.output.find("would be created") != std::string::npos);
  CHECK(client_for(server).tables()->empty());
}

TEST_CASE("drift in a column's type gives exit 4 and changes nothing", "[setup][integration]") {
  LocalServer server;
  // A person made the table first, with Max Tokens as text.
  auto client = client_for(server);
  TableSpec table{"", "AI Model Registry", "", "", {{"", "Model Key", "singleLineText", "", "", {}},
                                                    {"", "Max Tokens", "singleLineText", "", "", {}}}};
  REQUIRE(client.create_table(table));
  auto result = run_command(airreg_cmd(server, "setup"));
  INFO(result.output);
  CHECK(result.exit_code == 4);
  CHECK(result.output.find("Max Tokens") != std::string::npos);
  CHECK(client.tables()->at(0).field_by_name("Max Tokens")->type == "singleLineText");
}

TEST_CASE("a bad token gives a clear message, exit 1, and never shows the token", "[setup][integration]") {
  LocalServer server({"--rate-limit", "0", "--token", "the-only-good-token"});
  auto result = run_command(airreg_cmd(server, "setup", "pat-wrong-secret-999"));
  CHECK(result.exit_code == 1);
  CHECK(result.output.find("AIRTABLE_API_KEY") != std::string::npos);
  CHECK(result.output.find("pat-wrong-secret-999") == std::string::npos);
}

TEST_CASE("missing configuration is a usage error naming the variable", "[setup][integration]") {
  auto no_token = run_command("env -u AIRTABLE_API_KEY AIRTABLE_BASE_ID=appX " AIRREG_BIN " setup");
  CHECK(no_token.exit_code == 2);
  CHECK(no_token.output.find("AIRTABLE_API_KEY") != std::string::npos);
  auto bad_flag = run_command(AIRREG_BIN " setup --no-such-flag");
  CHECK(bad_flag.exit_code == 2);
  auto help = run_command(AIRREG_BIN " setup --help");
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("AIRTABLE_ENDPOINT_URL") != std::string::npos);
  CHECK(help.output.find("--dry-run") != std::string::npos);
}
