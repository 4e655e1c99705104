#include "serve/http_server.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <thread>
#include <unordered_map>

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

// One client connection. A worker holds it only while it answers; between requests it waits
// in epoll (idle), so that idle keep-alive connections cost no thread.
struct Connection {
  enum class State { idle, ready, busy };
  Connection(int fd, std::chrono::milliseconds write_timeout) : fd(fd), stream(fd, write_timeout) {}
  int fd;
  ConnectionStream stream;
  State state = State::idle;
  int requests = 0;
  Steady::time_point idle_until{};
};

constexpr int kMaxRequestsPerConnection = 10'000;

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
  int epoll_fd = -1;

  std::mutex mutex;
  std::condition_variable work_ready;
  std::unordered_map<int, std::unique_ptr<Connection>> connections;  // by fd
  std::deque<Connection*> ready;  // connections with a request, waiting for a worker
  size_t busy = 0;
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
    // Requests without a body are answered before cpp-httplib's routing, which matches every
    // handler's std::regex against the path (a measurable share of a cache hit's cost).
    engine.set_pre_routing_handler([handle](const httplib::Request& req, httplib::Response& res) {
      if (req.method != "GET" && req.method != "HEAD") return httplib::Server::HandlerResponse::Unhandled;
      handle(req, res);
      return httplib::Server::HandlerResponse::Handled;
    });
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

  // ---- workers

  // Answers the requests the connection has now; true when it stays open.
  bool answer(Connection& c) {
    do {
      c.stream.set_deadline(Steady::now() + options.header_timeout);
      bool closed = false;
      bool last = ++c.requests >= kMaxRequestsPerConnection || stopping;
      if (!engine.process_request(c.stream, last, closed, [](httplib::Request&) {}) || closed || last) return false;
    } while (c.stream.has_buffered());  // pipelined requests already read
    return true;
  }

  void work() {
    for (;;) {
      Connection* c = nullptr;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [&] { return stopping || !ready.empty(); });
        if (ready.empty()) return;  // stopping, and every request taken was answered
        c = ready.front();
        ready.pop_front();
        c->state = Connection::State::busy;
        ++busy;
      }
      bool open = answer(*c);
      std::lock_guard lock(mutex);
      --busy;
      if (!open || stopping) {
        forget(c->fd);
        continue;
      }
      // Back to epoll until its next request.
      c->state = Connection::State::idle;
      c->idle_until = Steady::now() + options.keep_alive;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
      ev.data.fd = c->fd;
      if (::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) != 0) forget(c->fd);
    }
  }

  // With the mutex held.
  void forget(int fd) {
    ::close(fd);  // also takes it out of epoll
    connections.erase(fd);
  }

  // ---- the loop: accepts, and hands connections with a request to the workers

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

  void accept_all(int listener) {
    for (;;) {
      int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        // Out of files (a crowd): wait for connections to end rather than fail.
        if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(10ms);
        return;
      }
      // An answer goes out as headers then body: without this, Nagle holds the body back
      // until the client's delayed ACK (40 ms a request on Linux).
      int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      std::lock_guard lock(mutex);
      if (connections.size() >= options.max_connections) {
        refuse(fd);
        continue;
      }
      auto c = std::make_unique<Connection>(fd, options.write_timeout);
      c->idle_until = Steady::now() + options.header_timeout;  // its first request
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
      ev.data.fd = fd;
      if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        ::close(fd);
        continue;
      }
      connections.emplace(fd, std::move(c));
    }
  }

  void readable(int fd) {
    std::lock_guard lock(mutex);
    auto it = connections.find(fd);
    if (it == connections.end() || it->second->state != Connection::State::idle) return;
    if (ready.size() >= options.max_queue) {
      // Every worker busy and the queue full: 503 now rather than a wait nobody bounds.
      connections.erase(it);
      refuse(fd);
      return;
    }
    it->second->state = Connection::State::ready;
    ready.push_back(it->second.get());
    work_ready.notify_one();
  }

  // Idle connections past their time are closed (a silent client, a finished keep-alive).
  void close_expired() {
    auto now = Steady::now();
    std::lock_guard lock(mutex);
    for (auto it = connections.begin(); it != connections.end();) {
      auto& c = *it->second;
      if (c.state == Connection::State::idle && (now >= c.idle_until || stopping)) {
        ::close(c.fd);
        it = connections.erase(it);
      } else {
        ++it;
      }
    }
  }

  void loop() {
    int listener = engine.listening();
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &ev);
    std::vector<epoll_event> events(256);
    auto next_sweep = Steady::now();
    while (!stopping) {
      int n = ::epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < n; ++i) {
        if (events[i].data.fd == listener) {
          accept_all(listener);
        } else {
          readable(events[i].data.fd);
        }
      }
      if (Steady::now() >= next_sweep) {
        close_expired();
        close_refused(false);
        next_sweep = Steady::now() + 100ms;
      }
    }
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listener, nullptr);
  }
};

HttpServer::HttpServer(Router& router, ServerOptions options, std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>(router, std::move(options), std::move(logger))) {
  raise_open_file_limit();
  impl_->install();
  impl_->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
}

HttpServer::~HttpServer() {
  stop();
  if (impl_->epoll_fd >= 0) ::close(impl_->epoll_fd);
}

Result<int> HttpServer::bind() {
  std::string host = impl_->options.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = impl_->options.port;
  int bound = port == 0 ? impl_->engine.bind_to_any_port(host) : (impl_->engine.bind_to_port(host, port) ? port : -1);
  if (bound <= 0)
    return std::unexpected(make_error(ErrorCode::config, "cannot listen on " + impl_->options.host + ":" + std::to_string(port) +
                                                             " (in use, or not an address of this machine)"));
  // cpp-httplib listens with a backlog of 5, and blocking: a crowd connecting at once would
  // wait for SYN retries, and accept_all must not block.
  int listener = impl_->engine.listening();
  ::listen(listener, 4096);
  int flags = fcntl(listener, F_GETFL, 0);
  fcntl(listener, F_SETFL, flags | O_NONBLOCK);
  return bound;
}

void HttpServer::run() {
  for (size_t i = 0; i < impl_->options.threads; ++i) impl_->workers.emplace_back([this] { impl_->work(); });
  impl_->loop();
  int listener = impl_->engine.release_listener();
  if (listener >= 0) ::close(listener);
  // What was accepted and had a request is answered; idle connections are closed.
  impl_->work_ready.notify_all();
  for (auto& t : impl_->workers) t.join();
  impl_->workers.clear();
  impl_->close_expired();
  impl_->close_refused(true);
}

void HttpServer::stop() {
  impl_->stopping = true;
  impl_->work_ready.notify_all();
}

}  // namespace airreg::serve
