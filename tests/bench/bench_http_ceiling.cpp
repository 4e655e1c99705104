// The ceiling of the HTTP layer, for serve's benchmark: cpp-httplib answering every GET with
// the same constant body (the file given, e.g. a models answer of the same size), with nothing
// behind it. Prints "listening on http://127.0.0.1:PORT" and serves until killed.
#include <httplib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_http_ceiling BODY_FILE\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream body;
  body << in.rdbuf();
  const std::string content = body.str();
  httplib::Server server;
  server.set_keep_alive_max_count(100000);
  server.set_tcp_nodelay(true);
  // A thread per connection of the load (wrk's 64), so that every connection is served: with
  // cpp-httplib's default 8, most would wait unmeasured and the ceiling would flatter itself.
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  server.Get(".*", [&](const httplib::Request&, httplib::Response& res) { res.set_content(content, "application/json"); });
  int port = server.bind_to_any_port("127.0.0.1");
  std::printf("listening on http://127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
  return 0;
}
