// The response body's buffer (http/body_buffer): what is appended comes back byte for byte,
// and the padding simdjson reads past a document's end is always there, below and above
// the size where the buffer moves to huge pages.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "http/body_buffer.hpp"
#include "huge_pages_probe.hpp"

using airreg::http::append_to_body;
using airreg::http::kBodyPadding;
using airreg::http::kHugeBody;

TEST_CASE("a body written in pieces of any size keeps its bytes and its padding past 4 MiB", "[transport]") {
  std::mt19937 random(GENERATE(1u, 2u, 3u));
  std::string body, expected;
  std::string piece;
  while (expected.size() < kHugeBody + (kHugeBody / 2)) {
    // curl hands over up to 16 KiB at a time (CURL_MAX_WRITE_SIZE); now and then a big piece.
    size_t n = random() % 8 == 0 ? random() % (1u << 20) : random() % (16u << 10);
    piece.resize(n);
    for (auto& c : piece) c = static_cast<char>(random());
    append_to_body(body, piece.data(), piece.size());
    expected += piece;
    REQUIRE(body.size() == expected.size());
    REQUIRE(body.capacity() >= body.size() + kBodyPadding);
  }
  CHECK(body == expected);
  CHECK(body.capacity() >= kHugeBody);
  // The buffer past 4 MiB was advised to use huge pages (a page well inside it).
  if (auto advised = airreg::test::huge_pages_advised(body.data() + kHugeBody / 2)) CHECK(*advised);
  else WARN("this system cannot say whether huge pages were advised");
}

TEST_CASE("a body under 4 MiB stays on ordinary pages", "[transport]") {
  std::string body;
  std::string piece(1u << 20, 'x');
  append_to_body(body, piece.data(), piece.size());
  if (auto advised = airreg::test::huge_pages_advised(body.data() + piece.size() / 2)) CHECK_FALSE(*advised);
}

TEST_CASE("an empty piece leaves the body as it was, with its padding", "[transport]") {
  std::string body;
  append_to_body(body, "", 0);
  CHECK(body.empty());
  CHECK(body.capacity() >= kBodyPadding);
  append_to_body(body, "{}", 2);
  CHECK(body == "{}");
  CHECK(body.capacity() >= 2 + kBodyPadding);
}
