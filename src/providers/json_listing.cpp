#include "providers/json_listing.hpp"

#include <rapidjson/reader.h>
#include <rapidjson/error/en.h>

#include <charconv>
#include <cmath>

namespace airreg::providers {

namespace {

// Where and why a body is not JSON, by RapidJSON's reading (it reports the offset simdjson
// does not). Only called on the error path. A SAX read in situ on a copy: it builds nothing,
// and never pushes onto RapidJSON's internal stack, whose first push offsets a null pointer
// (undefined behaviour that the fuzzers' UBSan stops on).
std::string locate_syntax_error(const std::string& body) {
  std::string copy = body;  // in situ: strings are decoded in place; a NUL ends the text
  rapidjson::InsituStringStream in(copy.data());
  rapidjson::BaseReaderHandler<> ignore;
  rapidjson::Reader reader;
  auto result = reader.Parse<rapidjson::kParseInsituFlag>(in, ignore);
  if (!result.IsError()) return "";
  return " at byte " + std::to_string(result.Offset()) + ": " + rapidjson::GetParseError_En(result.Code());
}

}  // namespace

JsonListing::JsonListing(std::string provider, std::string body) : provider_(std::move(provider)) {
  // On-Demand validates only what it reads, and on some malformed documents its iterator
  // crashes even after reporting an error (the fuzzers found missing commas). A full pass of
  // simdjson's validating parser first (GB/s) means On-Demand only ever reads well-formed
  // JSON; after that only missing fields and wrong types remain, which it handles.
  // Owned by this listing, not by the thread: a parser kept for a thread's life outlives the
  // library's users' expectations (and its buffers stay at the largest body ever seen).
  simdjson::dom::parser validator;
  if (auto err = validator.parse(body.data(), body.size(), true).error(); err) {
    std::string where = locate_syntax_error(body);
    failed_ = true;
    failure_ = make_error(ErrorCode::parse, "the " + provider_ + " answer is not JSON" +
                                                (where.empty() ? " (" + std::string(simdjson::error_message(err)) + ")" : where));
    return;
  }
  // Whitespace goes once for the whole body, so each entry's raw JSON is already minified.
  body_.resize(body.size() + simdjson::SIMDJSON_PADDING);
  size_t length = 0;
  if (simdjson::minify(body.data(), body.size(), body_.data(), length) != simdjson::SUCCESS) {
    body_ = std::move(body);
    length = body_.size();
    body_.reserve(length + simdjson::SIMDJSON_PADDING);
  }
  body_.resize(length);  // the capacity keeps the padding
  simdjson::padded_string_view view(body_.data(), body_.size(), body_.capacity());
  if (auto err = parser_.iterate(view).get(doc_); err) {
    fail(err, "a JSON document");
  } else {
    iterated_ = true;
  }
}

bool JsonListing::ok(simdjson::error_code code, std::string_view what) {
  if (failed_) return false;
  if (code == simdjson::SUCCESS) return true;
  // The two errors On-Demand documents as recoverable.
  if (code == simdjson::NO_SUCH_FIELD || code == simdjson::INCORRECT_TYPE) return false;
  fail(code, what);
  return false;
}

void JsonListing::fail(simdjson::error_code code, std::string_view what) {
  if (failed_) return;
  failed_ = true;
  std::string where;
  const char* at = nullptr;
  // A document that failed its first pass has no position to ask for (asking crashes).
  if (body_.empty()) {
    where = " (the body is empty)";
  } else if (!iterated_) {
    where = " (the " + std::to_string(body_.size()) + "-byte body is cut short or is not JSON)";
  } else if (doc_.current_location().get(at) == simdjson::SUCCESS && at >= body_.data() &&
             at <= body_.data() + body_.size()) {
    where = " at byte " + std::to_string(at - body_.data()) + " (whitespace left out)";
  }
  failure_ = make_error(ErrorCode::parse, "the " + provider_ + " answer is not the JSON expected" + where + ": " +
                                              std::string(what) + " (" + simdjson::error_message(code) + ")");
}

void JsonListing::expect(std::string_view what) { fail(simdjson::INCORRECT_TYPE, what); }

std::optional<object> JsonListing::root_object() {
  object o;
  if (!iterated_ || !ok(doc_.get_object().get(o), "an object")) {
    expect("an object");
    return std::nullopt;
  }
  return o;
}

std::optional<array> JsonListing::root_array() {
  array a;
  if (!iterated_ || !ok(doc_.get_array().get(a), "a list")) {
    expect("a list");
    return std::nullopt;
  }
  return a;
}

std::optional<array> JsonListing::array_at(object& parent, std::string_view key) {
  array a;
  if (!ok(parent[key].get_array().get(a), key)) return std::nullopt;
  return a;
}

std::optional<object> JsonListing::object_at(object& parent, std::string_view key) {
  object o;
  if (!ok(parent[key].get_object().get(o), key)) return std::nullopt;
  return o;
}

std::optional<object> JsonListing::as_object(simdjson::simdjson_result<value> item, std::string_view what) {
  object o;
  if (!ok(item.get_object().get(o), what)) {
    expect(what);
    return std::nullopt;
  }
  return o;
}

std::string JsonListing::minified(object& entry) {
  std::string_view raw;
  if (!ok(entry.raw_json().get(raw), "a model object")) return "";
  std::string out(raw);
  // raw_json() may keep whitespace after the closing brace.
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == '\r' || out.back() == '\t')) out.pop_back();
  if (!ok(entry.reset().error(), "a model object")) return "";
  return out;
}

