#include "local_server.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#ifndef AIRTABLE_LOCAL_BIN
#error "AIRTABLE_LOCAL_BIN must name the airtable-local binary"
#endif

namespace airreg::test {

LocalServer::LocalServer(std::vector<std::string> extra_args) : extra_args_(std::move(extra_args)) {
  char tmpl[] = "/tmp/airreg-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  data_path_ = dir_ + "/data.json";
  start(0);
}

LocalServer::~LocalServer() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void LocalServer::start(int port) {
  std::vector<std::string> args{AIRTABLE_LOCAL_BIN, "--port", std::to_string(port), "--data", data_path_};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  // The server prints exactly one line when it is ready.
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[256];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  auto colon = line.rfind(':');
  if (line.rfind("airtable-local listening on http://127.0.0.1:", 0) != 0 || colon == std::string::npos) {
    stop();
    throw std::runtime_error("airtable-local did not start: '" + line + "'");
  }
  port_ = std::atoi(line.c_str() + colon + 1);
}

void LocalServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void LocalServer::restart() {
  stop();
  // The old socket may linger briefly; retry the same port for a moment.
  for (int attempt = 0;; ++attempt) {
    try {
      start(port_);
      return;
    } catch (const std::runtime_error&) {
      if (attempt > 20) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace airreg::test
