// Reading a provider's listing with simdjson's DOM parser: one pass over the body, by the
// kernel simdjson picks at run time for this CPU (AVX2, AVX-512, ...; the DOM parser lives in
// the shared library, which dispatches, while On-Demand compiled without -march would run
// the portable fallback). The body is parsed in place when it carries simdjson's padding
// (http/body_buffer.hpp keeps it), and the parser comes from a per-thread pool.
//
// Every read goes through this class: a missing field or a wrong type is just "no value";
// a document of the wrong shape (no list, an entry that is not an object) is remembered,
// every later read is a no-op, and the caller stops and returns failure(), which names the
// provider (and the byte offset for a syntax error). Not thread-safe: one per body.
#pragma once

#include <simdjson.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airreg/error.hpp"
#include "providers/provider_rules.hpp"

namespace airreg::providers {

using array = simdjson::dom::array;
using object = simdjson::dom::object;
using value = simdjson::dom::element;

// The largest parser a thread keeps for its next listing (its capacity, in bytes of body); one
// grown past it by a bigger body is freed after that listing (json_listing.cpp).
constexpr size_t kKeptParserCapacity = size_t{256} << 10;

class JsonListing {
 public:
  // Takes the body: it is parsed in place when its capacity holds simdjson's padding.
  JsonListing(std::string provider, std::string body);
  // A piece of a body (providers/listing_pieces.hpp), parsed in place: simdjson's padding
  // (SIMDJSON_PADDING readable bytes) must follow it, and it must outlive the listing. Its
  // depth limit is `max_depth`; a syntax error is not located (the whole body will be).
  JsonListing(std::string provider, std::string_view piece, size_t max_depth);
  ~JsonListing();
  JsonListing(const JsonListing&) = delete;
  JsonListing& operator=(const JsonListing&) = delete;

  // The root as an object or an array; nothing once failed.
  std::optional<object> root_object();
  std::optional<array> root_array();
  // How many members the root object holds; nothing (and not failed) when it is no object.
  std::optional<size_t> root_members() const {
    object o;
    if (failed_ || root_.get(o) != simdjson::SUCCESS) return std::nullopt;
    return o.size();
  }
  // A field holding an array / object; nothing when missing, of another type, or failed.
  std::optional<array> array_at(const object& parent, std::string_view key);
  std::optional<object> object_at(const object& parent, std::string_view key);
  // An element of a list as an object; nothing (and failed) when it is not one.
  std::optional<object> as_object(const value& item, std::string_view what);

  // The values of `keys` in the entry, in one pass over its fields (a lookup per key scans
  // them once per key); nothing for a missing key. For adapters that read many fields.
  template <size_t N>
  std::array<std::optional<value>, N> pick(const object& entry, const std::array<std::string_view, N>& keys) const {
    std::array<std::optional<value>, N> out;
    if (failed_) return out;
    for (auto field : entry)
      for (size_t i = 0; i < N; ++i)
        if (!out[i] && field.key == keys[i]) {  // the first of a repeated key, as a lookup finds
          out[i] = field.value;
          break;
        }
    return out;
  }
  // The reads below, of a value from pick().
  static std::optional<std::string> text(const std::optional<value>& v);
  static std::optional<double> number(const std::optional<value>& v);
  static std::optional<int64_t> integer(const std::optional<value>& v);
  static std::optional<object> object_of(const std::optional<value>& v);
  static bool lists(const std::optional<value>& v, std::string_view item);
  // Which of `items` an array value lists, in one pass over it.
  template <size_t N>
  static std::array<bool, N> lists_each(const std::optional<value>& v, const std::array<std::string_view, N>& items) {
    std::array<bool, N> out{};
    array list;
    if (!v || v->get(list) != simdjson::SUCCESS) return out;
    for (value item : list) {
      std::string_view s;
      if (item.get(s) != simdjson::SUCCESS) continue;
      for (size_t i = 0; i < N; ++i) out[i] = out[i] || s == items[i];
    }
    return out;
  }

  // The entry as minified JSON (for `discover --json`).
  std::string minified(const object& entry);
  std::optional<std::string> text(const object& entry, std::string_view key);
  std::optional<bool> flag(const object& entry, std::string_view key);
  // Numbers, also when written as decimal strings ("0.0000012").
  std::optional<double> number(const object& entry, std::string_view key);
  // Whole non-negative numbers (also 1.0 or "1").
  std::optional<int64_t> integer(const object& entry, std::string_view key);
  // The strings of an array field (other items ignored).
  std::vector<std::string> strings(const object& entry, std::string_view key);
  // Whether the array field holds the string `item`.
  bool lists(const object& entry, std::string_view key, std::string_view item);
  // Whether the entry passes a rule's check (missing fields fail).
  bool passes(const object& entry, const FieldCheck& check);

  // Marks the listing failed with `what` was expected (e.g. a "data" list is missing).
  void expect(std::string_view what);
  bool failed() const { return failed_; }
  // "the openai answer is not JSON at byte 812: <reason>" for a syntax error (the offset in
  // the bytes as sent); "the openai answer is not the JSON expected: <what>" for a document
  // of the wrong shape.
  Error failure() const { return failure_; }

 private:
  void parse(const char* text, size_t size, size_t max_depth, bool locate_errors);
  std::optional<value> field(const object& entry, std::string_view key) const;
  std::optional<value> walk(const object& entry, const std::vector<std::string>& path) const;

  std::string provider_;
  std::string body_;
  std::unique_ptr<simdjson::dom::parser> parser_;  // borrowed from this thread's pool
  value root_;
  bool failed_ = false;
  Error failure_;
};

// Readies `parser` for a body of `body` bytes read whole (a long listing is read in pieces
// by a small parser instead, providers/listing_pieces.hpp, unless the pieces give up or
// DiscoveryConfig::listing_piece_bytes is 0). For a body of http::kHugeBody (4 MiB) or more,
// its buffers are made now and put on huge pages (core/huge_pages.hpp) before the parse
// touches them, as the body itself is (http/body_buffer.hpp): for the 7.8 MB OpenRouter
// listing of the benchmark, 5,000 faults of 4 KiB become a few dozen of 2 MiB, and the
// listing reads in 14 ms instead of 18.6, for 3-4 MB more peak RSS while it is read (a
// touched huge page counts whole). Below 4 MiB that rounding would weigh more than the
// faults it saves: the 0.9 MB listing of the memory benchmark stays on ordinary pages. The
// buffers are the parser's stage-1 index (4 bytes per byte of body), the document's tape
// (8) and its strings (5/3), public members of simdjson's parser and document.
void prepare_parser_for(simdjson::dom::parser& parser, size_t body);

// "2026-02-28T12:00:00Z" -> "2026-02-28"; "" when not a date.
std::string date_part(std::string_view text);

}  // namespace airreg::providers
