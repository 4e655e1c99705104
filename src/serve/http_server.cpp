#include "serve/http_server.hpp"

#include <httplib.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <thread>

#include "serve/connection_stream.hpp"
#include "serve/json_answers.hpp"

namespace airreg::serve {

namespace {

using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

// cpp-httplib's Server with what serve needs of its protected part: process_request on a
// connection we accepted, and the listening socket bind_to_port made.
class Engine final : public httplib::Server {
 public:
  using httplib::Server::process_request;
  int listening() const { return static_cast<int>(svr_sock_.load()); }
  // Ends every keep-alive loop of cpp-httplib's and lets us close the socket ourselves.
  int release_listener() { return static_cast<int>(svr_sock_.exchange(INVALID_SOCKET)); }
};

std::string overloaded_answer() {
  std::string body = error_json("the server is busy: try again in a second", "overloaded_error");
  return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
         "Connection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

bool loopback_peer(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr == "::1" || addr.rfind("::ffff:127.", 0) == 0;
}

ServeRequest to_serve_request(const httplib::Request& req) {
  ServeRequest r;
  r.method = req.method;
  r.path = req.path;
  for (const auto& [k, v] : req.params) r.query.emplace_back(k, v);
  for (const auto& [k, v] : req.headers) {
    if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT") continue;  // cpp-httplib's own
    std::string name = k;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    r.headers.emplace_back(std::move(name), v);
  }
  r.body = req.body;
  r.from_loopback = loopback_peer(req.remote_addr);
  return r;
}

void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

bool is_loopback_address(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

struct HttpServer::Impl {
  Router& router;
  ServerOptions options;
  std::shared_ptr<spdlog::logger> logger;
  Engine engine;
  std::atomic<bool> stopping{false};

  std::mutex mutex;
  std::condition_variable ready;
  std::deque<int> queue;  // accepted connections waiting for a worker
  std::vector<std::thread> workers;
  // Connections answered 503: closed a moment later, so that the answer is read rather than
  // lost to a reset (closing with the request unread would send one).
  std::deque<std::pair<Steady::time_point, int>> closing;

  Impl(Router& r, ServerOptions o, std::shared_ptr<spdlog::logger> l)
      : router(r), options(std::move(o)), logger(std::move(l)) {}

  void install() {
    engine.set_payload_max_length(options.max_body);
    auto handle = [this](const httplib::Request& req, httplib::Response& res) {
      ServeResponse answer = router.handle(to_serve_request(req));
      res.status = answer.status;
      for (const auto& [k, v] : answer.headers) res.set_header(k, v);
      if (req.method == "HEAD" || answer.status == 304) {
        res.set_header("Content-Type", answer.content_type);
      } else {
        res.set_content(std::move(answer.body), answer.content_type);
      }
    };
    engine.Get(".*", handle);
    engine.Post(".*", handle);
    engine.Put(".*", handle);
    engine.Patch(".*", handle);
    engine.Delete(".*", handle);
    engine.Options(".*", handle);
    engine.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      router.record(Router::classify(req.path), res.status);
      if (!res.body.empty()) return;
      std::string message = res.status == 413 ? "the body is over " + std::to_string(options.max_body / 1024) + " KiB"
                                              : "the request could not be read";
      res.set_content(error_json(message, "invalid_request_error"), "application/json");
    });
  }

  void serve_connection(int fd) {
    ConnectionStream stream(fd, options.write_timeout);
    for (int count = 1000; count > 0; --count) {
      // Idle: waits in slices, so that stop() ends idle keep-alives at once. A connection
      // accepted before stop() gets its first request answered all the same.
      bool arrived = count == 1000 && stopping && stream.wait_for_request(100ms);
      for (auto until = Steady::now() + options.keep_alive; !stopping && Steady::now() < until;) {
        auto slice = std::min<std::chrono::milliseconds>(
            250ms, std::chrono::duration_cast<std::chrono::milliseconds>(until - Steady::now()) + 1ms);
        if (arrived || stream.wait_for_request(slice)) {
          arrived = true;
          break;
        }
      }
      if (!arrived) break;
      stream.set_deadline(Steady::now() + options.header_timeout);
      bool closed = false;
      bool last = count == 1 || stopping;
      if (!engine.process_request(stream, last, closed, [](httplib::Request&) {}) || closed || last) break;
    }
    ::close(fd);
  }

  void work() {
    for (;;) {
      int fd = -1;
      {
        std::unique_lock lock(mutex);
        ready.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping, and everything accepted was served
        fd = queue.front();
        queue.pop_front();
      }
      serve_connection(fd);
    }
  }

  void refuse(int fd) {
    static const std::string answer = overloaded_answer();
    (void)::send(fd, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    closing.emplace_back(Steady::now() + 1s, fd);
    router.record(Route::other, 503);
  }

  void close_refused(bool all) {
    auto now = Steady::now();
    while (!closing.empty() && (all || closing.front().first <= now)) {
      char sink[512];
      while (::recv(closing.front().second, sink, sizeof sink, MSG_DONTWAIT) > 0) {
      }
      ::close(closing.front().second);
      closing.pop_front();
    }
  }

  void accept_loop() {
    int listener = engine.listening();
    while (!stopping) {
      close_refused(false);
      pollfd p{listener, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        // Out of files (a crowd): wait for connections to end rather than fail.
        if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(10ms);
        continue;
      }
      bool queued = false;
      {
        std::lock_guard lock(mutex);
        if (queue.size() < options.max_queue) {
          queue.push_back(fd);
          queued = true;
        }
      }
      if (queued) {
        ready.notify_one();
      } else {
        refuse(fd);
      }
    }
    close_refused(true);
  }
};

HttpServer::HttpServer(Router& router, ServerOptions options, std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>(router, std::move(options), std::move(logger))) {
  raise_open_file_limit();
  impl_->install();
}

HttpServer::~HttpServer() { stop(); }

Result<int> HttpServer::bind() {
  std::string host = impl_->options.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = impl_->options.port;
  int bound = port == 0 ? impl_->engine.bind_to_any_port(host) : (impl_->engine.bind_to_port(host, port) ? port : -1);
  if (bound <= 0)
    return std::unexpected(make_error(ErrorCode::config, "cannot listen on " + impl_->options.host + ":" + std::to_string(port) +
                                                             " (in use, or not an address of this machine)"));
  // cpp-httplib listens with a backlog of 5: a crowd connecting at once would wait for SYN
  // retries. Listening again on the socket only makes the queue longer.
  ::listen(impl_->engine.listening(), 4096);
  return bound;
}

void HttpServer::run() {
  for (size_t i = 0; i < impl_->options.threads; ++i) impl_->workers.emplace_back([this] { impl_->work(); });
  impl_->accept_loop();
  int listener = impl_->engine.release_listener();
  if (listener >= 0) ::close(listener);
  impl_->ready.notify_all();
  for (auto& t : impl_->workers) t.join();
  impl_->workers.clear();
}

void HttpServer::stop() {
  impl_->stopping = true;
  impl_->ready.notify_all();
}

}  // namespace airreg::serve
