// Reading a provider's listing with simdjson On-Demand: the body is validated, minified once
// (one copy, with simdjson's padding), then read in place; each entry's raw JSON is a slice.
//
// On-Demand validates lazily, and after most errors its iterator must not be touched again
// (doing so crashes; the fuzzers found it). So every read goes through this class: a missing
// field or a wrong type is just "no value", any other error is remembered, every later read
// is a no-op, and the caller stops and returns failure(), which names the provider and the
// byte offset. Not thread-safe: one per body.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airreg/error.hpp"
#include "providers/provider_rules.hpp"

namespace airreg::providers {

using simdjson::ondemand::array;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

class JsonListing {
 public:
  // Takes the body to add simdjson's padding behind it.
  JsonListing(std::string provider, std::string body);

  // The root as an object or an array; nothing once failed.
  std::optional<object> root_object();
  std::optional<array> root_array();
  // A field holding an array / object; nothing when missing, of another type, or failed.
  std::optional<array> array_at(object& parent, std::string_view key);
  std::optional<object> object_at(object& parent, std::string_view key);
  // The next element of an array as an object; nothing (and failed) when it is not one.
  std::optional<object> as_object(simdjson::simdjson_result<value> item, std::string_view what);

  // The entry as minified JSON; rewinds the object so its fields can be read next.
  std::string minified(object& entry);
  std::optional<std::string> text(object& entry, std::string_view key);
  std::optional<bool> flag(object& entry, std::string_view key);
  // Numbers, also when written as decimal strings ("0.0000012").
  std::optional<double> number(object& entry, std::string_view key);
  // Whole non-negative numbers (also 1.0 or "1").
  std::optional<int64_t> integer(object& entry, std::string_view key);
  // The strings of an array field (other items ignored).
  std::vector<std::string> strings(object& entry, std::string_view key);
  // Whether the entry passes a rule's check (missing fields fail).
  bool passes(object& entry, const FieldCheck& check);

  // Marks the listing failed with `what` was expected (e.g. a "data" list is missing).
  void expect(std::string_view what);
  bool failed() const { return failed_; }
  // "the openai answer is not JSON at byte 812: <reason>" for a syntax error (the offset in the
// bytes as sent); "the openai answer is not the JSON expected at byte 95 (whitespace left
// out): <what> (<reason>)" for a document of the wrong shape.
  Error failure() const { return failure_; }

 private:
  // True for a usable value; false for "no value" (missing field, other type) and for a
  // remembered failure.
  bool ok(simdjson::error_code code, std::string_view what);
  void fail(simdjson::error_code code, std::string_view what);
  std::optional<value> walk(object& entry, const std::vector<std::string>& path);

  std::string provider_;
  std::string body_;
  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document doc_;
  bool iterated_ = false;
  bool failed_ = false;
  Error failure_;
};

// "2026-02-28T12:00:00Z" -> "2026-02-28"; "" when not a date.
std::string date_part(std::string_view text);

}  // namespace airreg::providers
