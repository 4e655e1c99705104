#include "providers/json_listing.hpp"

#include <charconv>

namespace airreg::providers {

JsonListing::JsonListing(std::string provider, std::string body)
    : provider_(std::move(provider)), body_(std::move(body)) {
  body_.reserve(body_.size() + simdjson::SIMDJSON_PADDING);
}

Result<simdjson::ondemand::document*> JsonListing::document() {
  simdjson::padded_string_view view(body_.data(), body_.size(), body_.capacity());
  if (auto err = parser_.iterate(view).get(doc_); err) return std::unexpected(error(err, "a JSON document"));
  iterated_ = true;
  return &doc_;
}

Error JsonListing::error(simdjson::error_code code, std::string_view what) {
  std::string where;
  const char* at = nullptr;
  // A document that failed its first pass has no position to ask for (asking crashes).
  if (body_.empty()) {
    where = " (the body is empty)";
  } else if (!iterated_) {
    where = " (the " + std::to_string(body_.size()) + "-byte body is cut short or is not JSON)";
  } else if (doc_.current_location().get(at) == simdjson::SUCCESS && at >= body_.data() &&
             at <= body_.data() + body_.size()) {
    where = " at byte " + std::to_string(at - body_.data());
  }
  return make_error(ErrorCode::parse, "the " + provider_ + " answer is not the JSON expected" + where + ": " +
                                          std::string(what) + " (" + simdjson::error_message(code) + ")");
}

std::string minified(object& entry) {
  std::string_view raw;
  std::string out;
  if (entry.raw_json().get(raw) == simdjson::SUCCESS) {
    out.resize(raw.size());
    size_t length = 0;
    if (simdjson::minify(raw.data(), raw.size(), out.data(), length) == simdjson::SUCCESS) {
      out.resize(length);
    } else {
      out.assign(raw);
    }
  }
  entry.reset();
  return out;
}

std::optional<std::string> text_of(object& entry, std::string_view key) {
  std::string_view s;
  if (entry[key].get(s) != simdjson::SUCCESS) return std::nullopt;
  return std::string(s);
}

std::optional<double> number_of(object& entry, std::string_view key) {
  value v;
  if (entry[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  double d;
  if (v.get_double().get(d) == simdjson::SUCCESS) return d;
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc() && end == s.data() + s.size()) return d;
  }
  return std::nullopt;
}

std::optional<int64_t> integer_of(object& entry, std::string_view key) {
  auto d = number_of(entry, key);
  if (!d || *d < 0 || *d > 1e15) return std::nullopt;
  return static_cast<int64_t>(*d);
}

bool passes(object& entry, const FieldCheck& check) {
  value v;
  if (entry[check.path.front()].get(v) != simdjson::SUCCESS) return false;
  for (size_t i = 1; i < check.path.size(); ++i)
    if (v[check.path[i]].get(v) != simdjson::SUCCESS) return false;
  if (check.is) {
    bool b;
    return v.get_bool().get(b) == simdjson::SUCCESS && b == *check.is;
  }
  array list;
  if (v.get_array().get(list) != simdjson::SUCCESS) return false;
  for (auto item : list) {
    std::string_view s;
    if (item.get_string().get(s) == simdjson::SUCCESS && s == check.contains) return true;
  }
  return false;
}

std::string date_part(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return "";
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (text[i] < '0' || text[i] > '9') return "";
  return std::string(text.substr(0, 10));
}

}  // namespace airreg::providers
