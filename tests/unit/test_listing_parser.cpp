// A parser readied for a big listing (providers/json_listing: prepare_parser_for): its buffers
// are made before the parse, at sizes the parse keeps (no second allocation), on huge pages;
// a small listing's parser is left to size itself.
#include <catch2/catch.hpp>

#include <string>

#include "http/body_buffer.hpp"
#include "huge_pages_probe.hpp"
#include "providers/json_listing.hpp"

using airreg::providers::prepare_parser_for;
using airreg::test::huge_pages_advised;

namespace {

// {"data":[{"id":"m-0","n":0},...]} of at least `bytes`, with simdjson's padding behind it.
std::string listing_of_at_least(size_t bytes) {
  std::string body = R"({"data":[)";
  for (int i = 0; body.size() < bytes; ++i) body += (i ? "," : "") + std::string(R"({"id":"m-)") + std::to_string(i) + R"(","n":)" + std::to_string(i) + "}";
  body += "]}";
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return body;
}

}  // namespace

TEST_CASE("a parser readied for a listing over 4 MiB parses it in the buffers it was given, on huge pages", "[discovery]") {
  std::string body = listing_of_at_least(airreg::http::kHugeBody + (1u << 20));
  simdjson::dom::parser parser;
  prepare_parser_for(parser, body.size());
  REQUIRE(parser.capacity() == body.size());
  const void* tape = parser.doc.tape.get();
  const void* strings = parser.doc.string_buf.get();
  const void* index = parser.implementation->structural_indexes.get();
  for (const void* buffer : {tape, strings, index}) {
    auto advised = huge_pages_advised(static_cast<const char*>(buffer) + (2u << 20) + 4096);
    if (!advised) {
      WARN("this system cannot say whether huge pages were advised");
      break;
    }
    CHECK(*advised);
  }
  simdjson::dom::element root;
  REQUIRE(parser.parse(body.data(), body.size(), false).get(root) == simdjson::SUCCESS);
  CHECK(parser.doc.tape.get() == tape);  // not allocated again
  CHECK(parser.doc.string_buf.get() == strings);
  CHECK(parser.implementation->structural_indexes.get() == index);
  simdjson::dom::array data;
  REQUIRE(root["data"].get(data) == simdjson::SUCCESS);
  CHECK(data.size() > 100000);
}

TEST_CASE("a parser for a listing under 4 MiB is left to size itself", "[discovery]") {
  simdjson::dom::parser parser;
  prepare_parser_for(parser, 1u << 20);
  CHECK(parser.capacity() == 0);
  std::string body = listing_of_at_least(1u << 20);
  simdjson::dom::element root;
  CHECK(parser.parse(body.data(), body.size(), false).get(root) == simdjson::SUCCESS);
}