std::optional<std::string> JsonListing::text(object& entry, std::string_view key) {
  std::string_view s;
  if (!ok(entry[key].get_string().get(s), key)) return std::nullopt;
  return std::string(s);
}

std::optional<bool> JsonListing::flag(object& entry, std::string_view key) {
  bool b = false;
  if (!ok(entry[key].get_bool().get(b), key)) return std::nullopt;
  return b;
}

std::optional<double> JsonListing::number(object& entry, std::string_view key) {
  value v;
  if (!ok(entry[key].get(v), key)) return std::nullopt;
  simdjson::ondemand::json_type type{};
  if (!ok(v.type().get(type), key)) return std::nullopt;
  double d;
  if (type == simdjson::ondemand::json_type::number) {
    if (!ok(v.get_double().get(d), key)) return std::nullopt;
    return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
  }
  std::string_view s;
  if (type != simdjson::ondemand::json_type::string || !ok(v.get_string().get(s), key)) return std::nullopt;
  // from_chars reads "inf" and "nan" too: a price or a limit must be a finite number.
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::optional<int64_t> JsonListing::integer(object& entry, std::string_view key) {
  auto d = number(entry, key);
  if (!d || !(*d >= 0) || *d > 1e15) return std::nullopt;
  return static_cast<int64_t>(*d);
}

std::vector<std::string> JsonListing::strings(object& entry, std::string_view key) {
  std::vector<std::string> out;
  auto list = array_at(entry, key);
  if (!list) return out;
  for (auto item : *list) {
    std::string_view s;
    if (failed_) break;
    if (ok(item.get_string().get(s), key)) out.emplace_back(s);
  }
  return out;
}

std::optional<value> JsonListing::walk(object& entry, const std::vector<std::string>& path) {
  value v;
  if (!ok(entry[path.front()].get(v), path.front())) return std::nullopt;
  for (size_t i = 1; i < path.size(); ++i) {
    object o;
    if (!ok(v.get_object().get(o), path[i]) || !ok(o[path[i]].get(v), path[i])) return std::nullopt;
  }
  return v;
}

bool JsonListing::passes(object& entry, const FieldCheck& check) {
  auto v = walk(entry, check.path);
  if (!v) return false;
  if (check.is) {
    bool b = false;
    return ok(v->get_bool().get(b), check.path.back()) && b == *check.is;
  }
  array list;
  if (!ok(v->get_array().get(list), check.path.back())) return false;
  bool found = false;
  for (auto item : list) {
    std::string_view s;
    if (failed_) break;
    if (ok(item.get_string().get(s), check.path.back()) && s == check.contains) found = true;
  }
  return found && !failed_;
}

std::string date_part(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return "";
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (text[i] < '0' || text[i] > '9') return "";
  return std::string(text.substr(0, 10));
}

}  // namespace airreg::providers
