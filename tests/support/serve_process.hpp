// `airreg serve` as a child process for integration tests: started on a port (0: any free
// one) with a fleet world's environment, its port read from the line it prints when ready.
#pragma once

#include <catch2/catch.hpp>
#include <httplib.h>
#include <signal.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "eventually.hpp"
#include "fleet_world.hpp"
#include "free_port.hpp"

namespace airreg::test {

using namespace std::chrono_literals;

inline constexpr const char* kServeToken = "serve-it-token-0123456789";

// A serve process on a free port, with the fleet world's environment.
struct Serve {
  std::unique_ptr<ChildProcess> process;
  int port = 0;

  Serve(const FleetWorld& w, std::vector<std::string> flags, std::map<std::string, std::string> extra_env = {},
        const std::string& name = "serve", int listen_port = 0, bool use_redis = false) {
    std::vector<std::string> argv{AIRREG_BIN, "serve", "--port", std::to_string(listen_port)};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto env = w.env(name, use_redis);
    for (auto& [k, v] : extra_env) env[k] = v;
    process = std::make_unique<ChildProcess>(argv, (w.dir.path() / (name + ".log")).string(), env);
    std::string prefix = "airreg serve listening on http://127.0.0.1:";
    REQUIRE(airreg::test::eventually([&] { return process->output().find(prefix) != std::string::npos || process->exited(); }, 20s));
    auto out = process->output();
    auto at = out.find(prefix);
    INFO(out);
    REQUIRE(at != std::string::npos);
    port = std::atoi(out.c_str() + at + prefix.size());
  }

  httplib::Client client(bool with_token = true) const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    if (with_token) c.set_bearer_token_auth(kServeToken);
    return c;
  }
  int stop() {
    process->signal(SIGTERM);
    return process->wait();
  }
};

}  // namespace airreg::test
