#include "redis_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "run_command.hpp"

namespace airreg::test {

namespace {

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

// True once the server answers PING.
bool answers(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char ping[] = "PING\r\n";
    char buf[16] = {0};
    ok = write(fd, ping, sizeof ping - 1) == static_cast<ssize_t>(sizeof ping - 1) && read(fd, buf, sizeof buf - 1) > 0 &&
         std::string(buf).rfind("+PONG", 0) == 0;
  }
  close(fd);
  return ok;
}

}  // namespace

RedisServer::RedisServer() {
  // A port found free may be taken before redis binds it: try a few.
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    if (launch()) return;
  }
  throw std::runtime_error("redis-server did not start");
}

RedisServer::~RedisServer() { kill(); }

bool RedisServer::launch() {
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--daemonize", "no", "--dir", dir_.path().string()},
      (dir_.path() / "redis.log").string());
  for (int i = 0; i < 100; ++i) {
    if (answers(port_)) return true;
    if (process_->exited()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  process_.reset();
  return false;
}

void RedisServer::kill() { process_.reset(); }

void RedisServer::start() {
  for (int attempt = 0; attempt < 40 && !launch(); ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the port may linger a moment
  if (!process_) throw std::runtime_error("redis-server did not start again");
}

std::string RedisServer::cli(const std::string& args) const {
  return run_command("/usr/bin/redis-cli -p " + std::to_string(port_) + " " + args).output;
}

}  // namespace airreg::test
