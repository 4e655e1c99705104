// Evaluation of a parsed formula against one record. Airtable's values are blank, numbers,
// text and datetimes; booleans are the numbers 1 and 0. An error (a bad date, say) makes the
// formula's value blank, so the record does not match, as Airtable's #ERROR! does.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "formula.hpp"

namespace airtable_local {

namespace {

struct Value {
  enum class Kind { Blank, Number, Text, Time };
  Kind kind = Kind::Blank;
  double number = 0;  // Number, or seconds since the epoch for Time
  std::string text;

  static Value blank() { return {}; }
  static Value num(double d) { return {Kind::Number, d, {}}; }
  static Value str(std::string s) { return {Kind::Text, 0, std::move(s)}; }
  static Value time(double seconds) { return {Kind::Time, seconds, {}}; }
  static Value boolean(bool b) { return num(b ? 1 : 0); }
};

std::string number_text(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

double to_seconds(SysTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::string text_of(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Blank: return "";
    case Value::Kind::Number: return number_text(v.number);
    case Value::Kind::Text: return v.text;
    case Value::Kind::Time:
      return format_datetime(SysTime{} + std::chrono::duration_cast<SysTime::duration>(
                                             std::chrono::duration<double>(v.number)));
  }
  return "";
}

std::optional<double> number_of(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Blank: return 0.0;
    case Value::Kind::Number:
    case Value::Kind::Time: return v.number;
    case Value::Kind::Text: {
      double d = 0;
      auto [end, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), d);
      if (ec != std::errc() || end != v.text.data() + v.text.size()) return std::nullopt;
      return d;
    }
  }
  return std::nullopt;
}

std::optional<double> time_of(const Value& v) {
  if (v.kind == Value::Kind::Time) return v.number;
  if (v.kind == Value::Kind::Text) {
    if (auto t = parse_iso8601(v.text)) return to_seconds(*t);
  }
  return std::nullopt;
}

bool truthy(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Blank: return false;
    case Value::Kind::Number: return v.number != 0 && !std::isnan(v.number);
    case Value::Kind::Text: return !v.text.empty();
    case Value::Kind::Time: return true;
  }
  return false;
}

Value cell_value(const Field& field, const Cell* cell) {
  if (!cell) {
    // An unchecked checkbox reads as 0 in a formula; every other empty cell as blank.
    return field.type == "checkbox" ? Value::num(0) : Value::blank();
  }
  if (auto* b = std::get_if<bool>(cell)) return Value::boolean(*b);
  if (auto* d = std::get_if<double>(cell)) return Value::num(*d);
  if (auto* s = std::get_if<std::string>(cell)) {
    if (field.type == "date" || field.type == "dateTime") {
      if (auto t = parse_iso8601(*s)) return Value::time(to_seconds(*t));
    }
    return Value::str(*s);
  }
  const auto& list = std::get<std::vector<std::string>>(*cell);
  std::string joined;
  for (const auto& item : list) joined += (joined.empty() ? "" : ", ") + item;
  return Value::str(joined);
}

// Equality with Airtable's loose rules: blank equals 0 and "", numbers compare as numbers
// when the other side reads as one, datetimes as instants.
int compare(const Value& a, const Value& b, bool& comparable) {
  comparable = true;
  auto three_way = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (a.kind == Value::Kind::Time || b.kind == Value::Kind::Time) {
    auto x = time_of(a), y = time_of(b);
    if (x && y) return three_way(*x, *y);
  }
  bool a_text = a.kind == Value::Kind::Text, b_text = b.kind == Value::Kind::Text;
  if (!a_text || !b_text) {
    auto x = number_of(a), y = number_of(b);
    if (x && y && !(a.kind == Value::Kind::Blank && b_text) &&
        !(b.kind == Value::Kind::Blank && a_text))
      return three_way(*x, *y);
  }
  std::string x = text_of(a), y = text_of(b);
  if (x.empty() != y.empty() && (a.kind == Value::Kind::Number || b.kind == Value::Kind::Number))
    comparable = false;
  return three_way(x, y);
}

class Evaluator {
 public:
  Evaluator(const Table& table, const Record& record, SysTime now)
      : table_(table), record_(record), now_(now) {}

  Value eval(const FormulaNode& n) const {
    switch (n.kind) {
      case FormulaNode::Kind::Number: return Value::num(n.number);
      case FormulaNode::Kind::Text: return Value::str(n.text);
      case FormulaNode::Kind::Field: {
        const Field* f = table_.find_field(n.text);
        if (!f) return Value::blank();  // deleted since parsing: behave like an empty cell
        auto it = record_.cells.find(f->id);
        return cell_value(*f, it == record_.cells.end() ? nullptr : &it->second);
      }
      case FormulaNode::Kind::Negate: {
        auto v = number_of(eval(*n.args[0]));
        return v ? Value::num(-*v) : Value::blank();
      }
      case FormulaNode::Kind::Binary: return binary(n);
      case FormulaNode::Kind::Call: return call(n);
    }
    return Value::blank();
  }

 private:
  const Table& table_;
  const Record& record_;
  SysTime now_;

  Value binary(const FormulaNode& n) const {
    Value a = eval(*n.args[0]);
    Value b = eval(*n.args[1]);
    const std::string& op = n.text;
    if (op == "&") return Value::str(text_of(a) + text_of(b));
    if (op == "+" || op == "-" || op == "*" || op == "/") {
      auto x = number_of(a), y = number_of(b);
      if (!x || !y) return Value::blank();
      if (op == "+") return Value::num(*x + *y);
      if (op == "-") return Value::num(*x - *y);
      if (op == "*") return Value::num(*x * *y);
      return *y == 0 ? Value::blank() : Value::num(*x / *y);
    }
    bool comparable = true;
    int c = compare(a, b, comparable);
    if (op == "=") return Value::boolean(comparable && c == 0);
    if (op == "!=") return Value::boolean(!comparable || c != 0);
    if (!comparable) return Value::boolean(false);
    if (op == "<") return Value::boolean(c < 0);
    if (op == ">") return Value::boolean(c > 0);
    if (op == "<=") return Value::boolean(c <= 0);
    return Value::boolean(c >= 0);
  }

