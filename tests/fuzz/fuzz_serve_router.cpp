// libFuzzer target: any bytes as a request to serve's router (a method byte, then a target
// line with its query, headers one per line up to an empty line, then the body) must give an
// answer with a valid status, never a crash; every JSON answer must parse.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fake_registry.hpp"
#include "serve/http_message.hpp"
#include "serve/router.hpp"

using namespace airreg;

namespace {

serve::Router& router() {
  static test::FakeRegistry* registry = [] {
    auto* r = new test::FakeRegistry;
    r->set("openai", ModelCategory::text, {test::row("openai", "gpt-4o"), test::row("openai", "o9", ModelStatus::pending)});
    r->set("mistral", ModelCategory::tts, {test::row("mistral", "voice")});
    return r;
  }();
  static serve::Metrics metrics;
  static serve::Router* router =
      new serve::Router(*registry, metrics, serve::RouterConfig{{"fuzz-token-0123456789"}, std::chrono::seconds(0), 1024, "fuzz"});
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kMethods[] = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"};
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  serve::ServeRequest r;
  r.method = kMethods[data[0] % 6];
  size_t at = input.find('\n');
  std::string target = input.substr(0, at);
  auto q = target.find('?');
  r.path = serve::percent_decode(target.substr(0, q), false);
  if (q != std::string::npos) r.query = serve::parse_query(target.substr(q + 1));
  while (at != std::string::npos) {
    size_t next = input.find('\n', at + 1);
    std::string line = input.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    at = next;
    if (line.empty()) break;
    auto colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), colon == std::string::npos ? "" : line.substr(colon + 1));
  }
  if (at != std::string::npos) r.body = input.substr(at + 1);
  if (data[0] & 0x80) r.headers.emplace_back("authorization", "Bearer fuzz-token-0123456789");
  auto answer = router().handle(r);
  if (answer.status < 200 || answer.status > 599) __builtin_trap();
  if (answer.content_type == "application/json" && !answer.body.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::element e;
    if (parser.parse(answer.body).get(e) != simdjson::SUCCESS) __builtin_trap();
  }
  return 0;
}
