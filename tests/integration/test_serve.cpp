// `airreg serve` as a process, over real HTTP on loopback, against airtable-local and the
// recorded provider listings: every route, auth, bad input on the wire (slow and silent clients,
// a crowd of connections), and a graceful stop with rows in the write-back.
#include <catch2/catch.hpp>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "child_process.hpp"
#include "eventually.hpp"
#include "fleet_world.hpp"
#include "prometheus_text.hpp"
#include "serve_process.hpp"
#include "run_command.hpp"

using namespace std::chrono_literals;
using airreg::test::ChildProcess;
using airreg::test::FleetWorld;

namespace {

using airreg::test::kServeToken;
using airreg::test::Serve;
constexpr const char* kToken = kServeToken;

int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads what the server sends until it closes the connection or `wait` passes; whether it closed.
bool closed_within(int fd, std::chrono::milliseconds wait, std::string* got = nullptr) {
  auto until = std::chrono::steady_clock::now() + wait;
  char buf[4096];
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return true;
    if (got) got->append(buf, static_cast<size_t>(n));
  }
  return false;
}

}  // namespace

TEST_CASE("serve says where it listens, answers every route over HTTP, and stops on SIGTERM with exit 0", "[serve][integration]") {
  FleetWorld w(false, {"--rate-limit", "5"});
  w.seed();
  Serve s(w, {"--token", kToken});
  auto c = s.client();
  CHECK(s.client(false).Get("/healthz")->status == 200);
  REQUIRE(airreg::test::eventually([&] { return s.client(false).Get("/readyz")->status == 200; }, 10s));
  auto models = c.Get("/v1/registry/models?provider=openai");
  REQUIRE(models);
  CHECK(models->status == 200);
  CHECK_THAT(models->body, Catch::Contains("\"gpt-4o\"") && Catch::Contains("\"age_seconds\""));
  CHECK_FALSE(models->get_header_value("ETag").empty());
  auto openai = c.Get("/v1/models");
  CHECK(openai->status == 200);
  CHECK_THAT(openai->body, Catch::Contains("\"object\":\"list\"") && Catch::Contains("\"openai/gpt-4o\"") &&
                               Catch::Contains("\"mistral/"));
  CHECK_THAT(c.Get("/providers/anthropic/v1/models")->body, Catch::Contains("\"owned_by\":\"anthropic\""));
  CHECK_THAT(c.Get("/v1/registry/resolve?provider=openai&model=gpt-4o")->body, Catch::Contains("\"rule\":\"requested\""));
  CHECK(c.Post("/v1/registry/verified", R"({"provider":"openai","model":"gpt-4o"})", "application/json")->status == 202);
  CHECK(c.Post("/v1/registry/refresh?provider=openai", "", "application/json")->status == 200);
  auto page = c.Get("/");
  CHECK(page->status == 200);
  CHECK_THAT(page->body, Catch::Contains("airreg status") && Catch::Contains("anthropic"));
  auto metrics = c.Get("/metrics");
  auto parsed = airreg::test::PrometheusText::parse(metrics->body);
  // /v1/models and /providers/anthropic/v1/models: one route, OpenAI's list.
  CHECK(parsed.value("airreg_http_requests_total", {{"route", "/v1/models"}, {"code", "200"}}) == 2);
  CHECK(parsed.has("airreg_sync_last_success_timestamp_seconds"));
  CHECK(s.client(false).Get("/v1/models")->status == 401);
  CHECK(c.Get("/nowhere")->status == 404);
  CHECK(c.Post("/v1/registry/verified", std::string(100 * 1024, '{'), "application/json")->status == 413);
  CHECK(s.stop() == 0);
  CHECK_THAT(s.process->output(), !Catch::Contains(kToken));
  CHECK(w.airtable.rate_limited() == 0);
}

TEST_CASE("serve refuses a public address without a token, and weak tokens", "[serve][integration]") {
  FleetWorld w(false, {"--rate-limit", "0"});
  auto cmd = [&](const std::string& flags) {
    std::string env;
    for (const auto& [k, v] : w.env("refused", false)) env += k + "=" + v + " ";
    return airreg::test::run_command("env " + env + AIRREG_BIN " serve --port 0 " + flags);
  };
  auto open = cmd("--listen 0.0.0.0:0");
  CHECK(open.exit_code == 2);
  CHECK_THAT(open.output, Catch::Contains("without a token"));
  auto weak = cmd("--token short");
  CHECK(weak.exit_code == 2);
  CHECK_THAT(weak.output, Catch::Contains("16 characters") && !Catch::Contains("short"));
  CHECK(cmd("--listen 127.0.0.1:99999").exit_code == 2);
  CHECK(cmd("--sync-every soon").exit_code == 2);
}

