// Serves a Service over HTTP with cpp-httplib on 127.0.0.1, applying the injected faults.
// run() blocks until stop() (from any thread).
#pragma once

#include <functional>
#include <memory>

#include "faults.hpp"
#include "request_log.hpp"
#include "service.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace airtable_local {

class HttpServer {
 public:
  // `log`, when given, records every answer (it must outlive the server).
  HttpServer(Service& service, FaultOptions faults, RequestLog* log = nullptr);
  ~HttpServer();
  // Binds 127.0.0.1:port (0 = any free port) and returns the bound port, or -1.
  int bind(int port);
  // Serves until stop(); returns false when serving failed.
  bool run();
  void stop();

 private:
  void handle(const httplib::Request& req, httplib::Response& res, const char* method);
  void respond(const httplib::Request& req, httplib::Response& res, const char* method);
  Service& service_;
  Faults faults_;
  RequestLog* log_;
  std::unique_ptr<httplib::Server> server_;
};

}  // namespace airtable_local
