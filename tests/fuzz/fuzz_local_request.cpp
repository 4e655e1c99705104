// libFuzzer target: any bytes as an HTTP call (method, target, body) to airtable-local's
// Service must give an answer, never a crash. The table it hits has every field type.
#include <cstddef>
#include <cstdint>
#include <string>

#include "service.hpp"

using namespace airtable_local;

namespace {

Service& service() {
  static Service* s = [] {
    ServiceOptions options;
    options.base_ids = {"appLOCALBASE00001"};
    options.rate_limit = 0;
    options.seed = 1;
    auto* created = new Service(options, Store{});
    created->handle({"POST", "/v0/meta/bases/appLOCALBASE00001/tables",
                     R"({"name":"T","fields":[{"name":"Key","type":"singleLineText"},
                       {"name":"N","type":"number","options":{"precision":2}},
                       {"name":"C","type":"checkbox"},
                       {"name":"D","type":"date","options":{"dateFormat":{"name":"iso"}}},
                       {"name":"S","type":"dateTime","options":{"dateFormat":{"name":"iso"},"timeFormat":{"name":"24hour"},"timeZone":"utc"}},
                       {"name":"One","type":"singleSelect","options":{"choices":[{"name":"a"}]}},
                       {"name":"Many","type":"multipleSelects","options":{"choices":[{"name":"a"}]}}]})",
                     "Bearer t"});
    return created;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kMethods[] = {"GET", "POST", "PATCH", "PUT", "DELETE"};
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto newline = input.find('\n');
  std::string target = "/v0/appLOCALBASE00001/T" + input.substr(0, newline);
  std::string body = newline == std::string::npos ? "" : input.substr(newline + 1);
  HttpAnswer answer = service().handle({kMethods[data[0] % 5], target, body, "Bearer t"});
  if (answer.status < 200 || answer.status > 599) __builtin_trap();
  // Keep the table small so the fuzzer stays fast.
  if (data[0] % 16 == 0) service().handle({"DELETE", "/v0/appLOCALBASE00001/T?records[]=x", "", "Bearer t"});
  return 0;
}
