#include "http_server.hpp"

#include "json_out.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <httplib.h>
#include <sys/socket.h>

#include <cstdlib>
#include <string>
#include <thread>

namespace airtable_local {

namespace {

constexpr size_t kMaxBodyBytes = 16 * 1024 * 1024;
// cpp-httplib serves a connection on one thread for as long as it is kept alive, and its
// default pool has 8: the ninth client of a fleet waited for a keep-alive to time out (5 s).
// Airtable takes thousands of connections; a fleet benchmark starts fifty clients.
constexpr size_t kThreads = 256;

int port_of(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return -1;
}

// cpp-httplib does not hand a handler its socket. To drop a connection without an answer we
// find the socket by its two ports and shut it down; httplib then fails its write and closes.
void shut_down_connection(const httplib::Request& req) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return;
  while (dirent* entry = readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    if (fd <= 2) continue;
    sockaddr_storage local{}, peer{};
    socklen_t ll = sizeof local, pl = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &ll) != 0) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &pl) != 0) continue;
    if (port_of(local) == req.local_port && port_of(peer) == req.remote_port) {
      ::shutdown(fd, SHUT_RDWR);
      break;
    }
  }
  closedir(dir);
}

}  // namespace

HttpServer::HttpServer(Service& service, FaultOptions faults, RequestLog* log)
    : service_(service), faults_(faults), log_(log), server_(std::make_unique<httplib::Server>()) {
  server_->set_payload_max_length(kMaxBodyBytes);
  server_->set_keep_alive_max_count(1000);
  server_->new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  auto bind_method = [this](const char* method) {
    return [this, method](const httplib::Request& req, httplib::Response& res) {
      handle(req, res, method);
    };
  };
  server_->Get(".*", bind_method("GET"));
  server_->Post(".*", bind_method("POST"));
  server_->Patch(".*", bind_method("PATCH"));
  server_->Put(".*", bind_method("PUT"));
  server_->Delete(".*", bind_method("DELETE"));
  server_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(error_json({500, "SERVER_ERROR", "internal error"}), "application/json");
  });
  // httplib's own refusals (a body over the size limit, a malformed request line) get an
  // Airtable-shaped body too.
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string type = res.status == 413 ? "REQUEST_TOO_LARGE" : "INVALID_REQUEST_UNKNOWN";
    res.set_content(error_json({res.status, type, "the request was refused (HTTP " +
                                                      std::to_string(res.status) + ")"}),
                    "application/json");
  });
}

HttpServer::~HttpServer() = default;

int HttpServer::bind(int port) {
  if (port == 0) return server_->bind_to_any_port("127.0.0.1");
  return server_->bind_to_port("127.0.0.1", port) ? port : -1;
}

bool HttpServer::run() { return server_->listen_after_bind(); }

void HttpServer::stop() { server_->stop(); }

void HttpServer::handle(const httplib::Request& req, httplib::Response& res, const char* method) {
  respond(req, res, method);
  if (log_) log_->record(method, req.target, res.status);
}

void HttpServer::respond(const httplib::Request& req, httplib::Response& res, const char* method) {
  if (faults_.options().latency_ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(faults_.options().latency_ms));
  Faults::Kind fault = faults_.roll();
  if (fault == Faults::Kind::Fail) {
    int status = faults_.fail_status();
    res.status = status;
    // A 502 comes from a proxy in front of Airtable, so it is HTML, not JSON.
    if (status == 502) {
      res.set_content("<html><body>502 Bad Gateway</body></html>", "text/html");
    } else {
      res.set_content(error_json({status, "SERVER_ERROR", "injected fault"}), "application/json");
    }
    return;
  }
  HttpAnswer answer = service_.handle({method, req.target, req.body, req.get_header_value("Authorization")});
  if (fault == Faults::Kind::Drop) {
    shut_down_connection(req);
    return;
  }
  res.status = answer.status;
  for (const auto& [name, value] : answer.headers) res.set_header(name, value);
  if (fault == Faults::Kind::Truncate && answer.body.size() > 1) {
    auto body = std::make_shared<std::string>(std::move(answer.body));
    res.set_content_provider(body->size(), "application/json",
                             [body](size_t, size_t, httplib::DataSink& sink) {
                               sink.write(body->data(), body->size() / 2);
                               return false;  // stop half-way: the client sees a short body
                             });
    return;
  }
  res.set_content(answer.body, "application/json; charset=utf-8");
}

}  // namespace airtable_local
