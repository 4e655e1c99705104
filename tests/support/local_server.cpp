#include "local_server.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <tuple>

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
  std::vector<std::string> args{AIRTABLE_LOCAL_BIN, "--port", std::to_string(port), "--data", data_path_,
                                "--request-log", dir_ + "/requests.jsonl"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test that aborts (a failed sanitizer check) must not leave its server holding ctest's
    // pipe open: that turned one ASan report into a 600 s timeout.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
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

std::vector<LocalServer::Logged> LocalServer::requests() const {
  std::vector<Logged> out;
  std::ifstream in(dir_ + "/requests.jsonl");
  simdjson::dom::parser parser;
  std::string line;
  while (std::getline(in, line)) {
    simdjson::dom::element e;
    if (parser.parse(line).get(e) != simdjson::SUCCESS) continue;
    Logged l;
    int64_t t = 0, status = 0;
    std::string_view method, path;
    // A missing member leaves its default.
    std::ignore = e["t_ms"].get(t);
    std::ignore = e["status"].get(status);
    std::ignore = e["method"].get(method);
    std::ignore = e["path"].get(path);
    out.push_back(Logged{t, std::string(method), std::string(path), static_cast<int>(status)});
  }
  return out;
}

size_t LocalServer::peak_per_second() const {
  auto all = requests();
  size_t peak = 0;
  for (size_t i = 0, j = 0; j < all.size(); ++j) {
    while (all[j].t_ms - all[i].t_ms >= 1000) ++i;
    peak = std::max(peak, j - i + 1);
  }
  return peak;
}

size_t LocalServer::rate_limited() const {
  auto all = requests();
  return static_cast<size_t>(std::count_if(all.begin(), all.end(), [](const Logged& l) { return l.status == 429; }));
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
