#include "request_log.hpp"

#include <chrono>

#include "json_out.hpp"

namespace airtable_local {

bool RequestLog::open(const std::string& path) {
  file_ = std::fopen(path.c_str(), "a");
  return file_ != nullptr;
}

RequestLog::~RequestLog() {
  if (file_) std::fclose(file_);
}

void RequestLog::record(const std::string& method, const std::string& target, int status) {
  if (!file_) return;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_key(w, "t_ms");
  w.Int64(ms);
  write_member(w, "method", method);
  write_member(w, "path", target.substr(0, target.find('?')));
  write_key(w, "status");
  w.Int(status);
  w.EndObject();
  std::lock_guard lock(mutex_);
  std::fprintf(file_, "%s\n", buffer.GetString());
  std::fflush(file_);
}

}  // namespace airtable_local
