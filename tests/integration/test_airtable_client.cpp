// AirtableClient against airtable-local over real loopback HTTP (and a scripted server for
// what airtable-local does not do).
#include <catch2/catch.hpp>

#include <atomic>

#include "airreg/airtable_client.hpp"
#include "airreg/formula.hpp"
#include "fixture_server.hpp"
#include "local_config.hpp"
#include "local_server.hpp"

using namespace airreg;
using airreg::test::local_config;
using airreg::test::LocalServer;

namespace {

AirtableClient client_for(const LocalServer& server) {
  return AirtableClient(local_config(server), make_curl_transport());
}

void make_table(const AirtableClient& client) {
  TableSpec t{"", "Models", "", "", {{"", "Key", "singleLineText", "", "", {}},
                                     {"", "Tokens", "number", "", R"({"precision":0})", {}}}};
  REQUIRE(client.create_table(t));
}

}  // namespace

TEST_CASE("the client creates, lists across pages, updates, upserts and deletes", "[airtable][integration]") {
  LocalServer server;
  auto client = client_for(server);
  make_table(client);
  for (int start = 0; start < 250; start += 10) {
    std::vector<Fields> batch;
    for (int i = start; i < start + 10; ++i) batch.push_back({{"Key", "m" + std::to_string(i)}, {"Tokens", double(i)}});
    REQUIRE(client.create("Models", batch));
  }
  size_t before = client.request_count();
  auto all = client.list("Models");
  REQUIRE(all);
  CHECK(all->size() == 250);
  CHECK(client.request_count() - before == 3);  // one page per 100 rows

  ListQuery q;
  q.filter_by_formula = "{Tokens} >= 240";
  q.sort = {{"Tokens", true}};
  auto top = client.list("Models", q);
  REQUIRE(top);
  REQUIRE(top->size() == 10);
  CHECK(std::get<std::string>(top->front().fields.at("Key")) == "m249");

  auto updated = client.update("Models", {{all->front().id, "", {{"Tokens", 1000.0}}}});
  REQUIRE(updated);
  CHECK(std::get<double>(updated->front().fields.at("Tokens")) == 1000.0);

  auto up = client.upsert("Models", {{{"Key", "m1"}, {"Tokens", 5.0}}, {{"Key", "fresh"}}}, {"Key"});
  REQUIRE(up);
  CHECK(up->created.size() == 1);
  CHECK(up->updated.size() == 1);

  auto removed = client.remove("Models", {all->at(0).id, all->at(1).id});
  REQUIRE(removed);
  CHECK(removed->size() == 2);
  CHECK(client.list("Models")->size() == 249);

  auto missing = client.get("Models", "recNOSUCHRECORD00");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::not_found);
  CHECK_FALSE(client.create("Models", std::vector<Fields>(11)).has_value());
}

TEST_CASE("a model id built to inject into a formula matches only itself", "[airtable][integration]") {
  LocalServer server;
  auto client = client_for(server);
  make_table(client);
  REQUIRE(client.create("Models", {{{"Key", "it's/\"odd\"}"}}, {{"Key", "plain"}}, {{"Key", "x\\"}}}));
  for (std::string id : {"it's/\"odd\"}", "x\\", "plain"}) {
    ListQuery q;
    q.filter_by_formula = formula::equals("Key", id);
    auto rows = client.list("Models", q);
    REQUIRE(rows);
    REQUIRE(rows->size() == 1);
    CHECK(std::get<std::string>(rows->front().fields.at("Key")) == id);
  }
  ListQuery attack;
  attack.filter_by_formula = formula::equals("Key", "x' , TRUE()) OR ('1'='1");
  CHECK(client.list("Models", attack)->empty());
}

TEST_CASE("a listing whose URL would pass the limit goes out as POST listRecords", "[airtable][integration]") {
  LocalServer server;
  AirtableConfig c = local_config(server);
  c.max_url_length = 200;  // small, so a short formula crosses it; the default is 8,000
  AirtableClient client(c, make_curl_transport());
  make_table(client);
  REQUIRE(client.create("Models", {{{"Key", "a"}}, {{"Key", "b"}}}));
  std::string formula = "OR(";
  for (int i = 0; i < 40; ++i) formula += (i ? "," : "") + formula::equals("Key", "k" + std::to_string(i));
  formula += ", {Key} = 'a')";
  ListQuery q;
  q.filter_by_formula = formula;
  auto rows = client.list("Models", q);
  REQUIRE(rows);
  CHECK(rows->size() == 1);
}

TEST_CASE("errors carry Airtable's type and never the token", "[airtable][integration]") {
  LocalServer server({"--rate-limit", "0", "--token", "good"});
  AirtableConfig c = local_config(server, "pat-leaky-secret");
  AirtableClient client(c, make_curl_transport());
  auto r = client.tables();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::unauthorized);
  CHECK(r.error().type == "AUTHENTICATION_REQUIRED");
  CHECK_FALSE(r.error().retryable);
  CHECK(r.error().describe().find("pat-leaky-secret") == std::string::npos);
}

TEST_CASE("a listing Airtable drops midway starts over once: its pages say so, and none is counted twice",
          "[airtable][integration]") {
  // Two pages; the second is refused once with LIST_RECORDS_ITERATOR_NOT_AVAILABLE.
  test::FixtureServer airtable;
  std::atomic<int> second_asked{0};
  airtable.on("GET", "/v0/appTEST/Models", [&](const test::FixtureServer::Seen& seen) -> test::FixtureServer::Reply {
    if (seen.param("offset").empty())
      return {200, R"({"records":[{"id":"rec1","createdTime":"2026-12-01T00:00:00.000Z","fields":{"Key":"a"}}],"offset":"o1"})", {}};
    if (second_asked++ == 0)
      return {422, R"({"error":{"type":"LIST_RECORDS_ITERATOR_NOT_AVAILABLE","message":"Iterator not available"}})", {}};
    return {200, R"({"records":[{"id":"rec2","createdTime":"2026-12-01T00:00:00.000Z","fields":{"Key":"b"}}]})", {}};
  });
  AirtableConfig config;
  config.token = "pat-test";
  config.base_id = "appTEST";
  config.endpoint_url = airtable.url();
  config.max_requests_per_second = 0;
  AirtableClient client(config, make_curl_transport());

  std::vector<std::pair<std::string, bool>> pages;  // first record's id, `first`
  size_t requests = 0;
  auto listed = client.list_pages(
      "Models", {}, [&](std::vector<AirtableRecord>&& records, bool first) { pages.emplace_back(records.at(0).id, first); },
      &requests);
  REQUIRE(listed);
  CHECK(pages == std::vector<std::pair<std::string, bool>>{{"rec1", true}, {"rec1", true}, {"rec2", false}});
  CHECK(requests == 4);

  second_asked = 0;
  auto all = client.list("Models");
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].id == "rec1");
  CHECK((*all)[1].id == "rec2");
}
