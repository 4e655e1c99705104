// Reading an Airtable answer's body: parsed once with simdjson, handed to a reader of its
// root; a body that is not JSON, or not of the shape expected, is a parse error that says so.
// Pure functions.
#pragma once

#include <simdjson.h>

#include <string>

#include "airreg/error.hpp"

namespace airreg::airtable {

inline Error shape_error(const std::string& what) {
  return make_error(ErrorCode::parse, "Airtable answered with an unexpected body: " + what);
}

// Parses `body` and calls read(root); `read` returns a Result of what it reads.
template <typename Read>
auto with_body(const std::string& body, Read read) -> decltype(read(simdjson::dom::element{})) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(body).get(doc); err)
    return std::unexpected(shape_error(std::string("not JSON (") + simdjson::error_message(err) + ")"));
  return read(doc);
}

}  // namespace airreg::airtable