TEST_CASE("slow, silent and idle clients are cut off; the server goes on answering", "[serve][integration]") {
  FleetWorld w(false, {"--rate-limit", "0"});
  w.seed();
  Serve s(w, {"--token", kToken, "--request-timeout", "2", "--idle-timeout", "1", "--threads", "4"});
  // Byte by byte, a byte every 300 ms: cut off about 2 s after its first byte.
  int slow = connect_to(s.port);
  REQUIRE(slow >= 0);
  std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
  auto started = std::chrono::steady_clock::now();
  bool cut = false;
  for (char ch : request) {
    if (send(slow, &ch, 1, MSG_NOSIGNAL) != 1) {
      cut = true;
      break;
    }
    std::string got;
    if (closed_within(slow, 300ms, &got)) {
      cut = got.find("200 OK") == std::string::npos;
      break;
    }
  }
  CHECK(cut);
  CHECK(std::chrono::steady_clock::now() - started < 6s);
  close(slow);
  // Silent: connects and sends nothing; closed after the idle timeout.
  int silent = connect_to(s.port);
  CHECK(closed_within(silent, 4s));
  close(silent);
  // Never reads: pipelines requests whose answers it never takes.
  int deaf = connect_to(s.port);
  int small = 4096;
  setsockopt(deaf, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  std::string pipelined;
  for (int i = 0; i < 3000; ++i) pipelined += "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) + "\r\n\r\n";
  (void)send(deaf, pipelined.data(), pipelined.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  std::this_thread::sleep_for(3s);
  // Meanwhile, and after, others are served.
  CHECK(s.client().Get("/v1/models")->status == 200);
  close(deaf);
  CHECK(s.client(false).Get("/healthz")->status == 200);
  CHECK(s.stop() == 0);
}

TEST_CASE("10,000 connections at once never crash serve: beyond its limit they get 503 with Retry-After", "[serve][integration]") {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  const int kConnections = static_cast<int>(std::min<rlim_t>(10'000, limit.rlim_cur - 200));
  FleetWorld w(false, {"--rate-limit", "0"});
  w.seed();
  Serve s(w, {"--token", kToken, "--threads", "8", "--max-connections", "1000", "--idle-timeout", "10"});
  std::vector<int> sockets;
  for (int i = 0; i < kConnections; ++i) {
    int fd = connect_to(s.port);
    if (fd >= 0) sockets.push_back(fd);
  }
  CHECK(sockets.size() > static_cast<size_t>(kConnections * 9 / 10));
  // Those past the 1,000 open are answered at once, and closed; the others wait, idle, costing
  // no thread.
  size_t refused = 0;
  std::string sample;
  for (int fd : sockets) {
    std::string got;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 0) > 0 && closed_within(fd, 100ms, &got) && got.find("503") != std::string::npos) {
      ++refused;
      if (sample.empty()) sample = got;
    }
  }
  CHECK(refused > sockets.size() / 2);
  CHECK_THAT(sample, Catch::Contains("Retry-After: 1"));
  for (int fd : sockets) close(fd);
  CHECK(airreg::test::eventually([&] { auto r = s.client(false).Get("/healthz"); return r && r->status == 200; }, 15s));
  auto metrics = s.client().Get("/metrics");
  REQUIRE(metrics);
  CHECK(airreg::test::PrometheusText::parse(metrics->body).value("airreg_http_requests_total", {{"route", "other"}, {"code", "503"}}) ==
        Approx(static_cast<double>(refused)).margin(static_cast<double>(sockets.size())));
  CHECK(s.stop() == 0);
}

TEST_CASE("a stop with rows in the write-back flushes them in time, or leaves them in the outbox", "[serve][integration]") {
  FleetWorld w(false, {"--rate-limit", "0"});
  w.seed();
  // The provider lists a model the table does not have: a refresh merges it and writes it back.
  {
    std::lock_guard lock(w.listing_mutex);
    w.openai.insert(w.openai.find("\"gpt-4o\""), "\"gpt-9-serve\", \"object\": \"model\", \"created\": 1, \"owned_by\": \"x\"}, {\"id\": ");
  }
  {
    Serve s(w, {"--token", kToken}, {{"AIRREG_FLUSH_TIMEOUT", "10"}});
    auto refreshed = s.client().Post("/v1/registry/refresh?provider=openai", "", "application/json");
    CHECK(refreshed->status == 200);
    CHECK(s.stop() == 0);  // at once: the row (pending, a person approves it) is still in the write-back
  }
  airreg::AirtableClient client(w.airtable_config(), airreg::make_curl_transport());
  auto rows = client.list("AI Model Registry").value();
  CHECK(std::any_of(rows.begin(), rows.end(), [](const airreg::AirtableRecord& r) {
    auto id = r.fields.find("Model ID");
    return id != r.fields.end() && id->second == airreg::FieldValue(std::string("gpt-9-serve"));
  }));
  // Airtable gone: the stop still ends within its deadline, and the row waits on disk.
  {
    std::lock_guard lock(w.listing_mutex);
    w.openai.insert(w.openai.find("\"gpt-4o\""), "\"gpt-9-later\", \"object\": \"model\", \"created\": 1, \"owned_by\": \"x\"}, {\"id\": ");
  }
  Serve s(w, {"--token", kToken}, {{"AIRREG_FLUSH_TIMEOUT", "2"}, {"AIRREG_DISCOVERY_INTERVAL", "1"}}, "serve2");
  REQUIRE(airreg::test::eventually([&] { return s.client(false).Get("/readyz")->status == 200; }, 10s));
  w.airtable.stop();
  CHECK(s.client().Post("/v1/registry/refresh?provider=openai", "", "application/json"));
  auto asked = std::chrono::steady_clock::now();
  CHECK(s.stop() == 0);
  CHECK(std::chrono::steady_clock::now() - asked < 15s);
  std::string env;
  for (const auto& [k, v] : w.env("serve2", false)) env += k + "=" + v + " ";
  auto status = airreg::test::run_command("env " + env + AIRREG_BIN " status");
  CHECK_THAT(status.output, Catch::Contains("rows waiting: ") && !Catch::Contains("rows waiting: 0"));
}
