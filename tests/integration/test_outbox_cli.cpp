// airreg flush and airreg status, run as a user would, against airtable-local.
#include <catch2/catch.hpp>

#include "airreg/batch_writer.hpp"
#include "airreg_command.hpp"
#include "local_config.hpp"
#include "registry_tables.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

using namespace std::chrono_literals;
using namespace airreg;
using airreg::test::airreg_command;
using airreg::test::kTestToken;
using airreg::test::LocalServer;
using airreg::test::run_command;
using airreg::test::TempDir;

namespace {

std::string with_state(const TempDir& state) { return "AIRREG_STATE_DIR=" + state.path().string(); }

// Queues rows while the server is down, as a run during an outage would.
void queue_during_outage(LocalServer& server, const std::filesystem::path& state, int rows) {
  AirtableClient client(airreg::test::local_config(server, kTestToken), make_curl_transport());
  airreg::test::set_up_registry_tables(client);
  server.stop();
  BatchWriterOptions options;
  options.table = "AI Model Registry";
  options.merge_on = {"Provider ID", "Model ID"};
  options.max_attempts = 1;
  BatchWriter writer(client, std::make_shared<Outbox>(state), options);
  std::vector<Fields> fields;
  for (int i = 0; i < rows; ++i) fields.push_back({{"Provider ID", std::string("groq")}, {"Model ID", "m" + std::to_string(i)}});
  auto report = writer.write(fields, {});
  REQUIRE(report.stopped);
  REQUIRE(report.waiting == static_cast<size_t>(rows));
}

}  // namespace

TEST_CASE("status shows rows waiting since when; flush writes them and empties the outbox", "[outbox][cli][integration]") {
  LocalServer server({"--rate-limit", "0", "--token", kTestToken});
  TempDir state;
  queue_during_outage(server, state.path(), 23);
  auto waiting = run_command(airreg_command(server, "status", kTestToken, with_state(state)));
  CHECK(waiting.exit_code == 0);
  CHECK_THAT(waiting.output, Catch::Contains("rows waiting: 23 (oldest queued 20"));
  server.restart();
  auto flushed = run_command(airreg_command(server, "flush", kTestToken, with_state(state)));
  CHECK(flushed.exit_code == 0);
  CHECK_THAT(flushed.output, Catch::Contains("wrote 23 row(s) (23 created, 0 updated) in 3 request(s)"));
  CHECK_THAT(flushed.output, !Catch::Contains(kTestToken));
  auto json = run_command(airreg_command(server, "status --json", kTestToken, with_state(state)));
  CHECK_THAT(json.output, Catch::Contains(R"("waiting": 0)"));
  AirtableClient client(airreg::test::local_config(server, kTestToken), make_curl_transport());
  CHECK(client.list("AI Model Registry").value().size() == 23);
}

TEST_CASE("flush with Airtable still down keeps the rows and says why", "[outbox][cli][integration]") {
  LocalServer server({"--rate-limit", "0", "--token", kTestToken});
  TempDir state;
  queue_during_outage(server, state.path(), 3);
  auto flushed = run_command(airreg_command(server, "flush --json", kTestToken, with_state(state)));
  CHECK(flushed.exit_code == 1);
  CHECK_THAT(flushed.output, Catch::Contains(R"("waiting": 3)"));
  CHECK_THAT(flushed.output, Catch::Contains("connection_refused"));
  CHECK(Outbox(state.path()).status().value().waiting == 3);
}

TEST_CASE("flush with a refused token stops at once and keeps the rows, without showing the token", "[outbox][cli][integration]") {
  LocalServer server({"--rate-limit", "0", "--token", kTestToken});
  TempDir state;
  queue_during_outage(server, state.path(), 3);
  server.restart();
  auto flushed = run_command(airreg_command(server, "flush", "pat-wrong-secret-999", with_state(state)));
  CHECK(flushed.exit_code == 1);
  CHECK_THAT(flushed.output, Catch::Contains("AIRTABLE_API_KEY"));
  CHECK_THAT(flushed.output, !Catch::Contains("pat-wrong-secret-999"));
  CHECK(Outbox(state.path()).status().value().waiting == 3);
}

TEST_CASE("bad flags and settings are usage errors", "[outbox][cli][integration]") {
  LocalServer server;
  TempDir state;
  auto rps = run_command(airreg_command(server, "flush --max-rps -1", kTestToken, with_state(state)));
  CHECK(rps.exit_code == 2);
  CHECK_THAT(rps.output, Catch::Contains("--max-rps"));
  auto env = run_command(airreg_command(server, "flush", kTestToken, with_state(state) + " AIRREG_MAX_RPS=fast"));
  CHECK(env.exit_code == 2);
  CHECK_THAT(env.output, Catch::Contains("AIRREG_MAX_RPS"));
  auto flag = run_command(airreg_command(server, "status --nope", kTestToken, with_state(state)));
  CHECK(flag.exit_code == 2);
}

