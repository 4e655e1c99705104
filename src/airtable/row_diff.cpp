#include "airtable/row_diff.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>

namespace airreg::airtable {

namespace {

bool is_empty(const FieldValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return true;
  if (auto b = std::get_if<bool>(&v)) return !*b;  // Airtable leaves an unchecked box out
  if (auto s = std::get_if<std::string>(&v)) return s->empty();
  if (auto l = std::get_if<std::vector<std::string>>(&v)) return l->empty();
  return false;
}

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "2026-11-22T10:00:00Z" and "2026-11-22T10:00:00.000Z" name one instant; Airtable answers
// with milliseconds whatever was sent. Returns the text with milliseconds, or "" when the
// string is not such a timestamp.
std::string canonical_timestamp(const std::string& s) {
  if (s.size() < 20 || s[10] != 'T' || s.back() != 'Z') return "";
  std::string_view head(s.data(), 19);
  if (head[4] != '-' || head[7] != '-' || head[13] != ':' || head[16] != ':') return "";
  std::string_view fraction(s.data() + 19, s.size() - 20);
  if (!fraction.empty() && (fraction[0] != '.' || !digits(fraction.substr(1)))) return "";
  std::string ms = fraction.empty() ? "" : std::string(fraction.substr(1));
  ms.resize(3, '0');
  return std::string(head) + "." + ms + "Z";
}

bool numbers_equal(double a, double b) {
  return a == b || std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

std::string cell_text(const FieldValue& v) {
  if (auto s = std::get_if<std::string>(&v)) return *s;
  if (auto d = std::get_if<double>(&v)) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return ec == std::errc() ? std::string(buf, end) : std::string();
  }
  if (auto b = std::get_if<bool>(&v)) return *b ? "true" : "";
  return "";
}

std::string joined_key(const Fields& row, const std::vector<std::string>& merge_on, char separator) {
  std::string key;
  for (size_t i = 0; i < merge_on.size(); ++i) {
    auto it = row.find(merge_on[i]);
    std::string part = it == row.end() ? "" : cell_text(it->second);
    if (part.empty()) return "";
    if (i) key += separator;
    key += part;
  }
  return key;
}

}  // namespace

bool cells_equal(const FieldValue& a, const FieldValue& b) {
  if (is_empty(a) || is_empty(b)) return is_empty(a) && is_empty(b);
  if (a.index() != b.index()) return false;
  if (auto x = std::get_if<double>(&a)) return numbers_equal(*x, std::get<double>(b));
  if (auto x = std::get_if<std::string>(&a)) {
    const auto& y = std::get<std::string>(b);
    if (*x == y) return true;
    std::string cx = canonical_timestamp(*x);
    return !cx.empty() && cx == canonical_timestamp(y);
  }
  if (auto x = std::get_if<std::vector<std::string>>(&a)) {
    auto sx = *x, sy = std::get<std::vector<std::string>>(b);
    std::sort(sx.begin(), sx.end());
    std::sort(sy.begin(), sy.end());
    return sx == sy;
  }
  return a == b;
}

std::string row_key(const Fields& row, const std::vector<std::string>& merge_on) {
  return joined_key(row, merge_on, '\x1f');  // a separator no model id contains
}

std::string row_label(const Fields& row, const std::vector<std::string>& merge_on) {
  std::string label = joined_key(row, merge_on, '/');
  return label.empty() ? "(a row without its key)" : label;
}

CellsByKey cells_by_key(const ReadCells& current, const std::vector<std::string>& merge_on) {
  CellsByKey held;
  held.reserve(current.size());
  for (const Fields* record : current) {
    if (!record) continue;
    std::string key = row_key(*record, merge_on);
    if (!key.empty()) held.emplace(std::move(key), record);  // the first of duplicates
  }
  return held;
}

RowDiff diff_rows(std::vector<Fields> rows, const CellsByKey& held, const std::vector<std::string>& merge_on) {
  RowDiff diff;
  // Rows of one key become one row first (the later cell wins), so the diff sees the end state.
  std::vector<std::pair<std::string, Fields>> merged;
  merged.reserve(rows.size());
  std::unordered_map<std::string, size_t> position;
  for (auto& row : rows) {
    std::string key = row_key(row, merge_on);
    if (key.empty()) {
      diff.invalid.push_back(std::move(row));
      continue;
    }
    auto [at, fresh] = position.emplace(key, merged.size());
    if (fresh) {
      merged.emplace_back(std::move(key), std::move(row));
    } else {
      for (auto& [name, value] : row) merged[at->second].second[name] = std::move(value);
    }
  }
  rows = std::vector<Fields>();  // moved from: its buffer goes now
  for (auto& [key, row] : merged) {
    auto found = held.find(key);
    if (found == held.end()) {
      diff.changed.push_back(std::move(row));
      continue;
    }
    Fields delta;
    bool changed = false;
    for (auto& [name, value] : row) {
      auto cell = found->second->find(name);
      bool same = cells_equal(value, cell == found->second->end() ? FieldValue{} : cell->second);
      bool key_cell = std::find(merge_on.begin(), merge_on.end(), name) != merge_on.end();
      if (!same) changed = true;
      if (!same || key_cell) delta[name] = std::move(value);
    }
    if (changed) {
      diff.changed.push_back(std::move(delta));
    } else {
      ++diff.unchanged;
    }
  }
  return diff;
}

}  // namespace airreg::airtable
