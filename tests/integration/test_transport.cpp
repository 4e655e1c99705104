// The libcurl transport over loopback: timeouts, refused connections, keep-alive, headers.
#include <catch2/catch.hpp>
#include <httplib.h>

#include <set>
#include <thread>

#include "airreg/http_transport.hpp"

using namespace airreg;

namespace {

// A loopback fixture server that records which client ports it saw.
struct FixtureServer {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mutex;
  std::set<int> client_ports;
  std::string user_agent;

  FixtureServer() {
    server.Get("/ok", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      client_ports.insert(req.remote_port);
      user_agent = req.get_header_value("User-Agent");
      res.set_header("Retry-After", "3");
      res.set_content("{}", "application/json");
    });
    server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content("{}", "application/json");
    });
    server.set_keep_alive_max_count(1000);
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    // stop() before the listen loop started would leave it running forever.
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FixtureServer() {
    server.stop();
    thread.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

}  // namespace

TEST_CASE("many requests reuse one keep-alive connection and keep the headers", "[transport][integration]") {
  FixtureServer fixture;
  auto transport = make_curl_transport();
  for (int i = 0; i < 20; ++i) {
    auto r = transport->send({"GET", fixture.url("/ok"), {}, ""});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->header("retry-after") == std::optional<std::string>("3"));
  }
  CHECK(fixture.client_ports.size() == 1);
  CHECK(fixture.user_agent.rfind("airreg/", 0) == 0);
}

TEST_CASE("a slow answer past the total timeout is a timeout error, not a status", "[transport][integration]") {
  FixtureServer fixture;
  TransportOptions options;
  options.total_timeout = std::chrono::milliseconds(300);
  auto r = make_curl_transport(options)->send({"GET", fixture.url("/slow"), {}, ""});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::timeout);
  CHECK(r.error().retryable);
}

TEST_CASE("a closed port is connection_refused", "[transport][integration]") {
  int port = 0;
  {
    FixtureServer fixture;
    port = fixture.port;
  }
  auto refused = make_curl_transport()->send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, ""});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::connection_refused);
  CHECK(refused.error().retryable);
}
