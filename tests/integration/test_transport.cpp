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
    auto r = transport->send({"GET", fixture.url("/ok"), {}, "", {}});
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
  auto r = make_curl_transport(options)->send({"GET", fixture.url("/slow"), {}, "", {}});
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
  auto refused = make_curl_transport()->send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, "", {}});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::connection_refused);
  CHECK(refused.error().retryable);
}

TEST_CASE("eight threads share the transport safely; each handle keeps its own connections", "[transport][integration]") {
  FixtureServer server;
  auto transport = make_curl_transport();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i)
        if (auto r = transport->send({"GET", server.url("/ok"), {}, "", {}}); r && r->status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 200);
  std::lock_guard lock(server.mutex);
  CHECK(server.client_ports.size() <= 8);  // kept alive per handle, never one per request
}

TEST_CASE("only http and https: another scheme is refused before anything is read or sent", "[transport][integration]") {
  auto transport = make_curl_transport();
  for (const char* url : {"file:///etc/passwd", "gopher://127.0.0.1:1/x", "dict://127.0.0.1:1/x"}) {
    CAPTURE(url);
    auto r = transport->send({"GET", url, {}, "", {}});
    REQUIRE_FALSE(r);
  }
}

TEST_CASE("errors never name a URL's userinfo or query", "[transport][integration]") {
  auto transport = make_curl_transport();
  auto r = transport->send({"GET", "http://user:hunter2@127.0.0.1:1/v1/models?key=sk-SECRET#frag", {}, "", {}});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("http://127.0.0.1:1/v1/models"));
  CHECK_THAT(r.error().message, !Catch::Contains("hunter2") && !Catch::Contains("sk-SECRET") && !Catch::Contains("frag"));
}

TEST_CASE("a request in flight is abandoned when its stop token is set", "[transport][integration]") {
  FixtureServer server;
  auto transport = make_curl_transport();
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop.request_stop();
  });
  auto started = std::chrono::steady_clock::now();
  auto r = transport->send({"GET", server.url("/slow"), {}, "", stop.get_token()});
  stopper.join();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::cancelled);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1400));  // the answer takes 1.5 s
}
