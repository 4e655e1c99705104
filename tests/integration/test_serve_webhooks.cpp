// airreg serve --public-url (issue 13): an Airtable webhook on the registry table tells serve
// every change, and a person's edit reaches every instance of the fleet in seconds, with no
// polling (caches of an hour). Against airtable-local's webhooks and signed pings, and a real
// redis-server.
#include <catch2/catch.hpp>

#include "airreg/airtable_client.hpp"
#include "eventually.hpp"
#include "run_command.hpp"
#include "serve_process.hpp"

using namespace std::chrono_literals;
using airreg::test::eventually;
using airreg::test::FleetWorld;
using airreg::test::Serve;

namespace {

std::string openai_models(const Serve& s) {
  auto answer = s.client().Get("/v1/registry/models?provider=openai");
  return answer && answer->status == 200 ? answer->body : "";
}

std::string record_of(airreg::AirtableClient& client, const std::string& model) {
  auto rows = client.list("AI Model Registry").value();
  for (const auto& r : rows)
    if (r.fields.count("Model ID") && r.fields.at("Model ID") == airreg::FieldValue(model)) return r.id;
  FAIL("no row " << model);
  return "";
}

// A seeded fleet's world, a client of its base, and the port and URL Airtable pings.
struct WebhookWorld {
  FleetWorld w{true, {"--rate-limit", "0"}};
  airreg::AirtableClient client{w.airtable_config(), airreg::make_curl_transport()};
  int port = airreg::test::free_port();
  std::string public_url = "http://127.0.0.1:" + std::to_string(port);

  WebhookWorld() {
    w.seed();
    REQUIRE(port > 0);
  }
};

}  // namespace

TEST_CASE("serve --public-url: a person's edit reaches every instance in seconds through the webhook and Redis", "[serve][webhook]") {
  WebhookWorld world;
  auto& w = world.w;
  auto& client = world.client;
  const auto& public_url = world.public_url;
  Serve a(w, {"--token", airreg::test::kServeToken, "--public-url", public_url}, {}, "a", world.port, true);
  Serve b(w, {"--token", airreg::test::kServeToken}, {}, "b", 0, true);
  REQUIRE(eventually([&] { return client.list_webhooks().value().size() == 1; }, 20s));
  auto hooks = client.list_webhooks().value();
  CHECK(hooks[0].notification_url == public_url + "/airtable/webhook");
  REQUIRE(eventually([&] { return openai_models(b).find("\"gpt-4o\"") != std::string::npos; }, 20s));

  // A person disables a model; both instances cache for an hour.
  REQUIRE(client.update("AI Model Registry", {airreg::AirtableRecord{record_of(client, "gpt-4o"), "", {{"Status", std::string("disabled")}}}}));
  auto edited = std::chrono::steady_clock::now();
  CHECK(eventually([&] { return openai_models(a).find("\"gpt-4o\"") == std::string::npos; }, 20s));
  CHECK(eventually([&] { return openai_models(b).find("\"gpt-4o\"") == std::string::npos; }, 20s));
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - edited).count();
  INFO("the edit reached both instances in " << seconds << " s");
  CHECK(seconds < 20);
  // And back: a select cell in a payload is an object ({id, name, color}); the row must read.
  REQUIRE(client.update("AI Model Registry", {airreg::AirtableRecord{record_of(client, "gpt-4o"), "", {{"Status", std::string("active")}}}}));
  CHECK(eventually([&] { return openai_models(a).find("\"gpt-4o\"") != std::string::npos; }, 20s));
  CHECK(eventually([&] { return openai_models(b).find("\"gpt-4o\"") != std::string::npos; }, 20s));

  // A deleted row: a revalidation cannot see it, a payload can.
  REQUIRE(openai_models(b).find("\"gpt-4-turbo\"") != std::string::npos);
  REQUIRE(client.remove("AI Model Registry", {record_of(client, "gpt-4-turbo")}));
  CHECK(eventually([&] { return openai_models(a).find("\"gpt-4-turbo\"") == std::string::npos; }, 20s));
  CHECK(eventually([&] { return openai_models(b).find("\"gpt-4-turbo\"") == std::string::npos; }, 20s));

  // Pings that are not Airtable's: refused and logged.
  auto forged = a.client(false).Post("/airtable/webhook", {{"X-Airtable-Content-MAC", "hmac-sha256=00"}},
                                     R"({"base":{"id":"x"}})", "application/json");
  REQUIRE(forged);
  CHECK(forged->status == 401);
  auto unsigned_ping = a.client(false).Post("/airtable/webhook", R"({"base":{"id":"x"}})", "application/json");
  REQUIRE(unsigned_ping);
  CHECK(unsigned_ping->status == 401);
  // A flood of them: each refused, the log told once (not a line per request).
  for (int i = 0; i < 30; ++i) {
    auto again = a.client(false).Post("/airtable/webhook", {{"X-Airtable-Content-MAC", "hmac-sha256=00"}}, "{}", "application/json");
    REQUIRE(again);
    CHECK(again->status == 401);
  }
  CHECK(a.stop() == 0);
  CHECK(b.stop() == 0);
  std::string log = a.process->output();
  size_t lines = 0;
  for (size_t at = log.find("without a valid MAC"); at != std::string::npos; at = log.find("without a valid MAC", at + 1)) ++lines;
  CHECK(lines == 1);

  // airreg webhook remove deletes it.
  auto env = w.env("a", true);
  std::string line;
  for (const auto& [k, v] : env) line += k + "='" + v + "' ";
  auto removed = airreg::test::run_command(line + AIRREG_BIN " webhook remove");
  INFO(removed.output);
  CHECK(removed.exit_code == 0);
  CHECK_THAT(removed.output, Catch::Contains("1 webhook(s) removed"));
  CHECK(client.list_webhooks().value().empty());
}

