// airtable-local's fault flags, each seen from a real HTTP client.
#include <catch2/catch.hpp>

#include <chrono>

#include "local_api.hpp"

using airreg::test::LocalApi;
using airreg::test::LocalServer;

TEST_CASE("--fail-rate answers 500, 502 or 503 before handling the request", "[airtable-local][faults]") {
  LocalServer server({"--rate-limit", "0", "--fail-rate", "1", "--seed", "7"});
  LocalApi api(server);
  for (int i = 0; i < 10; ++i) {
    int status = api.get(LocalApi::meta_path()).status;
    CHECK((status == 500 || status == 502 || status == 503));
  }
}

TEST_CASE("--drop-rate closes the connection without an answer", "[airtable-local][faults]") {
  LocalServer server({"--rate-limit", "0", "--drop-rate", "1"});
  LocalApi api(server);
  CHECK(api.get(LocalApi::meta_path()).status == 0);
}

TEST_CASE("--truncate-rate cuts bodies short of their Content-Length", "[airtable-local][faults]") {
  LocalServer server({"--rate-limit", "0", "--truncate-rate", "1"});
  LocalApi api(server);
  // The client sees a broken transfer: no complete answer.
  CHECK(api.get(LocalApi::meta_path()).status == 0);
}

TEST_CASE("--latency-ms delays every answer", "[airtable-local][faults]") {
  LocalServer server({"--rate-limit", "0", "--latency-ms", "150"});
  LocalApi api(server);
  auto start = std::chrono::steady_clock::now();
  CHECK(api.get(LocalApi::meta_path()).status == 200);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(150));
}

TEST_CASE("a seeded fault sequence is the same on every run", "[airtable-local][faults]") {
  auto run = [] {
    LocalServer server({"--rate-limit", "0", "--fail-rate", "0.5", "--seed", "42"});
    LocalApi api(server);
    std::vector<int> statuses;
    for (int i = 0; i < 12; ++i) statuses.push_back(api.get(LocalApi::meta_path()).status);
    return statuses;
  };
  auto first = run();
  CHECK(first == run());
  CHECK(std::count(first.begin(), first.end(), 200) > 0);
  CHECK(std::count(first.begin(), first.end(), 200) < 12);
}
