// --request-log FILE: one JSON line per request airtable-local answered, so that tests and
// benchmarks can count what a client spent (per second, per route, 429s):
//   {"t_ms":1764700000123,"method":"GET","path":"/v0/app.../AI%20Model%20Registry","status":200}
// The query string is left out (it may be long; it never holds a token). Thread-safe.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

namespace airtable_local {

class RequestLog {
 public:
  // Appends to `path`; false when it cannot be opened.
  bool open(const std::string& path);
  ~RequestLog();
  void record(const std::string& method, const std::string& target, int status);

 private:
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

}  // namespace airtable_local