namespace {

// A registry table made by hand without the Regions column, as an older setup left it.
void set_up_without_regions(const AirtableClient& client) {
  auto schemas = RegistrySchemas::load(AIRREG_TEST_SCHEMA_DIR).value();
  TableSpec registry = schemas.registry.to_table_spec();
  std::erase_if(registry.fields, [](const FieldSpec& f) { return f.name == "Regions"; });
  REQUIRE(client.create_table(registry));
  REQUIRE(client.create_table(schemas.history.to_table_spec()));
}

BatchWriter registry_writer(const AirtableClient& client, const std::filesystem::path& state) {
  BatchWriterOptions options;
  options.table = "AI Model Registry";
  options.merge_on = {"Provider ID", "Model ID"};
  options.max_attempts = 1;
  return BatchWriter(client, std::make_shared<Outbox>(state), options);
}

}  // namespace

TEST_CASE("a column the table lacks stops the flush with what to fix; after airreg setup the rows land", "[outbox][cli][integration]") {
  LocalServer server({"--rate-limit", "0", "--token", kTestToken});
  TempDir state;
  AirtableClient client(airreg::test::local_config(server, kTestToken), make_curl_transport());
  set_up_without_regions(client);
  std::vector<Fields> rows;
  for (int i = 0; i < 12; ++i)
    rows.push_back({{"Provider ID", std::string("groq")}, {"Model ID", "m" + std::to_string(i)},
                    {"Regions", std::vector<std::string>{"eu"}}});
  auto report = registry_writer(client, state.path()).write(rows, {});
  REQUIRE(report.stopped);
  CHECK(report.stopped->type == "UNKNOWN_FIELD_NAME");
  CHECK(report.requests == 1);  // before: split down to single rows, 12 requests, all moved aside
  CHECK(report.rejected.empty());
  CHECK(report.waiting == 12);
  auto flushed = run_command(airreg_command(server, "flush", kTestToken, with_state(state)));
  CHECK(flushed.exit_code == 1);
  CHECK_THAT(flushed.output, Catch::Contains("airreg setup"));
  CHECK(run_command(airreg_command(server, "setup", kTestToken, with_state(state) + " AIRREG_SCHEMA_DIR=" AIRREG_TEST_SCHEMA_DIR)).exit_code == 0);
  auto after = run_command(airreg_command(server, "flush", kTestToken, with_state(state)));
  CHECK(after.exit_code == 0);
  CHECK(client.list("AI Model Registry").value().size() == 12);
}

TEST_CASE("a cell Airtable refuses is left out; the row's other cells land", "[outbox][cli][integration]") {
  LocalServer server({"--rate-limit", "0", "--token", kTestToken});
  TempDir state;
  AirtableClient client(airreg::test::local_config(server, kTestToken), make_curl_transport());
  airreg::test::set_up_registry_tables(client);
  auto report = registry_writer(client, state.path())
                    .write({{{"Provider ID", std::string("groq")}, {"Model ID", std::string("m1")},
                             {"Max Tokens", std::string("lots")}, {"Available", true}}},
                           {});
  CHECK(report.complete());
  REQUIRE(report.dropped_cells.size() == 1);
  CHECK(report.dropped_cells[0].field == "Max Tokens");
  auto rows = client.list("AI Model Registry").value();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].fields.at("Available") == FieldValue(true));
  CHECK(rows[0].fields.count("Max Tokens") == 0);
}

TEST_CASE("a refused row waits aside, is listed, and airreg flush --rejected sends it once the cause is fixed", "[outbox][cli][integration]") {
  LocalServer server({"--rate-limit", "0", "--token", kTestToken});
  TempDir state;
  AirtableClient client(airreg::test::local_config(server, kTestToken), make_curl_transport());
  airreg::test::set_up_registry_tables(client);
  // A person duplicated a row: an upsert of its key matches twice and is refused.
  Fields key{{"Provider ID", std::string("groq")}, {"Model ID", std::string("twin")}};
  auto twins = client.create("AI Model Registry", {key, key}).value();
  auto report = registry_writer(client, state.path()).write({{{"Provider ID", std::string("groq")}, {"Model ID", std::string("twin")}, {"Available", true}}}, {});
  REQUIRE(report.rejected.size() == 1);
  auto listed = run_command(airreg_command(server, "status --rejected", kTestToken, with_state(state)));
  CHECK_THAT(listed.output, Catch::Contains("groq/twin") && Catch::Contains("INVALID_RECORDS"));
  CHECK_THAT(listed.output, Catch::Contains("flush --rejected"));
  REQUIRE(client.remove("AI Model Registry", {twins[1].id}));  // the person removes the twin
  auto flushed = run_command(airreg_command(server, "flush --rejected", kTestToken, with_state(state)));
  CHECK(flushed.exit_code == 0);
  CHECK_THAT(flushed.output, Catch::Contains("1 refused row(s) back in the queue"));
  auto rows = client.list("AI Model Registry").value();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].fields.at("Available") == FieldValue(true));
  CHECK(Outbox(state.path()).status().value().rejected == 0);
}
