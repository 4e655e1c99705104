// Reading a provider's listing with simdjson On-Demand: the body is parsed in place (no copy
// beyond the padding simdjson needs), a malformed body becomes an error naming the provider
// and the byte offset, and each entry can be kept as minified JSON. Not thread-safe: one per
// body.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

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
  // The root, or the parse error.
  Result<simdjson::ondemand::document*> document();
  // "the openai answer is not the JSON expected at byte 812: <what> (<simdjson's reason>)".
  Error error(simdjson::error_code code, std::string_view what);

 private:
  std::string provider_;
  std::string body_;
  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document doc_;
  bool iterated_ = false;
};

// The entry as minified JSON; rewinds the object so its fields can be read next.
std::string minified(object& entry);
std::optional<std::string> text_of(object& entry, std::string_view key);
// Integers, also when written as 1.0 or as a decimal string.
std::optional<int64_t> integer_of(object& entry, std::string_view key);
// Numbers, also when written as decimal strings ("0.0000012").
std::optional<double> number_of(object& entry, std::string_view key);
// Whether the entry passes a rule's check (missing fields fail).
bool passes(object& entry, const FieldCheck& check);
// "2026-02-28T12:00:00Z" -> "2026-02-28"; "" when not a date.
std::string date_part(std::string_view text);

}  // namespace airreg::providers
