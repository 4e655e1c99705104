// A loopback HTTP server (cpp-httplib, ephemeral port) that answers a provider API's routes
// with recorded bodies, or whatever a test's handler says, and records every request.
// Thread-safe; stops when it goes out of scope.
#pragma once

#include <httplib.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace airreg::test {

// A file of tests/fixtures/providers/, whole.
std::string provider_fixture(const std::string& relative_path);

class FixtureServer {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  struct Seen {
    std::string method, path, query;
    std::multimap<std::string, std::string, httplib::detail::ci> headers;
    std::string param(const std::string& name) const;
  };
  using Handler = std::function<Reply(const Seen&)>;

  FixtureServer();
  ~FixtureServer();
  FixtureServer(const FixtureServer&) = delete;
  FixtureServer& operator=(const FixtureServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void on(const std::string& method, const std::string& path, Handler handler);
  void reply(const std::string& method, const std::string& path, Reply reply);
  std::vector<Seen> seen() const;

 private:
  void handle(const httplib::Request& request, httplib::Response& response);

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Handler> handlers_;
  std::vector<Seen> seen_;
};

}  // namespace airreg::test
