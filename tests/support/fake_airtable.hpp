// An in-process stand-in for Airtable's upsert, update and list endpoints, for unit tests of
// the writer's logic (integration tests use airtable-local over HTTP). It keeps rows by merge
// key, refuses a request holding a row whose "Bad" cell is true (422 INVALID_RECORDS, as
// Airtable refuses a whole request) or whose "Refuse" cell names an error type (422 of that
// type, naming the field "Refuse"), answers a GET with every row (formulas are ignored),
// can be told to answer the next requests with given statuses or failures, and records when
// each request came. Thread-safe.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "airreg/airtable_types.hpp"
#include "airreg/http_transport.hpp"
#include "fake_clock.hpp"

namespace airreg::test {

class FakeAirtable : public HttpTransport {
 public:
  struct Seen {
    std::string method;
    std::string url;
    size_t rows = 0;
    Clock::TimePoint at;
  };
  // What to do with one of the next requests instead of (or after) serving it.
  struct Scripted {
    int status = 200;            // answered without touching the rows (unless apply)
    std::string retry_after;     // Retry-After header, when not empty
    std::optional<ErrorCode> failure;  // a transport failure instead of an answer
    bool apply = false;          // serve the request first, then answer as above

    static Scripted answer(int status, std::string retry_after = "") {
      Scripted s;
      s.status = status;
      s.retry_after = std::move(retry_after);
      return s;
    }
    static Scripted fail(ErrorCode code, bool apply_first = false) {
      Scripted s;
      s.failure = code;
      s.apply = apply_first;
      return s;
    }
  };

  explicit FakeAirtable(FakeClock& clock) : clock_(clock) {}

  void script(std::vector<Scripted> next);
  Result<HttpResponse> send(const HttpRequest& request) override;

  std::vector<Seen> seen() const;
  std::map<std::string, Fields> rows() const;  // by merge key ("a/b")
  // A person changes cells of a row (by merge key) in the table.
  void person_edits(const std::string& key, const Fields& cells);
  size_t upserts_applied() const;

 private:
  HttpResponse serve(const HttpRequest& request);
  HttpResponse list_rows() const;

  FakeClock& clock_;
  mutable std::mutex mutex_;
  std::deque<Scripted> script_;
  std::vector<Seen> seen_;
  std::map<std::string, std::pair<std::string, Fields>> rows_;  // key -> record id, fields
  size_t applied_ = 0;
};

}  // namespace airreg::test
