// serve's socket side. cpp-httplib parses requests and writes answers; the connections are
// ours, so that the server stays up under a crowd and against clients that misbehave:
//   - one epoll loop accepts and watches idle connections; a fixed pool of workers answers
//     the connections that have a request (a worker holds a connection only while it answers,
//     so idle keep-alives cost no thread and busy ones are served fairly); past max_connections
//     open, or max_queue requests waiting for a worker, a connection is answered 503 with
//     Retry-After at once and closed (never a thread per connection, never a crash at 10,000
//     connections; the open-file limit is raised to its hard limit);
//   - each request must arrive whole within header_timeout (a client sending byte by byte is
//     cut off), each answer must be taken within write_timeout (a client that never reads),
//     an idle keep-alive connection is closed after keep_alive;
//   - bodies over max_body get 413 before they are read;
//   - stop() stops accepting, answers the requests already taken, closes idle connections.
// Thread-safe: run() on one thread, stop() from any (also from a signal-handling thread).
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <string>

#include "airreg/error.hpp"
#include "serve/router.hpp"

namespace airreg::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8787;                               // 0: any free port
  size_t threads = 32;                           // requests served at once
  size_t max_queue = 1024;                       // requests waiting for a worker; then 503
  size_t max_connections = 10'000;               // open at once; then 503
  size_t max_body = 64 * 1024;                   // bytes
  std::chrono::milliseconds header_timeout{10'000};  // to send a whole request (ms)
  std::chrono::milliseconds write_timeout{5'000};    // for a client to take an answer (ms)
  std::chrono::milliseconds keep_alive{5'000};       // an idle connection is closed after (ms)
};

class HttpServer {
 public:
  HttpServer(Router& router, ServerOptions options, std::shared_ptr<spdlog::logger> logger);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds; the port bound (the one asked for, or a free one for 0), or why not.
  Result<int> bind();
  // Serves until stop(); returns once what was accepted is answered.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True for 127.0.0.0/8, ::1 and localhost: where serve may listen without a token.
bool is_loopback_address(const std::string& host);

}  // namespace airreg::serve