TEST_CASE("a webhook deleted by hand is noticed: every instance revalidates, and an edit made since reaches them",
          "[serve][webhook]") {
  // A deleted webhook sends no ping, so nothing told serve: the instances kept their answers
  // (and stopped revalidating) until the next full read, a day later.
  WebhookWorld world;
  auto& w = world.w;
  auto& client = world.client;
  const auto& public_url = world.public_url;
  std::vector<std::string> args = {"--token", airreg::test::kServeToken, "--public-url", public_url, "--webhook-check", "1s"};
  Serve a(w, args, {}, "a", world.port, true);
  REQUIRE(eventually([&] { return client.list_webhooks().value().size() == 1; }, 20s));
  Serve b(w, args, {}, "b", 0, true);  // behind the same load balancer: takes the fleet's webhook
  REQUIRE(eventually([&] { return openai_models(a).find("\"gpt-4o\"") != std::string::npos; }, 20s));
  REQUIRE(eventually([&] { return openai_models(b).find("\"gpt-4o\"") != std::string::npos; }, 20s));
  REQUIRE(client.list_webhooks().value().size() == 1);  // b made none of its own

  // An edit the webhook does not tell (its notifications off, as a deleted one's are), then
  // the webhook deleted: only the check can find out, whenever it runs.
  auto hook = client.list_webhooks().value().at(0).id;
  auto config = w.airtable_config();
  httplib::Client airtable(config.endpoint_url);
  auto off = airtable.Post("/v0/bases/" + config.base_id + "/webhooks/" + hook + "/enableNotifications",
                           {{"Authorization", "Bearer " + config.token}}, R"({"enable":false})", "application/json");
  REQUIRE(off);
  REQUIRE(off->status == 200);
  REQUIRE(client.update("AI Model Registry", {airreg::AirtableRecord{record_of(client, "gpt-4o"), "", {{"Status", std::string("disabled")}}}}));
  std::this_thread::sleep_for(2s);  // no ping: both still serve it
  CHECK(openai_models(a).find("\"gpt-4o\"") != std::string::npos);
  CHECK(openai_models(b).find("\"gpt-4o\"") != std::string::npos);
  REQUIRE(client.delete_webhook(hook));
  CHECK(eventually([&] { return openai_models(a).find("\"gpt-4o\"") == std::string::npos; }, 20s));
  CHECK(eventually([&] { return openai_models(b).find("\"gpt-4o\"") == std::string::npos; }, 20s));
  CHECK(a.stop() == 0);
  CHECK(b.stop() == 0);
  CHECK_THAT(a.process->output() + b.process->output(), Catch::Contains("is gone; revalidating the table instead"));
}
