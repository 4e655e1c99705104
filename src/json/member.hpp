// One member of the JSON object being written, as one statement: member(w, "id", id) instead
// of a Key() call followed by a value call. Works with any RapidJSON writer (compact or
// pretty). Non-finite numbers are written as null: RapidJSON would write nothing and leave
// the document broken. Pure functions.
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/rapidjson.h>

namespace airreg::json {

template <class W>
void key(W& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}

template <class W>
void value(W& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
template <class W>
void value(W& w, const char* s) {
  value(w, std::string_view(s));
}
template <class W>
void value(W& w, const std::string& s) {
  value(w, std::string_view(s));
}
template <class W>
void value(W& w, bool b) {
  w.Bool(b);
}
template <class W, std::integral T>
  requires(!std::same_as<T, bool>)
void value(W& w, T n) {
  if constexpr (std::is_signed_v<T>) {
    w.Int64(static_cast<int64_t>(n));
  } else {
    w.Uint64(static_cast<uint64_t>(n));
  }
}
template <class W, std::floating_point T>
void value(W& w, T d) {
  if (std::isfinite(d)) {
    w.Double(static_cast<double>(d));
  } else {
    w.Null();
  }
}
template <class W, class T>
void value(W& w, const std::optional<T>& v) {
  if (v) {
    value(w, *v);
  } else {
    w.Null();
  }
}

template <class W, class T>
void member(W& w, std::string_view k, const T& v) {
  key(w, k);
  value(w, v);
}

}  // namespace airreg::json
