#include "field_values.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "clock_text.hpp"

namespace airtable_local {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using Result = std::expected<std::optional<Cell>, ApiError>;

constexpr std::array kTextTypes{"singleLineText", "multilineText", "url", "email"};

bool is_text_type(std::string_view t) {
  return std::find(kTextTypes.begin(), kTextTypes.end(), t) != kTextTypes.end();
}

std::optional<std::string> as_string(element v) {
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) return std::string(s);
  return std::nullopt;
}

std::optional<double> as_number(element v) {
  double d;
  if (v.is_number() && v.get(d) == simdjson::SUCCESS) return d;
  return std::nullopt;
}

std::optional<double> parse_number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::string number_text(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

bool valid_email(std::string_view s) {
  auto at = s.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < s.size() &&
         s.find('@', at + 1) == std::string_view::npos &&
         s.find(' ') == std::string_view::npos && s.find('.', at) != std::string_view::npos;
}

Result coerce_text(const Field& f, element v, bool typecast) {
  std::optional<std::string> s = as_string(v);
  if (!s && typecast) {
    if (auto d = as_number(v)) s = number_text(*d);
    bool b;
    if (v.get(b) == simdjson::SUCCESS) s = b ? "true" : "false";
  }
  if (!s) return std::unexpected(invalid_value(f.name, "expected a string"));
  if (s->empty()) return std::optional<Cell>{};
  if (f.type == "email" && !valid_email(*s))
    return std::unexpected(invalid_value(f.name, "not an email address"));
  return std::optional<Cell>{std::move(*s)};
}

Result coerce_number(const Field& f, element v, bool typecast) {
  if (auto d = as_number(v)) {
    if (!std::isfinite(*d)) return std::unexpected(invalid_value(f.name, "not a finite number"));
    return std::optional<Cell>{*d};
  }
  if (typecast) {
    if (auto s = as_string(v)) {
      if (s->empty()) return std::optional<Cell>{};
      if (auto d = parse_number(*s)) return std::optional<Cell>{*d};
    }
  }
  return std::unexpected(invalid_value(f.name, "expected a number"));
}

Result coerce_checkbox(const Field& f, element v, bool typecast) {
  bool b;
  if (v.get(b) == simdjson::SUCCESS) return b ? std::optional<Cell>{true} : std::optional<Cell>{};
  if (typecast) {
    if (auto s = as_string(v)) {
      if (*s == "true" || *s == "1" || *s == "checked") return std::optional<Cell>{true};
      if (*s == "false" || *s == "0" || s->empty()) return std::optional<Cell>{};
    }
    if (auto d = as_number(v)) return *d != 0 ? std::optional<Cell>{true} : std::optional<Cell>{};
  }
  return std::unexpected(invalid_value(f.name, "expected true or false"));
}

Result coerce_time(const Field& f, element v) {
  auto s = as_string(v);
  if (!s) return std::unexpected(invalid_value(f.name, "expected an ISO 8601 string"));
  if (s->empty()) return std::optional<Cell>{};
  auto t = parse_iso8601(*s);
  if (!t) return std::unexpected(invalid_value(f.name, "\"" + *s + "\" is not an ISO 8601 date"));
  return std::optional<Cell>{f.type == "date" ? format_date(*t) : format_datetime(*t)};
}

// Returns the stored option name, adding the option when typecast allows it.
std::expected<std::string, ApiError> select_option(Field& f, std::string name, bool typecast,
                                                   IdGenerator& ids) {
  for (const auto& c : f.choices)
    if (c.name == name || c.id == name) return c.name;
  if (!typecast)
    return std::unexpected(ApiError{
        422, "INVALID_MULTIPLE_CHOICE_OPTIONS",
        "Insufficient permissions to create new select option \"\"" + name + "\"\""});
  f.choices.push_back({ids.next("sel"), name, ""});
  return name;
}

Result coerce_single_select(Field& f, element v, bool typecast, IdGenerator& ids) {
  auto s = as_string(v);
  if (!s) return std::unexpected(invalid_value(f.name, "expected an option name"));
  if (s->empty()) return std::optional<Cell>{};
  auto name = select_option(f, std::move(*s), typecast, ids);
  if (!name) return std::unexpected(name.error());
  return std::optional<Cell>{std::move(*name)};
}

Result coerce_multiple_selects(Field& f, element v, bool typecast, IdGenerator& ids) {
  simdjson::dom::array arr;
  if (v.get(arr) != simdjson::SUCCESS) {
    // Typecast accepts "a, b" as two options, as Airtable does.
    auto s = typecast ? as_string(v) : std::nullopt;
    if (!s) return std::unexpected(invalid_value(f.name, "expected an array of option names"));
    std::vector<std::string> names;
    size_t start = 0;
    while (start <= s->size()) {
      size_t comma = s->find(',', start);
      std::string part = s->substr(start, comma == std::string::npos ? comma : comma - start);
      part.erase(0, part.find_first_not_of(' '));
      part.erase(part.find_last_not_of(' ') + 1);
      if (!part.empty()) names.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (names.empty()) return std::optional<Cell>{};
    for (auto& n : names) {
      auto stored = select_option(f, n, typecast, ids);
      if (!stored) return std::unexpected(stored.error());
    }
    return std::optional<Cell>{std::move(names)};
  }
  std::vector<std::string> names;
  for (element item : arr) {
    auto s = as_string(item);
    if (!s) return std::unexpected(invalid_value(f.name, "expected an array of option names"));
    auto stored = select_option(f, std::move(*s), typecast, ids);
    if (!stored) return std::unexpected(stored.error());
    if (std::find(names.begin(), names.end(), *stored) == names.end())
      names.push_back(std::move(*stored));
  }
  if (names.empty()) return std::optional<Cell>{};
  return std::optional<Cell>{std::move(names)};
}

}  // namespace

bool is_supported_field_type(std::string_view type) {
  return is_text_type(type) || type == "checkbox" || type == "number" || type == "date" ||
         type == "dateTime" || type == "singleSelect" || type == "multipleSelects";
}

Result coerce_cell(Field& field, element value, bool typecast, IdGenerator& ids) {
  if (value.is_null()) return std::optional<Cell>{};
  const std::string& t = field.type;
  if (is_text_type(t)) return coerce_text(field, value, typecast);
  if (t == "number") return coerce_number(field, value, typecast);
  if (t == "checkbox") return coerce_checkbox(field, value, typecast);
  if (t == "date" || t == "dateTime") return coerce_time(field, value);
  if (t == "singleSelect") return coerce_single_select(field, value, typecast, ids);
  if (t == "multipleSelects") return coerce_multiple_selects(field, value, typecast, ids);
  return std::unexpected(invalid_value(field.name, "field type " + t + " is read-only"));
}

}  // namespace airtable_local
