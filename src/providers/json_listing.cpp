#include "providers/json_listing.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/heap_trim.hpp"
#include "core/huge_pages.hpp"
#include "http/body_buffer.hpp"

namespace airreg::providers {

// The transport keeps this much capacity behind each body (http/body_buffer.hpp).
static_assert(simdjson::SIMDJSON_PADDING <= http::kBodyPadding, "the body's padding must cover simdjson's");

namespace {

// Where and why a body is not JSON, by RapidJSON's reading (it reports the offset simdjson
// does not). Only called on the error path. A SAX read in situ on a copy: it builds nothing;
// iterative, so a body nested a million deep cannot overflow the stack. (The iterative reader
// uses RapidJSON's internal stack, whose first push offsets a null pointer: clang's sanitizer
// builds leave RapidJSON uninstrumented, cmake/fuzz_ignorelist.txt.)
std::string locate_syntax_error(std::string_view body) {
  std::string copy(body);  // in situ: strings are decoded in place; a NUL ends the text
  rapidjson::InsituStringStream in(copy.data());
  rapidjson::BaseReaderHandler<> ignore;
  rapidjson::Reader reader;
  auto result = reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag>(in, ignore);
  if (!result.IsError()) return "";
  return " at byte " + std::to_string(result.Offset()) + ": " + rapidjson::GetParseError_En(result.Code());
}

// Parsers kept per thread: a parser's buffers are sized by the largest body it has read, so
// reusing one saves allocating (and faulting in) them for every listing. A small pool rather
// than one parser: a listing read while another is alive gets its own. A thread keeps at
// most kPooled parsers of at most kKeptParserCapacity each (about 3.5 MB apiece, worst case).
// A parser costs about 14 bytes per byte of its capacity (the largest body it read): one
// grown past kKeptParserCapacity (256 KiB, about 3.5 MB of buffers) is freed after its listing
// instead of being kept for the thread's life. Listings are read once per sync; a big one
// pays for its own buffers.
constexpr size_t kPooled = 4;
thread_local std::vector<std::unique_ptr<simdjson::dom::parser>> parser_pool;

std::unique_ptr<simdjson::dom::parser> take_parser() {
  if (parser_pool.empty()) return std::make_unique<simdjson::dom::parser>();
  auto parser = std::move(parser_pool.back());
  parser_pool.pop_back();
  return parser;
}

void give_back(std::unique_ptr<simdjson::dom::parser> parser) {
  if (parser && parser->capacity() <= kKeptParserCapacity && parser_pool.size() < kPooled)
    parser_pool.push_back(std::move(parser));
}

}  // namespace

// The buffer sizes below are simdjson 3's (document::allocate, set_capacity); a new major
// version may size them otherwise, and advice past a buffer would reach its neighbours.
static_assert(simdjson::SIMDJSON_VERSION_MAJOR == 3, "check prepare_parser_for's buffer sizes against this simdjson");

void prepare_parser_for(simdjson::dom::parser& parser, size_t body) {
  if (body < http::kHugeBody || (parser.capacity() >= body && parser.doc.capacity() >= body)) return;
  if (parser.allocate(body) != simdjson::SUCCESS || parser.doc.allocate(body) != simdjson::SUCCESS) {
    // A half-made parser (its depth stacks missing) would crash in parse(): a fresh one
    // allocates there again and reports the failure as the listing's error.
    parser = simdjson::dom::parser{};
    return;
  }
  // Each at most the buffer's size: the stage-1 index holds ROUNDUP(body, 64) + 9 uint32s,
  // the tape ROUNDUP(body + 3, 64) uint64s, the strings ROUNDUP(5 * body / 3 + 64, 64) bytes.
  core::advise_huge_pages(parser.implementation->structural_indexes.get(), 4 * body);
  core::advise_huge_pages(parser.doc.tape.get(), 8 * body);
  core::advise_huge_pages(parser.doc.string_buf.get(), 5 * body / 3);
}

JsonListing::JsonListing(std::string provider, std::string body)
    : provider_(std::move(provider)), body_(std::move(body)), parser_(take_parser()) {
  // The transport leaves room for the padding; a body from elsewhere is copied once here.
  if (body_.capacity() < body_.size() + simdjson::SIMDJSON_PADDING) body_.reserve(body_.size() + simdjson::SIMDJSON_PADDING);
  prepare_parser_for(*parser_, body_.size());
  parse(body_.data(), body_.size(), simdjson::DEFAULT_MAX_DEPTH, true);
}

JsonListing::JsonListing(std::string provider, std::string_view piece, size_t max_depth)
    : provider_(std::move(provider)), parser_(take_parser()) {
  parse(piece.data(), piece.size(), max_depth, false);
}

void JsonListing::parse(const char* text, size_t size, size_t max_depth, bool locate_errors) {
  // A pooled parser keeps the depth limit its last listing set; the body's pieces lower it.
  if (parser_->max_depth() != max_depth &&
      parser_->allocate(std::max(parser_->capacity(), size), max_depth) != simdjson::SUCCESS) {
    // Half made (see prepare_parser_for): replaced by a fresh one, at simdjson's default limit.
    *parser_ = simdjson::dom::parser{};
    if (max_depth != simdjson::DEFAULT_MAX_DEPTH) {
      failed_ = true;
      failure_ = make_error(ErrorCode::parse, "the " + provider_ + " answer could not be read (out of memory)");
      return;
    }
  }
  auto err = parser_->parse(text, size, false).get(root_);
  if (!err) return;
  failed_ = true;
  // simdjson's depth limit (1024) is not a syntax error RapidJSON would find.
  std::string where = err == simdjson::DEPTH_ERROR || !locate_errors ? "" : locate_syntax_error({text, size});
  failure_ = make_error(ErrorCode::parse, "the " + provider_ + " answer is not JSON" +
                                              (where.empty() ? " (" + std::string(simdjson::error_message(err)) + ")" : where));
}

JsonListing::~JsonListing() {
  bool big = parser_ && parser_->capacity() > kKeptParserCapacity;
  give_back(std::move(parser_));  // a big parser is freed here, not pooled
  if (!big) return;
  std::string().swap(body_);
  core::trim_heap();  // its buffers (14 bytes per byte of the body) leave the process now
}

void JsonListing::expect(std::string_view what) {
  if (failed_) return;
  failed_ = true;
  failure_ = make_error(ErrorCode::parse, "the " + provider_ + " answer is not the JSON expected: " + std::string(what));
}

std::optional<object> JsonListing::root_object() {
  object o;
  if (failed_ || root_.get(o) != simdjson::SUCCESS) {
    expect("an object");
    return std::nullopt;
  }
  return o;
}

std::optional<array> JsonListing::root_array() {
  array a;
  if (failed_ || root_.get(a) != simdjson::SUCCESS) {
    expect("a list");
    return std::nullopt;
  }
  return a;
}

std::optional<value> JsonListing::field(const object& entry, std::string_view key) const {
  value v;
  if (failed_ || entry.at_key(key).get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

std::optional<array> JsonListing::array_at(const object& parent, std::string_view key) {
  array a;
  auto v = field(parent, key);
  if (!v || v->get(a) != simdjson::SUCCESS) return std::nullopt;
  return a;
}

std::optional<object> JsonListing::object_at(const object& parent, std::string_view key) { return object_of(field(parent, key)); }

std::optional<object> JsonListing::as_object(const value& item, std::string_view what) {
  object o;
  if (failed_ || item.get(o) != simdjson::SUCCESS) {
    expect(what);
    return std::nullopt;
  }
  return o;
}

std::string JsonListing::minified(const object& entry) { return failed_ ? "" : simdjson::minify(entry); }

std::optional<std::string> JsonListing::text(const std::optional<value>& v) {
  std::string_view s;
  if (!v || v->get(s) != simdjson::SUCCESS) return std::nullopt;
  return std::string(s);
}

std::optional<std::string> JsonListing::text(const object& entry, std::string_view key) { return text(field(entry, key)); }

std::optional<bool> JsonListing::flag(const object& entry, std::string_view key) {
  bool b = false;
  auto v = field(entry, key);
  if (!v || v->get(b) != simdjson::SUCCESS) return std::nullopt;
  return b;
}

std::optional<double> JsonListing::number(const std::optional<value>& v) {
  if (!v) return std::nullopt;
  double d;
  if (v->is_number()) {
    if (v->get_double().get(d) != simdjson::SUCCESS) return std::nullopt;
    return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
  }
  std::string_view s;
  if (v->get(s) != simdjson::SUCCESS) return std::nullopt;
  // from_chars reads "inf" and "nan" too: a price or a limit must be a finite number.
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::optional<double> JsonListing::number(const object& entry, std::string_view key) { return number(field(entry, key)); }

std::optional<int64_t> JsonListing::integer(const std::optional<value>& v) {
  auto d = number(v);
  if (!d || !(*d >= 0) || *d > 1e15) return std::nullopt;
  return static_cast<int64_t>(*d);
}

std::optional<int64_t> JsonListing::integer(const object& entry, std::string_view key) { return integer(field(entry, key)); }

std::optional<object> JsonListing::object_of(const std::optional<value>& v) {
  object o;
  if (!v || v->get(o) != simdjson::SUCCESS) return std::nullopt;
  return o;
}

std::vector<std::string> JsonListing::strings(const object& entry, std::string_view key) {
  std::vector<std::string> out;
  auto list = array_at(entry, key);
  if (!list) return out;
  for (value item : *list) {
    std::string_view s;
    if (item.get(s) == simdjson::SUCCESS) out.emplace_back(s);
  }
  return out;
}

bool JsonListing::lists(const std::optional<value>& v, std::string_view wanted) {
  return lists_each<1>(v, {wanted})[0];
}

bool JsonListing::lists(const object& entry, std::string_view key, std::string_view wanted) {
  return lists(field(entry, key), wanted);
}

std::optional<value> JsonListing::walk(const object& entry, const std::vector<std::string>& path) const {
  auto v = field(entry, path.front());
  for (size_t i = 1; v && i < path.size(); ++i) {
    auto o = object_of(v);
    if (!o) return std::nullopt;
    v = field(*o, path[i]);
  }
  return v;
}

bool JsonListing::passes(const object& entry, const FieldCheck& check) {
  auto v = walk(entry, check.path);
  if (!v) return false;
  if (check.is) {
    bool b = false;
    return v->get(b) == simdjson::SUCCESS && b == *check.is;
  }
  return lists(v, check.contains);
}

std::string date_part(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return "";
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (text[i] < '0' || text[i] > '9') return "";
  return std::string(text.substr(0, 10));
}

}  // namespace airreg::providers
