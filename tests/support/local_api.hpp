// A tiny HTTP client for tests of airtable-local itself, on cpp-httplib (deliberately not
// airreg's own client, so each side checks the other). Header-only; one per test.
#pragma once

#include <httplib.h>
#include <simdjson.h>

#include <cctype>
#include <string>

#include "local_server.hpp"

namespace airreg::test {

struct Answer {
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
  std::string error_type() const {
    simdjson::dom::parser p;
    std::string_view t;
    auto doc = p.parse(body);
    if (doc.error()) return "<not json>";
    if (doc["error"]["type"].get(t) == simdjson::SUCCESS) return std::string(t);
    if (doc["error"].get(t) == simdjson::SUCCESS) return std::string(t);
    return "";
  }
};

class LocalApi {
 public:
  explicit LocalApi(const LocalServer& server, std::string token = "test-token")
      : client_("127.0.0.1", server.port()), token_(std::move(token)) {
    client_.set_read_timeout(10, 0);
  }
  Answer get(const std::string& path) { return wrap(client_.Get(path.c_str(), headers())); }
  Answer post(const std::string& path, const std::string& body) {
    return wrap(client_.Post(path.c_str(), headers(), body, "application/json"));
  }
  Answer patch(const std::string& path, const std::string& body) {
    return wrap(client_.Patch(path.c_str(), headers(), body, "application/json"));
  }
  Answer put(const std::string& path, const std::string& body) {
    return wrap(client_.Put(path.c_str(), headers(), body, "application/json"));
  }
  Answer del(const std::string& path) { return wrap(client_.Delete(path.c_str(), headers())); }

  // Percent-encodes everything but RFC 3986's unreserved characters.
  static std::string encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
    return out;
  }

  static std::string table_path(const std::string& table, const std::string& query = "") {
    return "/v0/" + std::string(LocalServer::kBase) + "/" + encode(table) +
           (query.empty() ? "" : "?" + query);
  }
  static std::string meta_path(const std::string& rest = "") {
    return "/v0/meta/bases/" + std::string(LocalServer::kBase) + "/tables" + rest;
  }

 private:
  httplib::Headers headers() const {
    if (token_.empty()) return {};
    return {{"Authorization", "Bearer " + token_}};
  }
  static Answer wrap(const httplib::Result& r) {
    if (!r) return {};
    return {r->status, r->body};
  }
  httplib::Client client_;
  std::string token_;
};

}  // namespace airreg::test