  Value arg(const FormulaNode& n, size_t i) const { return eval(*n.args[i]); }

  Value call(const FormulaNode& n) const {
    const std::string& f = n.text;
    if (f == "AND") {
      for (const auto& a : n.args)
        if (!truthy(eval(*a))) return Value::boolean(false);
      return Value::boolean(true);
    }
    if (f == "OR") {
      for (const auto& a : n.args)
        if (truthy(eval(*a))) return Value::boolean(true);
      return Value::boolean(false);
    }
    if (f == "NOT") return Value::boolean(!truthy(arg(n, 0)));
    if (f == "IF") {
      if (truthy(arg(n, 0))) return arg(n, 1);
      return n.args.size() > 2 ? arg(n, 2) : Value::blank();
    }
    if (f == "BLANK") return Value::blank();
    if (f == "TRUE") return Value::boolean(true);
    if (f == "FALSE") return Value::boolean(false);
    if (f == "LOWER" || f == "UPPER") {
      std::string s = text_of(arg(n, 0));
      for (auto& ch : s)
        ch = static_cast<char>(f == "LOWER" ? std::tolower(static_cast<unsigned char>(ch))
                                            : std::toupper(static_cast<unsigned char>(ch)));
      return Value::str(s);
    }
    if (f == "TRIM") {
      std::string s = text_of(arg(n, 0));
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
      return Value::str(s);
    }
    if (f == "FIND" || f == "SEARCH") return find(n, f == "SEARCH");
    if (f == "LEN") return Value::num(static_cast<double>(text_of(arg(n, 0)).size()));
    if (f == "CONCATENATE") {
      std::string s;
      for (const auto& a : n.args) s += text_of(eval(*a));
      return Value::str(s);
    }
    if (f == "IS_AFTER" || f == "IS_BEFORE") {
      auto x = time_of(arg(n, 0)), y = time_of(arg(n, 1));
      if (!x || !y) return Value::blank();
      return Value::boolean(f == "IS_AFTER" ? *x > *y : *x < *y);
    }
    if (f == "DATETIME_PARSE") {
      auto t = time_of(arg(n, 0));
      return t ? Value::time(*t) : Value::blank();
    }
    if (f == "DATETIME_DIFF") return datetime_diff(n);
    if (f == "NOW") return Value::time(to_seconds(now_));
    if (f == "TODAY") return Value::time(to_seconds(std::chrono::floor<std::chrono::days>(now_)));
    if (f == "RECORD_ID") return Value::str(record_.id);
    if (f == "CREATED_TIME") {
      auto t = parse_iso8601(record_.created_time);
      return t ? Value::time(to_seconds(*t)) : Value::blank();
    }
    if (f == "LAST_MODIFIED_TIME") return last_modified_time(n);
    return Value::blank();
  }

  // Without fields: the newest change of any field, and at least the creation (a record
  // nobody edited was last modified when it was created). With fields: the newest change
  // among them, blank when none was ever written.
  Value last_modified_time(const FormulaNode& n) const {
    std::optional<SysTime> newest;
    auto consider = [&](SysTime t) {
      if (!newest || t > *newest) newest = t;
    };
    if (n.args.empty()) {
      if (auto created = parse_iso8601(record_.created_time)) consider(*created);
      for (const auto& [field_id, t] : record_.modified) consider(t);
    } else {
      for (const auto& arg : n.args) {
        auto it = record_.modified.find(arg->text);
        if (it != record_.modified.end()) consider(it->second);
      }
    }
    return newest ? Value::time(to_seconds(*newest)) : Value::blank();
  }

  Value find(const FormulaNode& n, bool ignore_case) const {
    std::string needle = text_of(arg(n, 0)), hay = text_of(arg(n, 1));
    size_t start = 0;
    if (n.args.size() > 2) {
      auto s = number_of(arg(n, 2));
      if (s && *s > 1) start = static_cast<size_t>(*s) - 1;
    }
    if (ignore_case) {
      auto lower = [](std::string& s) {
        for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      };
      lower(needle);
      lower(hay);
    }
    if (start > hay.size()) return Value::num(0);
    size_t at = hay.find(needle, start);
    return Value::num(at == std::string::npos ? 0 : static_cast<double>(at + 1));
  }

  Value datetime_diff(const FormulaNode& n) const {
    auto x = time_of(arg(n, 0)), y = time_of(arg(n, 1));
    if (!x || !y) return Value::blank();
    std::string unit = n.args.size() > 2 ? text_of(arg(n, 2)) : "seconds";
    static const std::pair<const char*, double> kUnits[] = {
        {"milliseconds", 0.001}, {"ms", 0.001}, {"seconds", 1}, {"s", 1},
        {"minutes", 60},         {"m", 60},     {"hours", 3600}, {"h", 3600},
        {"days", 86400},         {"d", 86400},  {"weeks", 604800}, {"w", 604800}};
    for (const auto& [name, scale] : kUnits)
      if (unit == name) return Value::num(std::trunc((*x - *y) / scale));
    return Value::blank();
  }
};

}  // namespace

bool Formula::matches(const Table& table, const Record& record, SysTime now) const {
  if (!root_) return true;
  return truthy(Evaluator(table, record, now).eval(*root_));
}

}  // namespace airtable_local
