// Starts build/bin/airtable-local on an ephemeral loopback port for one test and stops it
// (SIGTERM, then wait) when it goes out of scope. Not thread-safe; one owner.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace airreg::test {

class LocalServer {
 public:
  // extra_args are added to the command line (e.g. "--rate-limit", "0").
  explicit LocalServer(std::vector<std::string> extra_args = {"--rate-limit", "0"});
  ~LocalServer();
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& data_path() const { return data_path_; }
  static constexpr const char* kBase = "appLOCALBASE00001";

  // What the server answered, from its --request-log (kept in the test's directory).
  struct Logged {
    long long t_ms = 0;
    std::string method, path;
    int status = 0;
  };
  std::vector<Logged> requests() const;
  // The most requests to the base in any window of one second, and the 429s answered.
  size_t peak_per_second() const;
  size_t rate_limited() const;

  // Stops the server (it saves its data) and starts it again on the same port and data.
  void restart();
  void stop();
  bool running() const { return pid_ > 0; }

 private:
  void start(int port);
  std::vector<std::string> extra_args_;
  std::string dir_;
  std::string data_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace airreg::test
