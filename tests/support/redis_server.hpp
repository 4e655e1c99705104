// A real redis-server (Debian's package) for one test, on a free loopback port, with no
// persistence (--save '' --appendonly no). kill() stops it hard, as a crash would; start()
// brings it back on the same port, empty. Not thread-safe; one owner.
#pragma once

#include <memory>
#include <string>

#include "child_process.hpp"
#include "temp_dir.hpp"

namespace airreg::test {

class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }
  int port() const { return port_; }
  void kill();   // SIGKILL, as a crash
  void start();  // again, on the same port
  bool running() const { return process_ != nullptr; }
  // One command through redis-cli, its output (for checks on keys).
  std::string cli(const std::string& args) const;

 private:
  bool launch();
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace airreg::test
